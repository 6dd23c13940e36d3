<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pt_BR" sourcelanguage="en">
<context>
    <name>Autostart</name>
    <message>
        <source>Starting on login is set in the system&apos;s own settings on this platform.</source>
        <translation>Nesta plataforma, a inicialização com o sistema é definida nas configurações do próprio sistema.</translation>
    </message>
</context>
<context>
    <name>ConnectionState</name>
    <message>
        <source>Signed out</source>
        <translation>Desconectado</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Conectando…</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Entrando…</translation>
    </message>
    <message>
        <source>Catching up…</source>
        <translation>Atualizando…</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Conectado</translation>
    </message>
    <message numerus="yes">
        <source>Reconnecting in %n s</source>
        <translation>
            <numerusform>Reconectando em %n s</numerusform>
            <numerusform>Reconectando em %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>Sign-in needed</source>
        <translation>É preciso entrar</translation>
    </message>
</context>
<context>
    <name>DesktopApplication</name>
    <message>
        <source>Conversa on %1</source>
        <translation>Conversa em %1</translation>
    </message>
    <message>
        <source>Please sign in again.</source>
        <translation>Entre novamente.</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Configurações</translation>
    </message>
    <message>
        <source>Could not change starting on login: %1</source>
        <translation>Não foi possível alterar a inicialização com o sistema: %1</translation>
    </message>
    <message>
        <source>Conversa cannot open its files: %1</source>
        <translation>O Conversa não consegue abrir seus arquivos: %1</translation>
    </message>
</context>
<context>
    <name>TypingUsers</name>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 está digitando…</translation>
    </message>
    <message>
        <source>%1 and %2 are typing…</source>
        <translation>%1 e %2 estão digitando…</translation>
    </message>
    <message>
        <source>Several people are typing…</source>
        <translation>Várias pessoas estão digitando…</translation>
    </message>
</context>
<context>
    <name>conversa::core::Account</name>
    <message>
        <source>The proxy needs an address, e.g. http://proxy:3128.</source>
        <translation>O proxy precisa de um endereço, por exemplo http://proxy:3128.</translation>
    </message>
    <message>
        <source>Unknown proxy “%1”: use system, none, http://HOST:PORT or socks5://HOST:PORT.</source>
        <translation>Proxy desconhecido “%1”: use system, none, http://HOST:PORTA ou socks5://HOST:PORTA.</translation>
    </message>
    <message>
        <source>Your administrator set the server to %1; it cannot be changed (policy in %2).</source>
        <translation>Seu administrador definiu o servidor como %1; ele não pode ser alterado (política em %2).</translation>
    </message>
    <message>
        <source>“%1” is not a server address; use ws://host:port or wss://host.</source>
        <translation>“%1” não é um endereço de servidor; use ws://host:porta ou wss://host.</translation>
    </message>
    <message>
        <source>“%1” is not a valid user name.</source>
        <translation>“%1” não é um nome de usuário válido.</translation>
    </message>
    <message>
        <source>Cannot open the message cache %1: %2</source>
        <translation>Não foi possível abrir o cache de mensagens %1: %2</translation>
    </message>
    <message>
        <source>Cannot open the outbox %1: %2</source>
        <translation>Não foi possível abrir a caixa de saída %1: %2</translation>
    </message>
    <message>
        <source>The keychain is not used (--no-keychain).</source>
        <translation>O chaveiro não é usado (--no-keychain).</translation>
    </message>
    <message>
        <source>Not signed in as %1 on this computer.</source>
        <translation>Você não está conectado como %1 neste computador.</translation>
    </message>
</context>
<context>
    <name>conversa::core::AttachmentLimits</name>
    <message>
        <source>“%1” is a folder; only files can be sent.</source>
        <translation>“%1” é uma pasta; só é possível enviar arquivos.</translation>
    </message>
    <message>
        <source>“%1” cannot be read.</source>
        <translation>Não é possível ler “%1”.</translation>
    </message>
    <message numerus="yes">
        <source>A message carries at most %n file(s).</source>
        <translation>
            <numerusform>Uma mensagem leva no máximo %n arquivo.</numerusform>
            <numerusform>Uma mensagem leva no máximo %n arquivos.</numerusform>
        </translation>
    </message>
    <message>
        <source>“%1” is %2; the server takes files of up to %3.</source>
        <translation>“%1” tem %2; o servidor aceita arquivos de até %3.</translation>
    </message>
    <message>
        <source>“%1” is empty.</source>
        <translation>“%1” está vazio.</translation>
    </message>
    <message>
        <source>“%1” does not fit: files waiting to be sent may take up to %2 together.</source>
        <translation>“%1” não cabe: os arquivos aguardando envio podem ocupar até %2 no total.</translation>
    </message>
</context>
<context>
    <name>conversa::core::FileCache</name>
    <message>
        <source>The file is not downloaded.</source>
        <translation>O arquivo não foi baixado.</translation>
    </message>
    <message>
        <source>This is not a file of Conversa.</source>
        <translation>Isto não é um arquivo do Conversa.</translation>
    </message>
    <message>
        <source>Too many files are waiting to download; try again.</source>
        <translation>Há arquivos demais aguardando download; tente novamente.</translation>
    </message>
    <message>
        <source>This file is larger than the whole download cache (%1 MB).</source>
        <translation>Este arquivo é maior que todo o cache de downloads (%1 MB).</translation>
    </message>
    <message>
        <source>Not signed in: the file cannot be downloaded.</source>
        <translation>Sem login: não é possível baixar o arquivo.</translation>
    </message>
    <message>
        <source>The server sent more than the file&apos;s size.</source>
        <translation>O servidor enviou mais do que o tamanho do arquivo.</translation>
    </message>
</context>
<context>
    <name>conversa::core::FileTransfer</name>
    <message>
        <source>The server refused (%1): %2</source>
        <translation>O servidor recusou (%1): %2</translation>
    </message>
    <message>
        <source>This file is not available (404): it was deleted, or you are no longer in a room that has it.</source>
        <translation>Este arquivo não está disponível (404): foi excluído, ou você não está mais em uma sala que o tenha.</translation>
    </message>
    <message>
        <source>The server did not accept this sign-in for the download (401).</source>
        <translation>O servidor não aceitou este login para o download (401).</translation>
    </message>
    <message>
        <source>The server answered %1 %2.</source>
        <translation>O servidor respondeu %1 %2.</translation>
    </message>
    <message>
        <source>Cannot read “%1”: %2</source>
        <translation>Não foi possível ler “%1”: %2</translation>
    </message>
    <message>
        <source>“%1” is %2 bytes; the server takes files of up to %3 bytes.</source>
        <translation>“%1” tem %2 bytes; o servidor aceita arquivos de até %3 bytes.</translation>
    </message>
    <message>
        <source>The server&apos;s answer to the upload names no file.</source>
        <translation>A resposta do servidor ao envio não indica nenhum arquivo.</translation>
    </message>
    <message>
        <source>Cannot write “%1”: %2</source>
        <translation>Não foi possível gravar “%1”: %2</translation>
    </message>
    <message>
        <source>Cannot write “%1”.</source>
        <translation>Não foi possível gravar “%1”.</translation>
    </message>
</context>
<context>
    <name>conversa::core::ImageDecoder</name>
    <message>
        <source>The image file is missing.</source>
        <translation>O arquivo da imagem não existe.</translation>
    </message>
    <message>
        <source>The image is too large to show (%1 MB; at most %2 MB).</source>
        <translation>A imagem é grande demais para exibir (%1 MB; no máximo %2 MB).</translation>
    </message>
    <message>
        <source>The image does not say its size.</source>
        <translation>A imagem não informa seu tamanho.</translation>
    </message>
    <message>
        <source>This is not an image Conversa can show.</source>
        <translation>Isto não é uma imagem que o Conversa consiga exibir.</translation>
    </message>
    <message>
        <source>The image is too large to show (%1 × %2 pixels).</source>
        <translation>A imagem é grande demais para exibir (%1 × %2 pixels).</translation>
    </message>
    <message>
        <source>The image cannot be read: %1</source>
        <translation>Não é possível ler a imagem: %1</translation>
    </message>
</context>
<context>
    <name>conversa::core::MessageModel</name>
    <message>
        <source>Older messages could not be loaded: %1. Scroll up to try again.</source>
        <translation>Não foi possível carregar as mensagens anteriores: %1. Role para cima para tentar de novo.</translation>
    </message>
    <message>
        <source>Older messages load when the connection is back.</source>
        <translation>As mensagens anteriores serão carregadas quando a conexão voltar.</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Enviando…</translation>
    </message>
    <message>
        <source>Not sent</source>
        <translation>Não enviada</translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation>Não enviada: %1</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Você</translation>
    </message>
    <message>
        <source>%1 at %2: %3</source>
        <translation>%1 às %2: %3</translation>
    </message>
    <message>
        <source>%1 at %2: %3 (%4)</source>
        <translation>%1 às %2: %3 (%4)</translation>
    </message>
    <message>
        <source>message deleted</source>
        <translation>mensagem excluída</translation>
    </message>
    <message>
        <source>%1 (edited)</source>
        <translation>%1 (editada)</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>(attached: %1)</source>
        <translation>(anexos: %1)</translation>
    </message>
</context>
<context>
    <name>conversa::core::Outbox</name>
    <message>
        <source>“%1” cannot be read: %2</source>
        <translation>Não foi possível ler “%1”: %2</translation>
    </message>
    <message>
        <source>“%1” cannot be copied: %2</source>
        <translation>Não foi possível copiar “%1”: %2</translation>
    </message>
    <message>
        <source>it changed while it was being copied</source>
        <translation>foi alterado durante a cópia</translation>
    </message>
    <message>
        <source>the outbox file cannot be opened</source>
        <translation>não foi possível abrir o arquivo da caixa de saída</translation>
    </message>
</context>
<context>
    <name>conversa::core::Room</name>
    <message>
        <source>There is nothing to send.</source>
        <translation>Não há nada para enviar.</translation>
    </message>
    <message>
        <source>This message is %1 KB; the server accepts up to %2 KB. Split it into several messages.</source>
        <translation>Esta mensagem tem %1 KB; o servidor aceita até %2 KB. Divida-a em várias mensagens.</translation>
    </message>
    <message>
        <source>The message contains a control character (U+%1) the server does not accept.</source>
        <translation>A mensagem contém um caractere de controle (U+%1) que o servidor não aceita.</translation>
    </message>
    <message>
        <source>The message contains characters the server does not accept.</source>
        <translation>A mensagem contém caracteres que o servidor não aceita.</translation>
    </message>
    <message>
        <source>The message could not be saved on this computer (%1).</source>
        <translation>Não foi possível salvar a mensagem neste computador (%1).</translation>
    </message>
    <message>
        <source>no outbox is open</source>
        <translation>nenhuma caixa de saída está aberta</translation>
    </message>
    <message>
        <source>This message is %1 bytes; the server accepts up to %2 bytes. Split it into several messages.</source>
        <translation>Esta mensagem tem %1 bytes; o servidor aceita até %2 bytes. Divida-a em várias mensagens.</translation>
    </message>
</context>
<context>
    <name>conversa::core::RoomActions</name>
    <message>
        <source>You are offline. Try again when the connection is back.</source>
        <translation>Você está sem conexão. Tente novamente quando a conexão voltar.</translation>
    </message>
    <message>
        <source>A room with that name already exists. Join it instead.</source>
        <translation>Já existe uma sala com esse nome. Entre nela.</translation>
    </message>
    <message>
        <source>There is no one called “%1” on this server.</source>
        <translation>Não há ninguém chamado “%1” neste servidor.</translation>
    </message>
    <message>
        <source>%1 is not a member of this room.</source>
        <translation>%1 não é membro desta sala.</translation>
    </message>
    <message>
        <source>There is no room with that name.</source>
        <translation>Não existe nenhuma sala com esse nome.</translation>
    </message>
    <message>
        <source>You are not allowed to do that.</source>
        <translation>Você não tem permissão para fazer isso.</translation>
    </message>
    <message>
        <source>Not allowed: %1</source>
        <translation>Não permitido: %1</translation>
    </message>
    <message>
        <source>The server said: %1</source>
        <translation>O servidor respondeu: %1</translation>
    </message>
    <message>
        <source>“%1” is not a room name. Names use lower-case letters, digits, “-” and “_”.</source>
        <translation>“%1” não é um nome de sala. Os nomes usam letras minúsculas, dígitos, “-” e “_”.</translation>
    </message>
    <message>
        <source>“%1” is not a user name. User names use lower-case letters, digits, “.”, “-” and “_”.</source>
        <translation>“%1” não é um nome de usuário. Os nomes de usuário usam letras minúsculas, dígitos, “.”, “-” e “_”.</translation>
    </message>
    <message>
        <source>Type someone&apos;s user name.</source>
        <translation>Digite o nome de usuário de alguém.</translation>
    </message>
    <message>
        <source>Type the new title.</source>
        <translation>Digite o novo título.</translation>
    </message>
    <message>
        <source>The server&apos;s list of rooms could not be read.</source>
        <translation>Não foi possível ler a lista de salas do servidor.</translation>
    </message>
</context>
<context>
    <name>conversa::core::SearchResultsModel</name>
    <message>
        <source>Type a word to search for.</source>
        <translation>Digite uma palavra para pesquisar.</translation>
    </message>
    <message>
        <source>Search for at most %1 characters.</source>
        <translation>Pesquise no máximo %1 caracteres.</translation>
    </message>
    <message>
        <source>Search for at most %1 words.</source>
        <translation>Pesquise no máximo %1 palavras.</translation>
    </message>
    <message>
        <source>Not signed in.</source>
        <translation>Sem sessão iniciada.</translation>
    </message>
    <message>
        <source>Offline: search needs the server.</source>
        <translation>Sem conexão: a pesquisa precisa do servidor.</translation>
    </message>
    <message>
        <source>The server&apos;s answer could not be read.</source>
        <translation>Não foi possível ler a resposta do servidor.</translation>
    </message>
</context>
<context>
    <name>conversa::core::SessionManager</name>
    <message>
        <source>the certificate is self-signed and not trusted on this computer</source>
        <translation>o certificado é autoassinado e este computador não confia nele</translation>
    </message>
    <message>
        <source>it was issued by an authority this computer does not trust</source>
        <translation>foi emitido por uma autoridade em que este computador não confia</translation>
    </message>
    <message>
        <source>the certificate has expired</source>
        <translation>o certificado expirou</translation>
    </message>
    <message>
        <source>the certificate is not valid yet (check the computer&apos;s clock)</source>
        <translation>o certificado ainda não é válido (verifique o relógio do computador)</translation>
    </message>
    <message>
        <source>the certificate belongs to another server name</source>
        <translation>o certificado pertence a outro nome de servidor</translation>
    </message>
    <message>
        <source>the certificate has been revoked</source>
        <translation>o certificado foi revogado</translation>
    </message>
    <message>
        <source>The server did not answer within %1 s.</source>
        <translation>O servidor não respondeu em %1 s.</translation>
    </message>
    <message>
        <source>Cannot read the CA file %1: %2</source>
        <translation>Não é possível ler o arquivo de CA %1: %2</translation>
    </message>
    <message>
        <source>The CA file %1 holds no certificate (PEM or DER).</source>
        <translation>O arquivo de CA %1 não contém nenhum certificado (PEM ou DER).</translation>
    </message>
    <message>
        <source>No valid server address is set.</source>
        <translation>Não há um endereço de servidor válido.</translation>
    </message>
    <message>
        <source>The server sent binary data.</source>
        <translation>O servidor enviou dados binários.</translation>
    </message>
    <message>
        <source>The proxy asks for a user name and password; put them in the proxy address (http://user:password@host:port).</source>
        <translation>O proxy pede nome de usuário e senha; inclua-os no endereço do proxy (http://usuário:senha@anfitrião:porta).</translation>
    </message>
    <message>
        <source>The connection was lost before the server answered.</source>
        <translation>A conexão caiu antes de o servidor responder.</translation>
    </message>
    <message>
        <source>Too many sign-in attempts; wait a minute and try again.</source>
        <translation>Muitas tentativas de login; aguarde um minuto e tente novamente.</translation>
    </message>
    <message>
        <source>The user name or password is not right.</source>
        <translation>O nome de usuário ou a senha não estão certos.</translation>
    </message>
    <message>
        <source>The server no longer accepts this device&apos;s sign-in; enter your password again.</source>
        <translation>O servidor não aceita mais o login deste dispositivo; digite sua senha novamente.</translation>
    </message>
    <message>
        <source>The server refused the session: %1</source>
        <translation>O servidor recusou a sessão: %1</translation>
    </message>
    <message>
        <source>The connection was closed.</source>
        <translation>A conexão foi fechada.</translation>
    </message>
    <message>
        <source>The server is restarting or shutting down.</source>
        <translation>O servidor está reiniciando ou desligando.</translation>
    </message>
    <message>
        <source>This device was signed out (its sign-in was revoked or the account disabled); enter your password again.</source>
        <translation>Este dispositivo foi desconectado (o login foi revogado ou a conta foi desativada); digite sua senha novamente.</translation>
    </message>
    <message>
        <source>The server closed the connection: sign-in took too long.</source>
        <translation>O servidor fechou a conexão: o login demorou demais.</translation>
    </message>
    <message>
        <source>The server closed an idle connection.</source>
        <translation>O servidor fechou uma conexão inativa.</translation>
    </message>
    <message>
        <source>The server closed the connection (code %1%2).</source>
        <translation>O servidor fechou a conexão (código %1%2).</translation>
    </message>
    <message>
        <source>The server closed the connection.</source>
        <translation>O servidor fechou a conexão.</translation>
    </message>
    <message>
        <source>The connection was lost.</source>
        <translation>A conexão caiu.</translation>
    </message>
    <message>
        <source>The server at %1 answered with HTTP %2%3 instead of opening a chat connection (check the address and path).</source>
        <translation>O servidor em %1 respondeu com HTTP %2%3 em vez de abrir uma conexão de conversa (verifique o endereço e o caminho).</translation>
    </message>
    <message>
        <source>The server name %1 was not found (DNS).</source>
        <translation>O nome de servidor %1 não foi encontrado (DNS).</translation>
    </message>
    <message>
        <source>The server %1 refused the connection (is it running on port %2?).</source>
        <translation>O servidor %1 recusou a conexão (ele está rodando na porta %2?).</translation>
    </message>
    <message>
        <source>The connection to %1 timed out.</source>
        <translation>A conexão a %1 excedeu o tempo limite.</translation>
    </message>
    <message>
        <source>The proxy refused or failed the connection: %1</source>
        <translation>O proxy recusou ou falhou a conexão: %1</translation>
    </message>
    <message>
        <source>The secure (TLS) connection to %1 failed: %2</source>
        <translation>A conexão segura (TLS) a %1 falhou: %2</translation>
    </message>
    <message>
        <source>The network is unreachable: %1</source>
        <translation>A rede não está acessível: %1</translation>
    </message>
    <message>
        <source>The certificate of %1 is not trusted: %2.</source>
        <translation>O certificado de %1 não é de confiança: %2.</translation>
    </message>
    <message>
        <source>Certificate for “%1”, issued by “%2”.</source>
        <translation>Certificado para “%1”, emitido por “%2”.</translation>
    </message>
    <message>
        <source>If this is your organisation&apos;s own server, ask for its CA certificate and add it as an extra CA file.</source>
        <translation>Se este for o servidor da sua organização, peça o certificado da CA e adicione-o como arquivo de CA adicional.</translation>
    </message>
    <message>
        <source>The computer was asleep; reconnecting.</source>
        <translation>O computador estava em suspensão; reconectando.</translation>
    </message>
    <message>
        <source>The server stopped answering (no reply for %1 s).</source>
        <translation>O servidor parou de responder (sem resposta há %1 s).</translation>
    </message>
    <message>
        <source>Not connected.</source>
        <translation>Sem conexão.</translation>
    </message>
    <message>
        <source>The server&apos;s room list could not be read.</source>
        <translation>Não foi possível ler a lista de salas do servidor.</translation>
    </message>
    <message>
        <source>A sync answer could not be read.</source>
        <translation>Não foi possível ler uma resposta de sincronização.</translation>
    </message>
    <message>
        <source>the connection was lost</source>
        <translation>a conexão caiu</translation>
    </message>
    <message>
        <source>the server&apos;s answer could not be read</source>
        <translation>não foi possível ler a resposta do servidor</translation>
    </message>
</context>
<context>
    <name>conversa::core::ThumbnailCache</name>
    <message>
        <source>Images cannot be downloaded here.</source>
        <translation>Aqui não é possível baixar imagens.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::ChatPage</name>
    <message>
        <source>Rooms</source>
        <translation>Salas</translation>
    </message>
    <message>
        <source>Create a room (Ctrl+N)</source>
        <translation>Criar uma sala (Ctrl+N)</translation>
    </message>
    <message>
        <source>Create room</source>
        <translation>Criar sala</translation>
    </message>
    <message>
        <source>Filter rooms</source>
        <translation>Filtrar salas</translation>
    </message>
    <message>
        <source>Leave room</source>
        <translation>Sair da sala</translation>
    </message>
    <message>
        <source>Choose a room on the left, or create one with Ctrl+N.</source>
        <translation>Escolha uma sala à esquerda ou crie uma com Ctrl+N.</translation>
    </message>
    <message>
        <source>Who is typing</source>
        <translation>Quem está digitando</translation>
    </message>
    <message>
        <source>No room open</source>
        <translation>Nenhuma sala aberta</translation>
    </message>
    <message>
        <source>Choose a room to start writing.</source>
        <translation>Escolha uma sala para começar a escrever.</translation>
    </message>
    <message>
        <source>You are signed out; sign in again to write.</source>
        <translation>Você saiu; entre novamente para escrever.</translation>
    </message>
    <message>
        <source>Messages cannot be saved on this computer right now.</source>
        <translation>Neste momento não é possível guardar mensagens neste computador.</translation>
    </message>
    <message>
        <source>Message too long</source>
        <translation>Mensagem longa demais</translation>
    </message>
    <message>
        <source>Leave #%1? You can join it again later.</source>
        <translation>Sair de #%1? Você pode entrar de novo depois.</translation>
    </message>
    <message>
        <source>You are not in any room yet.
Join one with Ctrl+J (for example “general”) or create one with Ctrl+N.</source>
        <translation>Você ainda não está em nenhuma sala.
Entre em uma com Ctrl+J (por exemplo “general”) ou crie uma com Ctrl+N.</translation>
    </message>
    <message>
        <source>Why the message was not sent</source>
        <translation>Por que a mensagem não foi enviada</translation>
    </message>
    <message>
        <source>Not sent: %1 Your text is still in the box.</source>
        <translation>Não enviada: %1 Seu texto continua na caixa.</translation>
    </message>
    <message>
        <source>Not sent: %1 Your text is still in the box; press Enter to try again.</source>
        <translation>Não enviada: %1 Seu texto continua na caixa; pressione Enter para tentar novamente.</translation>
    </message>
    <message>
        <source>Room menu</source>
        <translation>Menu da sala</translation>
    </message>
    <message>
        <source>Leave room…</source>
        <translation>Sair da sala…</translation>
    </message>
    <message>
        <source>Emoji</source>
        <translation>Emoji</translation>
    </message>
    <message>
        <source>Insert an emoji</source>
        <translation>Inserir um emoji</translation>
    </message>
    <message>
        <source>Insert emoji</source>
        <translation>Inserir emoji</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>Enviar (Enter)</translation>
    </message>
    <message>
        <source>Send message</source>
        <translation>Enviar mensagem</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Notificações</translation>
    </message>
    <message>
        <source>All messages</source>
        <translation>Todas as mensagens</translation>
    </message>
    <message>
        <source>Mentions only</source>
        <translation>Somente menções</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>Silenciar</translation>
    </message>
    <message>
        <source>Search messages</source>
        <translation>Pesquisar mensagens</translation>
    </message>
    <message>
        <source>Search messages (Ctrl+Shift+F)</source>
        <translation>Pesquisar mensagens (Ctrl+Shift+F)</translation>
    </message>
    <message>
        <source>The edit was refused: %1</source>
        <translation>A edição foi recusada: %1</translation>
    </message>
    <message>
        <source>The deletion was refused: %1</source>
        <translation>A exclusão foi recusada: %1</translation>
    </message>
    <message>
        <source>The reaction was refused: %1</source>
        <translation>A reação foi recusada: %1</translation>
    </message>
    <message>
        <source>Find rooms</source>
        <translation>Procurar salas</translation>
    </message>
    <message>
        <source>Find and join public rooms (Ctrl+J)</source>
        <translation>Procurar e entrar em salas públicas (Ctrl+J)</translation>
    </message>
    <message>
        <source>New message</source>
        <translation>Nova mensagem</translation>
    </message>
    <message>
        <source>Write to someone directly (Ctrl+Shift+N)</source>
        <translation>Escrever diretamente para alguém (Ctrl+Shift+N)</translation>
    </message>
    <message>
        <source>Direct message · online</source>
        <translation>Mensagem direta · online</translation>
    </message>
    <message>
        <source>Direct message</source>
        <translation>Mensagem direta</translation>
    </message>
    <message>
        <source>Private room #%1</source>
        <translation>Sala privada #%1</translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n member(s)</source>
        <translation>
            <numerusform>%1 · %n membro</numerusform>
            <numerusform>%1 · %n membros</numerusform>
        </translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>Anexar arquivos</translation>
    </message>
    <message>
        <source>Attach files (or drop them here, or paste an image)</source>
        <translation>Anexar arquivos (ou solte-os aqui, ou cole uma imagem)</translation>
    </message>
    <message>
        <source>The files are uploaded already; the message is on its way.</source>
        <translation>Os arquivos já foram enviados; a mensagem está a caminho.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::Composer</name>
    <message>
        <source>Message</source>
        <translation>Mensagem</translation>
    </message>
    <message>
        <source>Enter sends the message, Shift+Enter starts a new line.</source>
        <translation>Enter envia a mensagem, Shift+Enter começa uma nova linha.</translation>
    </message>
    <message>
        <source>Message #%1</source>
        <translation>Mensagem para #%1</translation>
    </message>
    <message>
        <source>Write a message</source>
        <translation>Escreva uma mensagem</translation>
    </message>
    <message>
        <source>Enter sends, Shift+Enter starts a new line.
Formatting: **bold**, *italic*, `code`, ``` on its own line for a code block, &gt; at the start for a quote, [text](https://…) for a link.</source>
        <translation>Enter envia, Shift+Enter começa uma nova linha.
Formatação: **negrito**, *itálico*, `código`, ``` em uma linha própria para um bloco de código, &gt; no início para uma citação, [texto](https://…) para um link.</translation>
    </message>
    <message>
        <source>Message %1</source>
        <translation>Mensagem para %1</translation>
    </message>
</context>
<context>
    <name>conversa::ui::ComposerAttachments</name>
    <message>
        <source>Files to send</source>
        <translation>Arquivos para enviar</translation>
    </message>
    <message>
        <source>Open a room to send files.</source>
        <translation>Abra uma sala para enviar arquivos.</translation>
    </message>
    <message>
        <source>Remove %1</source>
        <translation>Remover %1</translation>
    </message>
    <message>
        <source>The pasted image cannot be read.</source>
        <translation>Não foi possível ler a imagem colada.</translation>
    </message>
    <message>
        <source>The pasted image cannot be saved: %1</source>
        <translation>Não foi possível salvar a imagem colada: %1</translation>
    </message>
    <message>
        <source>Pasted image %1.png</source>
        <translation>Imagem colada %1.png</translation>
    </message>
    <message>
        <source>Pasted image %1 (%2).png</source>
        <translation>Imagem colada %1 (%2).png</translation>
    </message>
    <message>
        <source>The pasted image cannot be saved.</source>
        <translation>Não foi possível salvar a imagem colada.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::ComposerContextBar</name>
    <message>
        <source>Cancel editing (Esc)</source>
        <translation>Cancelar a edição (Esc)</translation>
    </message>
    <message>
        <source>Cancel the reply (Esc)</source>
        <translation>Cancelar a resposta (Esc)</translation>
    </message>
    <message>
        <source>Editing your message: %1</source>
        <translation>Editando sua mensagem: %1</translation>
    </message>
    <message>
        <source>Replying to %1: %2</source>
        <translation>Respondendo a %1: %2</translation>
    </message>
</context>
<context>
    <name>conversa::ui::ConnectionBanner</name>
    <message>
        <source>Reconnect now</source>
        <translation>Reconectar agora</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Dispensar</translation>
    </message>
    <message>
        <source>Connection problem</source>
        <translation>Problema de conexão</translation>
    </message>
    <message numerus="yes">
        <source>You are offline; %n message(s) will be sent when you are back. Reconnecting in %1 s.</source>
        <translation>
            <numerusform>Você está desconectado; %n mensagem será enviada quando voltar. Reconectando em %1 s.</numerusform>
            <numerusform>Você está desconectado; %n mensagens serão enviadas quando voltar. Reconectando em %1 s.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>You are offline. Reconnecting in %n s.</source>
        <translation>
            <numerusform>Você está desconectado. Reconectando em %n s.</numerusform>
            <numerusform>Você está desconectado. Reconectando em %n s.</numerusform>
        </translation>
    </message>
    <message>
        <source>The server no longer accepts your sign-in. Sign in again to keep chatting.</source>
        <translation>O servidor não aceita mais o seu login. Entre novamente para continuar conversando.</translation>
    </message>
    <message>
        <source>No keychain took your sign-in: you stay signed in until you quit.</source>
        <translation>Nenhum chaveiro salvou seu login: você fica conectado até sair.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::ConnectionDetailsDialog</name>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1. %2
   issued by %3
   valid %4 to %5
   SHA-256 %6</source>
        <translation>%1. %2
   emitido por %3
   válido de %4 a %5
   SHA-256 %6</translation>
    </message>
    <message>
        <source>Connection details</source>
        <translation>Detalhes da conexão</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sessão</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Servidor</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Reconnects</source>
        <translation>Reconexões</translation>
    </message>
    <message>
        <source>Proxy</source>
        <translation>Proxy</translation>
    </message>
    <message>
        <source>Connected to</source>
        <translation>Conectado a</translation>
    </message>
    <message>
        <source>DNS lookup</source>
        <translation>Consulta DNS</translation>
    </message>
    <message>
        <source>TCP connect</source>
        <translation>Conexão TCP</translation>
    </message>
    <message>
        <source>TLS handshake</source>
        <translation>Negociação TLS</translation>
    </message>
    <message>
        <source>WebSocket upgrade</source>
        <translation>Passagem a WebSocket</translation>
    </message>
    <message>
        <source>Ping round trip</source>
        <translation>Ida e volta do ping</translation>
    </message>
    <message>
        <source>Certificate chain</source>
        <translation>Cadeia de certificados</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Copiar</translation>
    </message>
    <message>
        <source>Copy the details</source>
        <translation>Copiar os detalhes</translation>
    </message>
    <message>
        <source>%1 as %2</source>
        <translation>%1 como %2</translation>
    </message>
    <message>
        <source>No certificates: the connection is not encrypted.</source>
        <translation>Sem certificados: a conexão não é criptografada.</translation>
    </message>
    <message>
        <source>Current connection</source>
        <translation>Conexão atual</translation>
    </message>
    <message>
        <source>Encryption</source>
        <translation>Criptografia</translation>
    </message>
    <message>
        <source>TLS 1.2</source>
        <translation>TLS 1.2</translation>
    </message>
    <message>
        <source>TLS 1.3</source>
        <translation>TLS 1.3</translation>
    </message>
    <message>
        <source>TLS (version unknown)</source>
        <translation>TLS (versão desconhecida)</translation>
    </message>
    <message>
        <source>HTTP proxy at %1:%2</source>
        <translation>proxy HTTP em %1:%2</translation>
    </message>
    <message>
        <source>SOCKS5 proxy at %1:%2</source>
        <translation>proxy SOCKS5 em %1:%2</translation>
    </message>
    <message>
        <source>none (direct connection)</source>
        <translation>nenhum (conexão direta)</translation>
    </message>
    <message>
        <source>%1, from the system settings</source>
        <translation>%1, das configurações do sistema</translation>
    </message>
    <message>
        <source>none (not signed in)</source>
        <translation>nenhum (você não entrou)</translation>
    </message>
    <message numerus="yes">
        <source>%n time(s) since signing in</source>
        <translation>
            <numerusform>%n vez desde que você entrou</numerusform>
            <numerusform>%n vezes desde que você entrou</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 ms, at %2</source>
        <translation>%1 ms, às %2</translation>
    </message>
    <message>
        <source>no answer to a ping yet</source>
        <translation>ainda sem resposta a um ping</translation>
    </message>
    <message>
        <source>not connected</source>
        <translation>sem conexão</translation>
    </message>
    <message>
        <source>Not connected.</source>
        <translation>Sem conexão.</translation>
    </message>
    <message>
        <source>%1, port %2 (since %3)</source>
        <translation>%1, porta %2 (desde as %3)</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>none: the address starts with ws:// (no encryption)</source>
        <translation>nenhuma: o endereço começa com ws:// (sem criptografia)</translation>
    </message>
    <message>
        <source>done by the proxy</source>
        <translation>feita pelo proxy</translation>
    </message>
    <message>
        <source>none needed (an IP address)</source>
        <translation>desnecessária (é um endereço IP)</translation>
    </message>
    <message>
        <source>%1 ms, with the proxy&apos;s part</source>
        <translation>%1 ms, incluindo a parte do proxy</translation>
    </message>
    <message>
        <source>not used</source>
        <translation>não usada</translation>
    </message>
    <message>
        <source>included in the WebSocket upgrade</source>
        <translation>incluída na passagem a WebSocket</translation>
    </message>
    <message>
        <source>%1 ms, TCP and TLS included</source>
        <translation>%1 ms, incluindo TCP e TLS</translation>
    </message>
    <message>
        <source>Server instance</source>
        <translation>Instância do servidor</translation>
    </message>
    <message>
        <source>not known until signed in</source>
        <translation>desconhecida até você entrar</translation>
    </message>
</context>
<context>
    <name>conversa::ui::ConnectionStatusWidget</name>
    <message>
        <source>Reconnect now</source>
        <translation>Reconectar agora</translation>
    </message>
    <message>
        <source>Connection details…</source>
        <translation>Detalhes da conexão…</translation>
    </message>
    <message>
        <source>Connection state</source>
        <translation>Estado da conexão</translation>
    </message>
    <message>
        <source>Connection indicator</source>
        <translation>Indicador de conexão</translation>
    </message>
    <message>
        <source>Connection details</source>
        <translation>Detalhes da conexão</translation>
    </message>
    <message>
        <source>Signed out</source>
        <translation>Desconectado</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Conectando…</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Entrando…</translation>
    </message>
    <message>
        <source>Catching up…</source>
        <translation>Atualizando…</translation>
    </message>
    <message numerus="yes">
        <source>Online · sending %n message(s)…</source>
        <translation>
            <numerusform>Conectado · enviando %n mensagem…</numerusform>
            <numerusform>Conectado · enviando %n mensagens…</numerusform>
        </translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Conectado</translation>
    </message>
    <message numerus="yes">
        <source>Reconnecting in %n s</source>
        <translation>
            <numerusform>Reconectando em %n s</numerusform>
            <numerusform>Reconectando em %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>Offline — messages will be sent when you are back</source>
        <translation>Desconectado — as mensagens serão enviadas quando você voltar</translation>
    </message>
    <message>
        <source>Sign-in needed</source>
        <translation>É preciso entrar</translation>
    </message>
    <message>
        <source>Online · sending %1 of %2…</source>
        <translation>Conectado · enviando %1 de %2…</translation>
    </message>
    <message numerus="yes">
        <source>Offline · reconnecting in %n s</source>
        <translation>
            <numerusform>Desconectado · reconectando em %n s</numerusform>
            <numerusform>Desconectado · reconectando em %n s</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>conversa::ui::EmojiPicker</name>
    <message>
        <source>Emoji</source>
        <translation>Emoji</translation>
    </message>
    <message>
        <source>Smileys</source>
        <translation>Carinhas</translation>
    </message>
    <message>
        <source>Gestures</source>
        <translation>Gestos</translation>
    </message>
    <message>
        <source>Symbols</source>
        <translation>Símbolos</translation>
    </message>
</context>
<context>
    <name>conversa::ui::FileActions</name>
    <message>
        <source>Save File</source>
        <translation>Salvar arquivo</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Arquivo</translation>
    </message>
    <message>
        <source>Files cannot be downloaded while signed out.</source>
        <translation>Não é possível baixar arquivos sem login.</translation>
    </message>
    <message>
        <source>“%1” could not be downloaded: %2</source>
        <translation>Não foi possível baixar “%1”: %2</translation>
    </message>
    <message>
        <source>Conversa does not open programs or scripts such as “%1”. Use Save as… and check it before you run it.</source>
        <translation>O Conversa não abre programas nem scripts como “%1”. Use Salvar como… e verifique-o antes de executá-lo.</translation>
    </message>
    <message>
        <source>“%1” cannot be opened: %2</source>
        <translation>Não é possível abrir “%1”: %2</translation>
    </message>
    <message>
        <source>No application opens “%1”. Use Save as… to keep it.</source>
        <translation>Nenhum aplicativo abre “%1”. Use Salvar como… para guardá-lo.</translation>
    </message>
    <message>
        <source>Cannot write “%1”.</source>
        <translation>Não é possível gravar “%1”.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::ImageViewer</name>
    <message>
        <source>Fit</source>
        <translation>Ajustar</translation>
    </message>
    <message>
        <source>Fit the image to the window (F)</source>
        <translation>Ajustar a imagem à janela (F)</translation>
    </message>
    <message>
        <source>100 %</source>
        <translation>100 %</translation>
    </message>
    <message>
        <source>Show the image at its real size (Ctrl+0)</source>
        <translation>Exibir a imagem no tamanho real (Ctrl+0)</translation>
    </message>
    <message>
        <source>+</source>
        <translation>+</translation>
    </message>
    <message>
        <source>Zoom in (Ctrl+=)</source>
        <translation>Aumentar o zoom (Ctrl+=)</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Aumentar o zoom</translation>
    </message>
    <message>
        <source>−</source>
        <translation>−</translation>
    </message>
    <message>
        <source>Zoom out (Ctrl+-)</source>
        <translation>Diminuir o zoom (Ctrl+-)</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Diminuir o zoom</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>Salvar como…</translation>
    </message>
    <message>
        <source>Save the image (Ctrl+S)</source>
        <translation>Salvar a imagem (Ctrl+S)</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Imagem</translation>
    </message>
    <message>
        <source>%1 — Image</source>
        <translation>%1 — Imagem</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Carregando…</translation>
    </message>
    <message>
        <source>%1 · %2 × %3</source>
        <translation>%1 · %2 × %3</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
</context>
<context>
    <name>conversa::ui::MainWindow</name>
    <message>
        <source>&amp;Conversa</source>
        <translation>&amp;Conversa</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Configurações…</translation>
    </message>
    <message>
        <source>Ctrl+,</source>
        <translation>Ctrl+,</translation>
    </message>
    <message>
        <source>Connection &amp;details…</source>
        <translation>&amp;Detalhes da conexão…</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>&amp;Sair da conta</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Fechar</translation>
    </message>
    <message>
        <source>&amp;Room</source>
        <translation>&amp;Sala</translation>
    </message>
    <message>
        <source>&amp;Go to room…</source>
        <translation>&amp;Ir para a sala…</translation>
    </message>
    <message>
        <source>Ctrl+K</source>
        <translation>Ctrl+K</translation>
    </message>
    <message>
        <source>&amp;Previous room</source>
        <translation>Sala &amp;anterior</translation>
    </message>
    <message>
        <source>Alt+Up</source>
        <translation>Alt+Up</translation>
    </message>
    <message>
        <source>&amp;Next room</source>
        <translation>Sala &amp;seguinte</translation>
    </message>
    <message>
        <source>Alt+Down</source>
        <translation>Alt+Down</translation>
    </message>
    <message>
        <source>&amp;Create room…</source>
        <translation>&amp;Criar sala…</translation>
    </message>
    <message>
        <source>Ctrl+J</source>
        <translation>Ctrl+J</translation>
    </message>
    <message>
        <source>&amp;Leave room</source>
        <translation>Sai&amp;r da sala</translation>
    </message>
    <message>
        <source>&amp;Filter rooms</source>
        <translation>&amp;Filtrar salas</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>A&amp;juda</translation>
    </message>
    <message>
        <source>&amp;About Conversa</source>
        <translation>&amp;Sobre o Conversa</translation>
    </message>
    <message>
        <source>About Conversa</source>
        <translation>Sobre o Conversa</translation>
    </message>
    <message>
        <source>Conversa %1
Chat in rooms with your organisation, live.</source>
        <translation>Conversa %1
Converse em salas com a sua organização, em tempo real.</translation>
    </message>
    <message>
        <source>Conversa — %1</source>
        <translation>Conversa — %1</translation>
    </message>
    <message>
        <source>Conversa</source>
        <translation>Conversa</translation>
    </message>
    <message>
        <source>No keychain took your sign-in: you stay signed in until you quit.</source>
        <translation>Nenhum chaveiro salvou seu login: você fica conectado até sair.</translation>
    </message>
    <message>
        <source>&amp;Search messages…</source>
        <translation>&amp;Pesquisar mensagens…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+F</source>
        <translation>Ctrl+Shift+F</translation>
    </message>
    <message>
        <source>&amp;Find rooms…</source>
        <translation>&amp;Procurar salas…</translation>
    </message>
    <message>
        <source>New &amp;message…</source>
        <translation>Nova &amp;mensagem…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+N</source>
        <translation>Ctrl+Shift+N</translation>
    </message>
</context>
<context>
    <name>conversa::ui::MembersPanel</name>
    <message>
        <source>%1 (you)</source>
        <translation>%1 (você)</translation>
    </message>
    <message>
        <source>typing…</source>
        <translation>digitando…</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Membros</translation>
    </message>
    <message>
        <source>Room members</source>
        <translation>Membros da sala</translation>
    </message>
    <message numerus="yes">
        <source>Members · %1 of %n online</source>
        <translation>
            <numerusform>Membros · %1 de %n conectado</numerusform>
            <numerusform>Membros · %1 de %n conectados</numerusform>
        </translation>
    </message>
    <message>
        <source>Members · offline</source>
        <translation>Membros · desconectado</translation>
    </message>
    <message>
        <source>Send %1 a direct message</source>
        <translation>Enviar uma mensagem direta para %1</translation>
    </message>
</context>
<context>
    <name>conversa::ui::MessageActionBar</name>
    <message>
        <source>Message actions</source>
        <translation>Ações da mensagem</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>Responder</translation>
    </message>
    <message>
        <source>React</source>
        <translation>Reagir</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Editar</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Excluir</translation>
    </message>
    <message>
        <source>Copy link</source>
        <translation>Copiar link</translation>
    </message>
</context>
<context>
    <name>conversa::ui::MessageActions</name>
    <message>
        <source>Delete message</source>
        <translation>Excluir mensagem</translation>
    </message>
    <message>
        <source>Delete this message for everyone? This cannot be undone.</source>
        <translation>Excluir esta mensagem para todos? Isso não pode ser desfeito.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Excluir</translation>
    </message>
    <message>
        <source>The deletion could not be saved on this computer.</source>
        <translation>Não foi possível salvar a exclusão neste computador.</translation>
    </message>
    <message>
        <source>Reactions need the connection to the server.</source>
        <translation>As reações precisam da conexão com o servidor.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::MessageDecorations</name>
    <message>
        <source>%1: message deleted</source>
        <translation>%1: mensagem apagada</translation>
    </message>
    <message>
        <source>Reply to an earlier message</source>
        <translation>Resposta a uma mensagem anterior</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1 reacted with %2</source>
        <translation>%1 reagiu com %2</translation>
    </message>
    <message>
        <source>(edited)</source>
        <translation>(editada)</translation>
    </message>
    <message>
        <source>message deleted</source>
        <translation>mensagem excluída</translation>
    </message>
</context>
<context>
    <name>conversa::ui::MessageDelegate</name>
    <message>
        <source>Today</source>
        <translation>Hoje</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Ontem</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Enviando…</translation>
    </message>
    <message>
        <source>Not sent.</source>
        <translation>Não enviada.</translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation>Não enviada: %1</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Tentar novamente</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Descartar</translation>
    </message>
    <message>
        <source>Edited at %1</source>
        <translation>Editada às %1</translation>
    </message>
    <message>
        <source>Show the original message</source>
        <translation>Mostrar a mensagem original</translation>
    </message>
    <message>
        <source>Uploading… %1%</source>
        <translation>Enviando arquivos… %1%</translation>
    </message>
</context>
<context>
    <name>conversa::ui::MessageFiles</name>
    <message>
        <source>file</source>
        <translation>arquivo</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>Salvar como…</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>The image cannot be shown.</source>
        <translation>Não é possível exibir a imagem.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::MessageView</name>
    <message>
        <source>Messages</source>
        <translation>Mensagens</translation>
    </message>
    <message>
        <source>Jump to new messages</source>
        <translation>Ir para as mensagens novas</translation>
    </message>
    <message numerus="yes">
        <source>%n new message(s) ↓</source>
        <translation>
            <numerusform>%n mensagem nova ↓</numerusform>
            <numerusform>%n mensagens novas ↓</numerusform>
        </translation>
    </message>
    <message>
        <source>Message actions</source>
        <translation>Ações da mensagem</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Copiar</translation>
    </message>
    <message>
        <source>Copy &amp;link address</source>
        <translation>Copiar o endereço da &amp;conexão</translation>
    </message>
    <message>
        <source>&amp;Open link</source>
        <translation>&amp;Abrir conexão</translation>
    </message>
    <message>
        <source>&amp;Retry sending</source>
        <translation>&amp;Tentar enviar novamente</translation>
    </message>
    <message>
        <source>&amp;Discard message</source>
        <translation>&amp;Descartar mensagem</translation>
    </message>
    <message>
        <source>No messages here yet. Say hello!</source>
        <translation>Ainda não há mensagens aqui. Diga oi!</translation>
    </message>
    <message>
        <source>Older messages</source>
        <translation>Mensagens anteriores</translation>
    </message>
    <message>
        <source>Re&amp;ply</source>
        <translation>Res&amp;ponder</translation>
    </message>
    <message>
        <source>Re&amp;act…</source>
        <translation>Re&amp;agir…</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Editar</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>E&amp;xcluir…</translation>
    </message>
    <message>
        <source>Copy link to &amp;message</source>
        <translation>Copiar link da &amp;mensagem</translation>
    </message>
    <message>
        <source>Show the &amp;original</source>
        <translation>Mostrar a mensagem &amp;original</translation>
    </message>
    <message>
        <source>Cancel &amp;upload</source>
        <translation>Cancelar &amp;envio</translation>
    </message>
    <message>
        <source>View “%1”</source>
        <translation>Ver “%1”</translation>
    </message>
    <message>
        <source>Open “%1”</source>
        <translation>Abrir “%1”</translation>
    </message>
    <message>
        <source>Save “%1” as…</source>
        <translation>Salvar “%1” como…</translation>
    </message>
</context>
<context>
    <name>conversa::ui::NewMessageDialog</name>
    <message>
        <source>New message</source>
        <translation>Nova mensagem</translation>
    </message>
    <message>
        <source>Write to someone directly. Pick a person you share a room with, or type their exact user name.</source>
        <translation>Escreva diretamente para alguém. Escolha uma pessoa com quem você compartilha uma sala, ou digite o nome de usuário exato.</translation>
    </message>
    <message>
        <source>Search people</source>
        <translation>Procurar pessoas</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Nome de usuário</translation>
    </message>
    <message>
        <source>People</source>
        <translation>Pessoas</translation>
    </message>
    <message>
        <source>Why no conversation was opened</source>
        <translation>Por que nenhuma conversa foi aberta</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mensagem</translation>
    </message>
</context>
<context>
    <name>conversa::ui::QuickReactionBar</name>
    <message>
        <source>React</source>
        <translation>Reagir</translation>
    </message>
    <message>
        <source>React with %1</source>
        <translation>Reagir com %1</translation>
    </message>
    <message>
        <source>More emoji…</source>
        <translation>Mais emojis…</translation>
    </message>
</context>
<context>
    <name>conversa::ui::QuickSwitcher</name>
    <message>
        <source>Go to room</source>
        <translation>Ir para a sala</translation>
    </message>
    <message>
        <source>Type a room name</source>
        <translation>Escreva o nome de uma sala</translation>
    </message>
    <message>
        <source>Room name</source>
        <translation>Nome da sala</translation>
    </message>
    <message>
        <source>Matching rooms</source>
        <translation>Salas correspondentes</translation>
    </message>
    <message>
        <source>↑↓ to choose · Enter to open · Esc to close</source>
        <translation>↑↓ para escolher · Enter para abrir · Esc para fechar</translation>
    </message>
</context>
<context>
    <name>conversa::ui::RoomDirectoryDialog</name>
    <message>
        <source>Find rooms</source>
        <translation>Procurar salas</translation>
    </message>
    <message>
        <source>Search rooms</source>
        <translation>Procurar salas</translation>
    </message>
    <message>
        <source>Search by name or title, or type a room&apos;s name</source>
        <translation>Procure por nome ou título, ou digite o nome de uma sala</translation>
    </message>
    <message>
        <source>Public rooms</source>
        <translation>Salas públicas</translation>
    </message>
    <message>
        <source>About the list of rooms</source>
        <translation>Sobre a lista de salas</translation>
    </message>
    <message>
        <source>Show more</source>
        <translation>Mostrar mais</translation>
    </message>
    <message>
        <source>Join</source>
        <translation>Entrar</translation>
    </message>
    <message>
        <source>Looking for rooms…</source>
        <translation>Procurando salas…</translation>
    </message>
    <message numerus="yes">
        <source>%1 — #%2 · %n member(s)</source>
        <translation>
            <numerusform>%1 — #%2 · %n membro</numerusform>
            <numerusform>%1 — #%2 · %n membros</numerusform>
        </translation>
    </message>
    <message>
        <source>joined</source>
        <translation>já é membro</translation>
    </message>
    <message>
        <source>This server has no public rooms yet.</source>
        <translation>Este servidor ainda não tem salas públicas.</translation>
    </message>
    <message>
        <source>No public room matches “%1”.</source>
        <translation>Nenhuma sala pública corresponde a “%1”.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::RoomFilterModel</name>
    <message numerus="yes">
        <source>%n unread</source>
        <translation>
            <numerusform>%n não lida</numerusform>
            <numerusform>%n não lidas</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n mention(s) of you</source>
        <translation>
            <numerusform>%n menção a você</numerusform>
            <numerusform>%n menções a você</numerusform>
        </translation>
    </message>
    <message>
        <source>Direct message with %1, online</source>
        <translation>Mensagem direta com %1, online</translation>
    </message>
    <message>
        <source>Direct message with %1</source>
        <translation>Mensagem direta com %1</translation>
    </message>
</context>
<context>
    <name>conversa::ui::RoomListDelegate</name>
    <message>
        <source>99+</source>
        <translation>99+</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>No messages yet</source>
        <translation>Ainda sem mensagens</translation>
    </message>
    <message>
        <source>Direct messages</source>
        <translation>Mensagens diretas</translation>
    </message>
</context>
<context>
    <name>conversa::ui::SearchPanel</name>
    <message>
        <source>Every word must appear; case and accents do not matter.</source>
        <translation>Todas as palavras precisam aparecer; maiúsculas e acentos não importam.</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Pesquisando…</translation>
    </message>
    <message>
        <source>No messages found.</source>
        <translation>Nenhuma mensagem encontrada.</translation>
    </message>
    <message numerus="yes">
        <source>%n message(s) found, newest first.</source>
        <translation>
            <numerusform>%n mensagem encontrada, a mais recente primeiro.</numerusform>
            <numerusform>%n mensagens encontradas, as mais recentes primeiro.</numerusform>
        </translation>
    </message>
    <message>
        <source>Search messages</source>
        <translation>Pesquisar mensagens</translation>
    </message>
    <message>
        <source>Close search (Esc)</source>
        <translation>Fechar a pesquisa (Esc)</translation>
    </message>
    <message>
        <source>Close search</source>
        <translation>Fechar a pesquisa</translation>
    </message>
    <message>
        <source>Search your rooms</source>
        <translation>Pesquisar nas suas salas</translation>
    </message>
    <message>
        <source>Search query</source>
        <translation>Texto da pesquisa</translation>
    </message>
    <message>
        <source>Only in this room</source>
        <translation>Somente nesta sala</translation>
    </message>
    <message>
        <source>Only in %1</source>
        <translation>Somente em %1</translation>
    </message>
    <message>
        <source>Search results</source>
        <translation>Resultados da pesquisa</translation>
    </message>
    <message>
        <source>Older results</source>
        <translation>Resultados mais antigos</translation>
    </message>
</context>
<context>
    <name>conversa::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Configurações</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Rede</translation>
    </message>
    <message>
        <source>Proxy</source>
        <translation>Proxy</translation>
    </message>
    <message>
        <source>Use the system&apos;s proxy settings</source>
        <translation>Usar as configurações de proxy do sistema</translation>
    </message>
    <message>
        <source>No proxy</source>
        <translation>Sem proxy</translation>
    </message>
    <message>
        <source>HTTP proxy</source>
        <translation>Proxy HTTP</translation>
    </message>
    <message>
        <source>SOCKS5 proxy</source>
        <translation>Proxy SOCKS5</translation>
    </message>
    <message>
        <source>Proxy address</source>
        <translation>Endereço do proxy</translation>
    </message>
    <message>
        <source>proxy.example.com:3128</source>
        <translation>proxy.exemplo.com.br:3128</translation>
    </message>
    <message>
        <source>Extra CA certificate file</source>
        <translation>Arquivo de certificado de CA adicional</translation>
    </message>
    <message>
        <source>Only for servers with their own certificate authority</source>
        <translation>Só para servidores com a sua própria autoridade de certificação</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Procurar…</translation>
    </message>
    <message>
        <source>Choose a CA certificate file</source>
        <translation>Escolher um arquivo de certificado de CA</translation>
    </message>
    <message>
        <source>Extra CA certificate</source>
        <translation>Certificado de CA adicional</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt);;All files (*)</source>
        <translation>Certificados PEM (*.pem *.crt);;Todos os arquivos (*)</translation>
    </message>
    <message>
        <source>&amp;Proxy</source>
        <translation>&amp;Proxy</translation>
    </message>
    <message>
        <source>Proxy &amp;address</source>
        <translation>&amp;Endereço do proxy</translation>
    </message>
    <message>
        <source>Extra &amp;CA file</source>
        <translation>Arquivo de &amp;CA adicional</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Notificações</translation>
    </message>
    <message>
        <source>Notify me when someone mentions me</source>
        <translation>Notificar-me quando alguém me mencionar</translation>
    </message>
    <message>
        <source>Notify on mentions</source>
        <translation>Notificar menções</translation>
    </message>
    <message>
        <source>Notify me about every new message</source>
        <translation>Notificar-me de todas as mensagens novas</translation>
    </message>
    <message>
        <source>Notify on every message</source>
        <translation>Notificar todas as mensagens</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Aparência</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <source>The system&apos;s language</source>
        <translation>O idioma do sistema</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Tema</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Seguir o sistema</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Claro</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Escuro</translation>
    </message>
    <message>
        <source>Start Conversa when I log in to this computer</source>
        <translation>Iniciar o Conversa quando eu entrar neste computador</translation>
    </message>
    <message>
        <source>Start on login</source>
        <translation>Iniciar com o sistema</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Idioma</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>&amp;Tema</translation>
    </message>
    <message>
        <source>Set by your administrator</source>
        <translation>Definido pelo seu administrador</translation>
    </message>
    <message>
        <source>Policy read from %1</source>
        <translation>Política lida de %1</translation>
    </message>
</context>
<context>
    <name>conversa::ui::SignInPage</name>
    <message>
        <source>&amp;Keep me signed in</source>
        <translation>&amp;Manter conectado</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>&amp;Entrar</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Entrar</translation>
    </message>
    <message>
        <source>Conversa logo</source>
        <translation>Logotipo do Conversa</translation>
    </message>
    <message>
        <source>Sign in to Conversa</source>
        <translation>Entrar no Conversa</translation>
    </message>
    <message>
        <source>Use the account your organisation gave you.</source>
        <translation>Use a conta que a sua organização forneceu.</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Endereço do servidor</translation>
    </message>
    <message>
        <source>chat.example.com or ws://127.0.0.1:8080</source>
        <translation>chat.exemplo.com.br ou ws://127.0.0.1:8080</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Nome de usuário</translation>
    </message>
    <message>
        <source>e.g. alice</source>
        <translation>ex.: alice</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Senha</translation>
    </message>
    <message>
        <source>Keep me signed in</source>
        <translation>Manter conectado</translation>
    </message>
    <message>
        <source>Set by your administrator</source>
        <translation>Definido pelo seu administrador</translation>
    </message>
    <message>
        <source>Sign-in problem</source>
        <translation>Problema ao entrar</translation>
    </message>
    <message>
        <source>Signing in</source>
        <translation>Entrando</translation>
    </message>
    <message>
        <source>Se&amp;rver</source>
        <translation>Se&amp;rvidor</translation>
    </message>
    <message>
        <source>&amp;User name</source>
        <translation>Nome de &amp;usuário</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>&amp;Senha</translation>
    </message>
    <message>
        <source>Policy read from %1</source>
        <translation>Política lida de %1</translation>
    </message>
    <message>
        <source>Enter the address of your Conversa server.</source>
        <translation>Digite o endereço do seu servidor Conversa.</translation>
    </message>
    <message>
        <source>“%1” is not a server address. Try chat.example.com or ws://127.0.0.1:8080.</source>
        <translation>“%1” não é um endereço de servidor. Experimente chat.exemplo.com.br ou ws://127.0.0.1:8080.</translation>
    </message>
    <message>
        <source>Enter your user name.</source>
        <translation>Digite seu nome de usuário.</translation>
    </message>
    <message>
        <source>User names use lower-case letters, digits, “-” and “_”.</source>
        <translation>Os nomes de usuário usam letras minúsculas, algarismos, “-” e “_”.</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>Digite sua senha.</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Conectando a %1…</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Entrando…</translation>
    </message>
    <message>
        <source>Wrong user name or password.</source>
        <translation>Nome de usuário ou senha errados.</translation>
    </message>
    <message>
        <source>Too many attempts.</source>
        <translation>Muitas tentativas.</translation>
    </message>
    <message>
        <source>The server could not be found.</source>
        <translation>Não foi possível encontrar o servidor.</translation>
    </message>
    <message>
        <source>The server cannot be reached.</source>
        <translation>Não é possível contatar o servidor.</translation>
    </message>
    <message>
        <source>The server&apos;s certificate is not trusted.</source>
        <translation>O certificado do servidor não é de confiança.</translation>
    </message>
    <message>
        <source>A secure connection could not be set up.</source>
        <translation>Não foi possível estabelecer uma conexão segura.</translation>
    </message>
    <message>
        <source>The proxy refused the connection.</source>
        <translation>O proxy recusou a conexão.</translation>
    </message>
    <message>
        <source>This address does not answer like a Conversa server.</source>
        <translation>Este endereço não responde como um servidor Conversa.</translation>
    </message>
    <message>
        <source>Please sign in again.</source>
        <translation>Entre novamente.</translation>
    </message>
    <message>
        <source>Signing in did not work.</source>
        <translation>Não foi possível entrar.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::SocialActions</name>
    <message>
        <source>Invite someone…</source>
        <translation>Convidar alguém…</translation>
    </message>
    <message>
        <source>Rename room…</source>
        <translation>Renomear sala…</translation>
    </message>
    <message>
        <source>Remove a member…</source>
        <translation>Remover um membro…</translation>
    </message>
    <message>
        <source>New message</source>
        <translation>Nova mensagem</translation>
    </message>
    <message>
        <source>Create a room</source>
        <translation>Criar uma sala</translation>
    </message>
    <message>
        <source>Room name</source>
        <translation>Nome da sala</translation>
    </message>
    <message>
        <source>e.g. design-team</source>
        <translation>ex.: equipe-design</translation>
    </message>
    <message>
        <source>Room title</source>
        <translation>Título da sala</translation>
    </message>
    <message>
        <source>e.g. Design team</source>
        <translation>ex.: Equipe de design</translation>
    </message>
    <message>
        <source>Private: only people you invite can see and join it</source>
        <translation>Privada: só as pessoas que você convidar podem vê-la e entrar nela</translation>
    </message>
    <message>
        <source>Private room</source>
        <translation>Sala privada</translation>
    </message>
    <message>
        <source>Names use lower-case letters, digits, “-” and “_”.</source>
        <translation>Os nomes usam letras minúsculas, dígitos, “-” e “_”.</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Criar</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Nome</translation>
    </message>
    <message>
        <source>&amp;Title</source>
        <translation>&amp;Título</translation>
    </message>
    <message>
        <source>Invite someone</source>
        <translation>Convidar alguém</translation>
    </message>
    <message>
        <source>User name of the person to add to #%1:</source>
        <translation>Nome de usuário da pessoa a adicionar a #%1:</translation>
    </message>
    <message>
        <source>Rename room</source>
        <translation>Renomear sala</translation>
    </message>
    <message>
        <source>New title of #%1:</source>
        <translation>Novo título de #%1:</translation>
    </message>
    <message>
        <source>Remove a member</source>
        <translation>Remover um membro</translation>
    </message>
    <message>
        <source>Nobody else is in this room.</source>
        <translation>Não há mais ninguém nesta sala.</translation>
    </message>
    <message>
        <source>Whom to take out of #%1:</source>
        <translation>Quem remover de #%1:</translation>
    </message>
    <message>
        <source>Remove %1 from #%2? They will no longer see its messages.</source>
        <translation>Remover %1 de #%2? A pessoa deixará de ver as mensagens da sala.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::TrayIcon</name>
    <message>
        <source>Conversa tray menu</source>
        <translation>Menu do Conversa na área de notificação</translation>
    </message>
    <message>
        <source>&amp;Open Conversa</source>
        <translation>&amp;Abrir o Conversa</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Fechar</translation>
    </message>
    <message numerus="yes">
        <source>Conversa — %n unread message(s)</source>
        <translation>
            <numerusform>Conversa — %n mensagem não lida</numerusform>
            <numerusform>Conversa — %n mensagens não lidas</numerusform>
        </translation>
    </message>
    <message>
        <source>Conversa</source>
        <translation>Conversa</translation>
    </message>
    <message>
        <source>%1 in #%2</source>
        <translation>%1 em #%2</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Conversa: chat in rooms with your organisation.</source>
        <translation>Conversa: converse em salas com a sua organização.</translation>
    </message>
    <message>
        <source>Pre-fill the server address.</source>
        <translation>Preencher o endereço do servidor.</translation>
    </message>
    <message>
        <source>Pre-fill the user name.</source>
        <translation>Preencher o nome de usuário.</translation>
    </message>
    <message>
        <source>Keep settings, cache and outbox in this folder instead of the usual places.</source>
        <translation>Guardar configurações, cache e caixa de saída nesta pasta em vez dos locais habituais.</translation>
    </message>
    <message>
        <source>Use this language (en, pt_PT, pt_BR) for this run.</source>
        <translation>Usar este idioma (en, pt_PT, pt_BR) nesta execução.</translation>
    </message>
    <message>
        <source>system, light or dark, for this run.</source>
        <translation>system, light ou dark, nesta execução.</translation>
    </message>
    <message>
        <source>Do not read or store sign-ins in the system keychain.</source>
        <translation>Não ler nem guardar sessões no chaveiro do sistema.</translation>
    </message>
    <message>
        <source>Start in the tray, without a window.</source>
        <translation>Iniciar na área de notificação, sem janela.</translation>
    </message>
    <message>
        <source>Run even if Conversa is already running.</source>
        <translation>Executar mesmo que o Conversa já esteja em execução.</translation>
    </message>
</context>
</TS>

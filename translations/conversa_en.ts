<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>Autostart</name>
    <message>
        <source>Starting on login is set in the system&apos;s own settings on this platform.</source>
        <translation>Starting on login is set in the system&apos;s own settings on this platform.</translation>
    </message>
</context>
<context>
    <name>ConnectionState</name>
    <message>
        <source>Signed out</source>
        <translation>Signed out</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Signing in…</translation>
    </message>
    <message>
        <source>Catching up…</source>
        <translation>Catching up…</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message numerus="yes">
        <source>Reconnecting in %n s</source>
        <translation>
            <numerusform>Reconnecting in %n s</numerusform>
            <numerusform>Reconnecting in %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>Sign-in needed</source>
        <translation>Sign-in needed</translation>
    </message>
</context>
<context>
    <name>DesktopApplication</name>
    <message>
        <source>Conversa on %1</source>
        <translation>Conversa on %1</translation>
    </message>
    <message>
        <source>Please sign in again.</source>
        <translation>Please sign in again.</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Could not change starting on login: %1</source>
        <translation>Could not change starting on login: %1</translation>
    </message>
    <message>
        <source>Conversa cannot open its files: %1</source>
        <translation>Conversa cannot open its files: %1</translation>
    </message>
</context>
<context>
    <name>TypingUsers</name>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 is typing…</translation>
    </message>
    <message>
        <source>%1 and %2 are typing…</source>
        <translation>%1 and %2 are typing…</translation>
    </message>
    <message>
        <source>Several people are typing…</source>
        <translation>Several people are typing…</translation>
    </message>
</context>
<context>
    <name>conversa::core::Account</name>
    <message>
        <source>The proxy needs an address, e.g. http://proxy:3128.</source>
        <translation>The proxy needs an address, e.g. http://proxy:3128.</translation>
    </message>
    <message>
        <source>Unknown proxy “%1”: use system, none, http://HOST:PORT or socks5://HOST:PORT.</source>
        <translation>Unknown proxy “%1”: use system, none, http://HOST:PORT or socks5://HOST:PORT.</translation>
    </message>
    <message>
        <source>Your administrator set the server to %1; it cannot be changed (policy in %2).</source>
        <translation>Your administrator set the server to %1; it cannot be changed (policy in %2).</translation>
    </message>
    <message>
        <source>“%1” is not a server address; use ws://host:port or wss://host.</source>
        <translation>“%1” is not a server address; use ws://host:port or wss://host.</translation>
    </message>
    <message>
        <source>“%1” is not a valid user name.</source>
        <translation>“%1” is not a valid user name.</translation>
    </message>
    <message>
        <source>Cannot open the message cache %1: %2</source>
        <translation>Cannot open the message cache %1: %2</translation>
    </message>
    <message>
        <source>Cannot open the outbox %1: %2</source>
        <translation>Cannot open the outbox %1: %2</translation>
    </message>
    <message>
        <source>The keychain is not used (--no-keychain).</source>
        <translation>The keychain is not used (--no-keychain).</translation>
    </message>
    <message>
        <source>Not signed in as %1 on this computer.</source>
        <translation>Not signed in as %1 on this computer.</translation>
    </message>
</context>
<context>
    <name>conversa::core::AttachmentLimits</name>
    <message>
        <source>“%1” is a folder; only files can be sent.</source>
        <translation>“%1” is a folder; only files can be sent.</translation>
    </message>
    <message>
        <source>“%1” cannot be read.</source>
        <translation>“%1” cannot be read.</translation>
    </message>
    <message numerus="yes">
        <source>A message carries at most %n file(s).</source>
        <translation>
            <numerusform>A message carries at most %n file.</numerusform>
            <numerusform>A message carries at most %n files.</numerusform>
        </translation>
    </message>
    <message>
        <source>“%1” is %2; the server takes files of up to %3.</source>
        <translation>“%1” is %2; the server takes files of up to %3.</translation>
    </message>
    <message>
        <source>“%1” is empty.</source>
        <translation>“%1” is empty.</translation>
    </message>
    <message>
        <source>“%1” does not fit: files waiting to be sent may take up to %2 together.</source>
        <translation>“%1” does not fit: files waiting to be sent may take up to %2 together.</translation>
    </message>
</context>
<context>
    <name>conversa::core::FileCache</name>
    <message>
        <source>The file is not downloaded.</source>
        <translation>The file is not downloaded.</translation>
    </message>
    <message>
        <source>This is not a file of Conversa.</source>
        <translation>This is not a file of Conversa.</translation>
    </message>
    <message>
        <source>Too many files are waiting to download; try again.</source>
        <translation>Too many files are waiting to download; try again.</translation>
    </message>
    <message>
        <source>This file is larger than the whole download cache (%1 MB).</source>
        <translation>This file is larger than the whole download cache (%1 MB).</translation>
    </message>
    <message>
        <source>Not signed in: the file cannot be downloaded.</source>
        <translation>Not signed in: the file cannot be downloaded.</translation>
    </message>
    <message>
        <source>The server sent more than the file&apos;s size.</source>
        <translation>The server sent more than the file&apos;s size.</translation>
    </message>
</context>
<context>
    <name>conversa::core::FileTransfer</name>
    <message>
        <source>The server refused (%1): %2</source>
        <translation>The server refused (%1): %2</translation>
    </message>
    <message>
        <source>This file is not available (404): it was deleted, or you are no longer in a room that has it.</source>
        <translation>This file is not available (404): it was deleted, or you are no longer in a room that has it.</translation>
    </message>
    <message>
        <source>The server did not accept this sign-in for the download (401).</source>
        <translation>The server did not accept this sign-in for the download (401).</translation>
    </message>
    <message>
        <source>The server answered %1 %2.</source>
        <translation>The server answered %1 %2.</translation>
    </message>
    <message>
        <source>Cannot read “%1”: %2</source>
        <translation>Cannot read “%1”: %2</translation>
    </message>
    <message>
        <source>“%1” is %2 bytes; the server takes files of up to %3 bytes.</source>
        <translation>“%1” is %2 bytes; the server takes files of up to %3 bytes.</translation>
    </message>
    <message>
        <source>The server&apos;s answer to the upload names no file.</source>
        <translation>The server&apos;s answer to the upload names no file.</translation>
    </message>
    <message>
        <source>Cannot write “%1”: %2</source>
        <translation>Cannot write “%1”: %2</translation>
    </message>
    <message>
        <source>Cannot write “%1”.</source>
        <translation>Cannot write “%1”.</translation>
    </message>
</context>
<context>
    <name>conversa::core::ImageDecoder</name>
    <message>
        <source>The image file is missing.</source>
        <translation>The image file is missing.</translation>
    </message>
    <message>
        <source>The image is too large to show (%1 MB; at most %2 MB).</source>
        <translation>The image is too large to show (%1 MB; at most %2 MB).</translation>
    </message>
    <message>
        <source>The image does not say its size.</source>
        <translation>The image does not say its size.</translation>
    </message>
    <message>
        <source>This is not an image Conversa can show.</source>
        <translation>This is not an image Conversa can show.</translation>
    </message>
    <message>
        <source>The image is too large to show (%1 × %2 pixels).</source>
        <translation>The image is too large to show (%1 × %2 pixels).</translation>
    </message>
    <message>
        <source>The image cannot be read: %1</source>
        <translation>The image cannot be read: %1</translation>
    </message>
</context>
<context>
    <name>conversa::core::MessageModel</name>
    <message>
        <source>Older messages could not be loaded: %1. Scroll up to try again.</source>
        <translation>Older messages could not be loaded: %1. Scroll up to try again.</translation>
    </message>
    <message>
        <source>Older messages load when the connection is back.</source>
        <translation>Older messages load when the connection is back.</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Sending…</translation>
    </message>
    <message>
        <source>Not sent</source>
        <translation>Not sent</translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation>Not sent: %1</translation>
    </message>
    <message>
        <source>You</source>
        <translation>You</translation>
    </message>
    <message>
        <source>%1 at %2: %3</source>
        <translation>%1 at %2: %3</translation>
    </message>
    <message>
        <source>%1 at %2: %3 (%4)</source>
        <translation>%1 at %2: %3 (%4)</translation>
    </message>
    <message>
        <source>message deleted</source>
        <translation>message deleted</translation>
    </message>
    <message>
        <source>%1 (edited)</source>
        <translation>%1 (edited)</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>(attached: %1)</source>
        <translation>(attached: %1)</translation>
    </message>
</context>
<context>
    <name>conversa::core::Outbox</name>
    <message>
        <source>“%1” cannot be read: %2</source>
        <translation>“%1” cannot be read: %2</translation>
    </message>
    <message>
        <source>“%1” cannot be copied: %2</source>
        <translation>“%1” cannot be copied: %2</translation>
    </message>
    <message>
        <source>it changed while it was being copied</source>
        <translation>it changed while it was being copied</translation>
    </message>
    <message>
        <source>the outbox file cannot be opened</source>
        <translation>the outbox file cannot be opened</translation>
    </message>
</context>
<context>
    <name>conversa::core::Room</name>
    <message>
        <source>There is nothing to send.</source>
        <translation>There is nothing to send.</translation>
    </message>
    <message>
        <source>This message is %1 KB; the server accepts up to %2 KB. Split it into several messages.</source>
        <translation>This message is %1 KB; the server accepts up to %2 KB. Split it into several messages.</translation>
    </message>
    <message>
        <source>The message contains a control character (U+%1) the server does not accept.</source>
        <translation>The message contains a control character (U+%1) the server does not accept.</translation>
    </message>
    <message>
        <source>The message contains characters the server does not accept.</source>
        <translation>The message contains characters the server does not accept.</translation>
    </message>
    <message>
        <source>The message could not be saved on this computer (%1).</source>
        <translation>The message could not be saved on this computer (%1).</translation>
    </message>
    <message>
        <source>no outbox is open</source>
        <translation>no outbox is open</translation>
    </message>
    <message>
        <source>This message is %1 bytes; the server accepts up to %2 bytes. Split it into several messages.</source>
        <translation>This message is %1 bytes; the server accepts up to %2 bytes. Split it into several messages.</translation>
    </message>
</context>
<context>
    <name>conversa::core::RoomActions</name>
    <message>
        <source>You are offline. Try again when the connection is back.</source>
        <translation>You are offline. Try again when the connection is back.</translation>
    </message>
    <message>
        <source>A room with that name already exists. Join it instead.</source>
        <translation>A room with that name already exists. Join it instead.</translation>
    </message>
    <message>
        <source>There is no one called “%1” on this server.</source>
        <translation>There is no one called “%1” on this server.</translation>
    </message>
    <message>
        <source>%1 is not a member of this room.</source>
        <translation>%1 is not a member of this room.</translation>
    </message>
    <message>
        <source>There is no room with that name.</source>
        <translation>There is no room with that name.</translation>
    </message>
    <message>
        <source>You are not allowed to do that.</source>
        <translation>You are not allowed to do that.</translation>
    </message>
    <message>
        <source>Not allowed: %1</source>
        <translation>Not allowed: %1</translation>
    </message>
    <message>
        <source>The server said: %1</source>
        <translation>The server said: %1</translation>
    </message>
    <message>
        <source>“%1” is not a room name. Names use lower-case letters, digits, “-” and “_”.</source>
        <translation>“%1” is not a room name. Names use lower-case letters, digits, “-” and “_”.</translation>
    </message>
    <message>
        <source>“%1” is not a user name. User names use lower-case letters, digits, “.”, “-” and “_”.</source>
        <translation>“%1” is not a user name. User names use lower-case letters, digits, “.”, “-” and “_”.</translation>
    </message>
    <message>
        <source>Type someone&apos;s user name.</source>
        <translation>Type someone&apos;s user name.</translation>
    </message>
    <message>
        <source>Type the new title.</source>
        <translation>Type the new title.</translation>
    </message>
    <message>
        <source>The server&apos;s list of rooms could not be read.</source>
        <translation>The server&apos;s list of rooms could not be read.</translation>
    </message>
</context>
<context>
    <name>conversa::core::SearchResultsModel</name>
    <message>
        <source>Type a word to search for.</source>
        <translation>Type a word to search for.</translation>
    </message>
    <message>
        <source>Search for at most %1 characters.</source>
        <translation>Search for at most %1 characters.</translation>
    </message>
    <message>
        <source>Search for at most %1 words.</source>
        <translation>Search for at most %1 words.</translation>
    </message>
    <message>
        <source>Not signed in.</source>
        <translation>Not signed in.</translation>
    </message>
    <message>
        <source>Offline: search needs the server.</source>
        <translation>Offline: search needs the server.</translation>
    </message>
    <message>
        <source>The server&apos;s answer could not be read.</source>
        <translation>The server&apos;s answer could not be read.</translation>
    </message>
</context>
<context>
    <name>conversa::core::SessionManager</name>
    <message>
        <source>the certificate is self-signed and not trusted on this computer</source>
        <translation>the certificate is self-signed and not trusted on this computer</translation>
    </message>
    <message>
        <source>it was issued by an authority this computer does not trust</source>
        <translation>it was issued by an authority this computer does not trust</translation>
    </message>
    <message>
        <source>the certificate has expired</source>
        <translation>the certificate has expired</translation>
    </message>
    <message>
        <source>the certificate is not valid yet (check the computer&apos;s clock)</source>
        <translation>the certificate is not valid yet (check the computer&apos;s clock)</translation>
    </message>
    <message>
        <source>the certificate belongs to another server name</source>
        <translation>the certificate belongs to another server name</translation>
    </message>
    <message>
        <source>the certificate has been revoked</source>
        <translation>the certificate has been revoked</translation>
    </message>
    <message>
        <source>The server did not answer within %1 s.</source>
        <translation>The server did not answer within %1 s.</translation>
    </message>
    <message>
        <source>Cannot read the CA file %1: %2</source>
        <translation>Cannot read the CA file %1: %2</translation>
    </message>
    <message>
        <source>The CA file %1 holds no certificate (PEM or DER).</source>
        <translation>The CA file %1 holds no certificate (PEM or DER).</translation>
    </message>
    <message>
        <source>No valid server address is set.</source>
        <translation>No valid server address is set.</translation>
    </message>
    <message>
        <source>The server sent binary data.</source>
        <translation>The server sent binary data.</translation>
    </message>
    <message>
        <source>The proxy asks for a user name and password; put them in the proxy address (http://user:password@host:port).</source>
        <translation>The proxy asks for a user name and password; put them in the proxy address (http://user:password@host:port).</translation>
    </message>
    <message>
        <source>The connection was lost before the server answered.</source>
        <translation>The connection was lost before the server answered.</translation>
    </message>
    <message>
        <source>Too many sign-in attempts; wait a minute and try again.</source>
        <translation>Too many sign-in attempts; wait a minute and try again.</translation>
    </message>
    <message>
        <source>The user name or password is not right.</source>
        <translation>The user name or password is not right.</translation>
    </message>
    <message>
        <source>The server no longer accepts this device&apos;s sign-in; enter your password again.</source>
        <translation>The server no longer accepts this device&apos;s sign-in; enter your password again.</translation>
    </message>
    <message>
        <source>The server refused the session: %1</source>
        <translation>The server refused the session: %1</translation>
    </message>
    <message>
        <source>The connection was closed.</source>
        <translation>The connection was closed.</translation>
    </message>
    <message>
        <source>The server is restarting or shutting down.</source>
        <translation>The server is restarting or shutting down.</translation>
    </message>
    <message>
        <source>This device was signed out (its sign-in was revoked or the account disabled); enter your password again.</source>
        <translation>This device was signed out (its sign-in was revoked or the account disabled); enter your password again.</translation>
    </message>
    <message>
        <source>The server closed the connection: sign-in took too long.</source>
        <translation>The server closed the connection: sign-in took too long.</translation>
    </message>
    <message>
        <source>The server closed an idle connection.</source>
        <translation>The server closed an idle connection.</translation>
    </message>
    <message>
        <source>The server closed the connection (code %1%2).</source>
        <translation>The server closed the connection (code %1%2).</translation>
    </message>
    <message>
        <source>The server closed the connection.</source>
        <translation>The server closed the connection.</translation>
    </message>
    <message>
        <source>The connection was lost.</source>
        <translation>The connection was lost.</translation>
    </message>
    <message>
        <source>The server at %1 answered with HTTP %2%3 instead of opening a chat connection (check the address and path).</source>
        <translation>The server at %1 answered with HTTP %2%3 instead of opening a chat connection (check the address and path).</translation>
    </message>
    <message>
        <source>The server name %1 was not found (DNS).</source>
        <translation>The server name %1 was not found (DNS).</translation>
    </message>
    <message>
        <source>The server %1 refused the connection (is it running on port %2?).</source>
        <translation>The server %1 refused the connection (is it running on port %2?).</translation>
    </message>
    <message>
        <source>The connection to %1 timed out.</source>
        <translation>The connection to %1 timed out.</translation>
    </message>
    <message>
        <source>The proxy refused or failed the connection: %1</source>
        <translation>The proxy refused or failed the connection: %1</translation>
    </message>
    <message>
        <source>The secure (TLS) connection to %1 failed: %2</source>
        <translation>The secure (TLS) connection to %1 failed: %2</translation>
    </message>
    <message>
        <source>The network is unreachable: %1</source>
        <translation>The network is unreachable: %1</translation>
    </message>
    <message>
        <source>The certificate of %1 is not trusted: %2.</source>
        <translation>The certificate of %1 is not trusted: %2.</translation>
    </message>
    <message>
        <source>Certificate for “%1”, issued by “%2”.</source>
        <translation>Certificate for “%1”, issued by “%2”.</translation>
    </message>
    <message>
        <source>If this is your organisation&apos;s own server, ask for its CA certificate and add it as an extra CA file.</source>
        <translation>If this is your organisation&apos;s own server, ask for its CA certificate and add it as an extra CA file.</translation>
    </message>
    <message>
        <source>The computer was asleep; reconnecting.</source>
        <translation>The computer was asleep; reconnecting.</translation>
    </message>
    <message>
        <source>The server stopped answering (no reply for %1 s).</source>
        <translation>The server stopped answering (no reply for %1 s).</translation>
    </message>
    <message>
        <source>Not connected.</source>
        <translation>Not connected.</translation>
    </message>
    <message>
        <source>The server&apos;s room list could not be read.</source>
        <translation>The server&apos;s room list could not be read.</translation>
    </message>
    <message>
        <source>A sync answer could not be read.</source>
        <translation>A sync answer could not be read.</translation>
    </message>
    <message>
        <source>the connection was lost</source>
        <translation>the connection was lost</translation>
    </message>
    <message>
        <source>the server&apos;s answer could not be read</source>
        <translation>the server&apos;s answer could not be read</translation>
    </message>
</context>
<context>
    <name>conversa::core::ThumbnailCache</name>
    <message>
        <source>Images cannot be downloaded here.</source>
        <translation>Images cannot be downloaded here.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::ChatPage</name>
    <message>
        <source>Rooms</source>
        <translation>Rooms</translation>
    </message>
    <message>
        <source>Create a room (Ctrl+N)</source>
        <translation>Create a room (Ctrl+N)</translation>
    </message>
    <message>
        <source>Create room</source>
        <translation>Create room</translation>
    </message>
    <message>
        <source>Filter rooms</source>
        <translation>Filter rooms</translation>
    </message>
    <message>
        <source>Leave room</source>
        <translation>Leave room</translation>
    </message>
    <message>
        <source>Choose a room on the left, or create one with Ctrl+N.</source>
        <translation>Choose a room on the left, or create one with Ctrl+N.</translation>
    </message>
    <message>
        <source>Who is typing</source>
        <translation>Who is typing</translation>
    </message>
    <message>
        <source>No room open</source>
        <translation>No room open</translation>
    </message>
    <message>
        <source>Choose a room to start writing.</source>
        <translation>Choose a room to start writing.</translation>
    </message>
    <message>
        <source>You are signed out; sign in again to write.</source>
        <translation>You are signed out; sign in again to write.</translation>
    </message>
    <message>
        <source>Messages cannot be saved on this computer right now.</source>
        <translation>Messages cannot be saved on this computer right now.</translation>
    </message>
    <message>
        <source>Message too long</source>
        <translation>Message too long</translation>
    </message>
    <message>
        <source>Leave #%1? You can join it again later.</source>
        <translation>Leave #%1? You can join it again later.</translation>
    </message>
    <message>
        <source>You are not in any room yet.
Join one with Ctrl+J (for example “general”) or create one with Ctrl+N.</source>
        <translation>You are not in any room yet.
Join one with Ctrl+J (for example “general”) or create one with Ctrl+N.</translation>
    </message>
    <message>
        <source>Why the message was not sent</source>
        <translation>Why the message was not sent</translation>
    </message>
    <message>
        <source>Not sent: %1 Your text is still in the box.</source>
        <translation>Not sent: %1 Your text is still in the box.</translation>
    </message>
    <message>
        <source>Not sent: %1 Your text is still in the box; press Enter to try again.</source>
        <translation>Not sent: %1 Your text is still in the box; press Enter to try again.</translation>
    </message>
    <message>
        <source>Room menu</source>
        <translation>Room menu</translation>
    </message>
    <message>
        <source>Leave room…</source>
        <translation>Leave room…</translation>
    </message>
    <message>
        <source>Emoji</source>
        <translation>Emoji</translation>
    </message>
    <message>
        <source>Insert an emoji</source>
        <translation>Insert an emoji</translation>
    </message>
    <message>
        <source>Insert emoji</source>
        <translation>Insert emoji</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>Send (Enter)</translation>
    </message>
    <message>
        <source>Send message</source>
        <translation>Send message</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Notifications</translation>
    </message>
    <message>
        <source>All messages</source>
        <translation>All messages</translation>
    </message>
    <message>
        <source>Mentions only</source>
        <translation>Mentions only</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>Mute</translation>
    </message>
    <message>
        <source>Search messages</source>
        <translation>Search messages</translation>
    </message>
    <message>
        <source>Search messages (Ctrl+Shift+F)</source>
        <translation>Search messages (Ctrl+Shift+F)</translation>
    </message>
    <message>
        <source>The edit was refused: %1</source>
        <translation>The edit was refused: %1</translation>
    </message>
    <message>
        <source>The deletion was refused: %1</source>
        <translation>The deletion was refused: %1</translation>
    </message>
    <message>
        <source>The reaction was refused: %1</source>
        <translation>The reaction was refused: %1</translation>
    </message>
    <message>
        <source>Find rooms</source>
        <translation>Find rooms</translation>
    </message>
    <message>
        <source>Find and join public rooms (Ctrl+J)</source>
        <translation>Find and join public rooms (Ctrl+J)</translation>
    </message>
    <message>
        <source>New message</source>
        <translation>New message</translation>
    </message>
    <message>
        <source>Write to someone directly (Ctrl+Shift+N)</source>
        <translation>Write to someone directly (Ctrl+Shift+N)</translation>
    </message>
    <message>
        <source>Direct message · online</source>
        <translation>Direct message · online</translation>
    </message>
    <message>
        <source>Direct message</source>
        <translation>Direct message</translation>
    </message>
    <message>
        <source>Private room #%1</source>
        <translation>Private room #%1</translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n member(s)</source>
        <translation>
            <numerusform>%1 · %n member</numerusform>
            <numerusform>%1 · %n members</numerusform>
        </translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>Attach files</translation>
    </message>
    <message>
        <source>Attach files (or drop them here, or paste an image)</source>
        <translation>Attach files (or drop them here, or paste an image)</translation>
    </message>
    <message>
        <source>The files are uploaded already; the message is on its way.</source>
        <translation>The files are uploaded already; the message is on its way.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::Composer</name>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
    <message>
        <source>Enter sends the message, Shift+Enter starts a new line.</source>
        <translation>Enter sends the message, Shift+Enter starts a new line.</translation>
    </message>
    <message>
        <source>Message #%1</source>
        <translation>Message #%1</translation>
    </message>
    <message>
        <source>Write a message</source>
        <translation>Write a message</translation>
    </message>
    <message>
        <source>Enter sends, Shift+Enter starts a new line.
Formatting: **bold**, *italic*, `code`, ``` on its own line for a code block, &gt; at the start for a quote, [text](https://…) for a link.</source>
        <translation>Enter sends, Shift+Enter starts a new line.
Formatting: **bold**, *italic*, `code`, ``` on its own line for a code block, &gt; at the start for a quote, [text](https://…) for a link.</translation>
    </message>
    <message>
        <source>Message %1</source>
        <translation>Message %1</translation>
    </message>
</context>
<context>
    <name>conversa::ui::ComposerAttachments</name>
    <message>
        <source>Files to send</source>
        <translation>Files to send</translation>
    </message>
    <message>
        <source>Open a room to send files.</source>
        <translation>Open a room to send files.</translation>
    </message>
    <message>
        <source>Remove %1</source>
        <translation>Remove %1</translation>
    </message>
    <message>
        <source>The pasted image cannot be read.</source>
        <translation>The pasted image cannot be read.</translation>
    </message>
    <message>
        <source>The pasted image cannot be saved: %1</source>
        <translation>The pasted image cannot be saved: %1</translation>
    </message>
    <message>
        <source>Pasted image %1.png</source>
        <translation>Pasted image %1.png</translation>
    </message>
    <message>
        <source>Pasted image %1 (%2).png</source>
        <translation>Pasted image %1 (%2).png</translation>
    </message>
    <message>
        <source>The pasted image cannot be saved.</source>
        <translation>The pasted image cannot be saved.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::ComposerContextBar</name>
    <message>
        <source>Cancel editing (Esc)</source>
        <translation>Cancel editing (Esc)</translation>
    </message>
    <message>
        <source>Cancel the reply (Esc)</source>
        <translation>Cancel the reply (Esc)</translation>
    </message>
    <message>
        <source>Editing your message: %1</source>
        <translation>Editing your message: %1</translation>
    </message>
    <message>
        <source>Replying to %1: %2</source>
        <translation>Replying to %1: %2</translation>
    </message>
</context>
<context>
    <name>conversa::ui::ConnectionBanner</name>
    <message>
        <source>Reconnect now</source>
        <translation>Reconnect now</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Dismiss</translation>
    </message>
    <message>
        <source>Connection problem</source>
        <translation>Connection problem</translation>
    </message>
    <message numerus="yes">
        <source>You are offline; %n message(s) will be sent when you are back. Reconnecting in %1 s.</source>
        <translation>
            <numerusform>You are offline; %n message will be sent when you are back. Reconnecting in %1 s.</numerusform>
            <numerusform>You are offline; %n messages will be sent when you are back. Reconnecting in %1 s.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>You are offline. Reconnecting in %n s.</source>
        <translation>
            <numerusform>You are offline. Reconnecting in %n s.</numerusform>
            <numerusform>You are offline. Reconnecting in %n s.</numerusform>
        </translation>
    </message>
    <message>
        <source>The server no longer accepts your sign-in. Sign in again to keep chatting.</source>
        <translation>The server no longer accepts your sign-in. Sign in again to keep chatting.</translation>
    </message>
    <message>
        <source>No keychain took your sign-in: you stay signed in until you quit.</source>
        <translation>No keychain took your sign-in: you stay signed in until you quit.</translation>
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
   issued by %3
   valid %4 to %5
   SHA-256 %6</translation>
    </message>
    <message>
        <source>Connection details</source>
        <translation>Connection details</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Session</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Reconnects</source>
        <translation>Reconnects</translation>
    </message>
    <message>
        <source>Proxy</source>
        <translation>Proxy</translation>
    </message>
    <message>
        <source>Connected to</source>
        <translation>Connected to</translation>
    </message>
    <message>
        <source>DNS lookup</source>
        <translation>DNS lookup</translation>
    </message>
    <message>
        <source>TCP connect</source>
        <translation>TCP connect</translation>
    </message>
    <message>
        <source>TLS handshake</source>
        <translation>TLS handshake</translation>
    </message>
    <message>
        <source>WebSocket upgrade</source>
        <translation>WebSocket upgrade</translation>
    </message>
    <message>
        <source>Ping round trip</source>
        <translation>Ping round trip</translation>
    </message>
    <message>
        <source>Certificate chain</source>
        <translation>Certificate chain</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Copy</translation>
    </message>
    <message>
        <source>Copy the details</source>
        <translation>Copy the details</translation>
    </message>
    <message>
        <source>%1 as %2</source>
        <translation>%1 as %2</translation>
    </message>
    <message>
        <source>No certificates: the connection is not encrypted.</source>
        <translation>No certificates: the connection is not encrypted.</translation>
    </message>
    <message>
        <source>Current connection</source>
        <translation>Current connection</translation>
    </message>
    <message>
        <source>Encryption</source>
        <translation>Encryption</translation>
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
        <translation>TLS (version unknown)</translation>
    </message>
    <message>
        <source>HTTP proxy at %1:%2</source>
        <translation>HTTP proxy at %1:%2</translation>
    </message>
    <message>
        <source>SOCKS5 proxy at %1:%2</source>
        <translation>SOCKS5 proxy at %1:%2</translation>
    </message>
    <message>
        <source>none (direct connection)</source>
        <translation>none (direct connection)</translation>
    </message>
    <message>
        <source>%1, from the system settings</source>
        <translation>%1, from the system settings</translation>
    </message>
    <message>
        <source>none (not signed in)</source>
        <translation>none (not signed in)</translation>
    </message>
    <message numerus="yes">
        <source>%n time(s) since signing in</source>
        <translation>
            <numerusform>%n time since signing in</numerusform>
            <numerusform>%n times since signing in</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 ms, at %2</source>
        <translation>%1 ms, at %2</translation>
    </message>
    <message>
        <source>no answer to a ping yet</source>
        <translation>no answer to a ping yet</translation>
    </message>
    <message>
        <source>not connected</source>
        <translation>not connected</translation>
    </message>
    <message>
        <source>Not connected.</source>
        <translation>Not connected.</translation>
    </message>
    <message>
        <source>%1, port %2 (since %3)</source>
        <translation>%1, port %2 (since %3)</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>none: the address starts with ws:// (no encryption)</source>
        <translation>none: the address starts with ws:// (no encryption)</translation>
    </message>
    <message>
        <source>done by the proxy</source>
        <translation>done by the proxy</translation>
    </message>
    <message>
        <source>none needed (an IP address)</source>
        <translation>none needed (an IP address)</translation>
    </message>
    <message>
        <source>%1 ms, with the proxy&apos;s part</source>
        <translation>%1 ms, with the proxy&apos;s part</translation>
    </message>
    <message>
        <source>not used</source>
        <translation>not used</translation>
    </message>
    <message>
        <source>included in the WebSocket upgrade</source>
        <translation>included in the WebSocket upgrade</translation>
    </message>
    <message>
        <source>%1 ms, TCP and TLS included</source>
        <translation>%1 ms, TCP and TLS included</translation>
    </message>
    <message>
        <source>Server instance</source>
        <translation>Server instance</translation>
    </message>
    <message>
        <source>not known until signed in</source>
        <translation>not known until signed in</translation>
    </message>
</context>
<context>
    <name>conversa::ui::ConnectionStatusWidget</name>
    <message>
        <source>Reconnect now</source>
        <translation>Reconnect now</translation>
    </message>
    <message>
        <source>Connection details…</source>
        <translation>Connection details…</translation>
    </message>
    <message>
        <source>Connection state</source>
        <translation>Connection state</translation>
    </message>
    <message>
        <source>Connection indicator</source>
        <translation>Connection indicator</translation>
    </message>
    <message>
        <source>Connection details</source>
        <translation>Connection details</translation>
    </message>
    <message>
        <source>Signed out</source>
        <translation>Signed out</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Signing in…</translation>
    </message>
    <message>
        <source>Catching up…</source>
        <translation>Catching up…</translation>
    </message>
    <message numerus="yes">
        <source>Online · sending %n message(s)…</source>
        <translation>
            <numerusform>Online · sending %n message…</numerusform>
            <numerusform>Online · sending %n messages…</numerusform>
        </translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message numerus="yes">
        <source>Reconnecting in %n s</source>
        <translation>
            <numerusform>Reconnecting in %n s</numerusform>
            <numerusform>Reconnecting in %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>Offline — messages will be sent when you are back</source>
        <translation>Offline — messages will be sent when you are back</translation>
    </message>
    <message>
        <source>Sign-in needed</source>
        <translation>Sign-in needed</translation>
    </message>
    <message>
        <source>Online · sending %1 of %2…</source>
        <translation>Online · sending %1 of %2…</translation>
    </message>
    <message numerus="yes">
        <source>Offline · reconnecting in %n s</source>
        <translation>
            <numerusform>Offline · reconnecting in %n s</numerusform>
            <numerusform>Offline · reconnecting in %n s</numerusform>
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
        <translation>Smileys</translation>
    </message>
    <message>
        <source>Gestures</source>
        <translation>Gestures</translation>
    </message>
    <message>
        <source>Symbols</source>
        <translation>Symbols</translation>
    </message>
</context>
<context>
    <name>conversa::ui::FileActions</name>
    <message>
        <source>Save File</source>
        <translation>Save File</translation>
    </message>
    <message>
        <source>File</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Files cannot be downloaded while signed out.</source>
        <translation>Files cannot be downloaded while signed out.</translation>
    </message>
    <message>
        <source>“%1” could not be downloaded: %2</source>
        <translation>“%1” could not be downloaded: %2</translation>
    </message>
    <message>
        <source>Conversa does not open programs or scripts such as “%1”. Use Save as… and check it before you run it.</source>
        <translation>Conversa does not open programs or scripts such as “%1”. Use Save as… and check it before you run it.</translation>
    </message>
    <message>
        <source>“%1” cannot be opened: %2</source>
        <translation>“%1” cannot be opened: %2</translation>
    </message>
    <message>
        <source>No application opens “%1”. Use Save as… to keep it.</source>
        <translation>No application opens “%1”. Use Save as… to keep it.</translation>
    </message>
    <message>
        <source>Cannot write “%1”.</source>
        <translation>Cannot write “%1”.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::ImageViewer</name>
    <message>
        <source>Fit</source>
        <translation>Fit</translation>
    </message>
    <message>
        <source>Fit the image to the window (F)</source>
        <translation>Fit the image to the window (F)</translation>
    </message>
    <message>
        <source>100 %</source>
        <translation>100 %</translation>
    </message>
    <message>
        <source>Show the image at its real size (Ctrl+0)</source>
        <translation>Show the image at its real size (Ctrl+0)</translation>
    </message>
    <message>
        <source>+</source>
        <translation>+</translation>
    </message>
    <message>
        <source>Zoom in (Ctrl+=)</source>
        <translation>Zoom in (Ctrl+=)</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Zoom in</translation>
    </message>
    <message>
        <source>−</source>
        <translation>−</translation>
    </message>
    <message>
        <source>Zoom out (Ctrl+-)</source>
        <translation>Zoom out (Ctrl+-)</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Zoom out</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>Save as…</translation>
    </message>
    <message>
        <source>Save the image (Ctrl+S)</source>
        <translation>Save the image (Ctrl+S)</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Image</translation>
    </message>
    <message>
        <source>%1 — Image</source>
        <translation>%1 — Image</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
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
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>Ctrl+,</source>
        <translation>Ctrl+,</translation>
    </message>
    <message>
        <source>Connection &amp;details…</source>
        <translation>Connection &amp;details…</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>Sign &amp;out</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;Room</source>
        <translation>&amp;Room</translation>
    </message>
    <message>
        <source>&amp;Go to room…</source>
        <translation>&amp;Go to room…</translation>
    </message>
    <message>
        <source>Ctrl+K</source>
        <translation>Ctrl+K</translation>
    </message>
    <message>
        <source>&amp;Previous room</source>
        <translation>&amp;Previous room</translation>
    </message>
    <message>
        <source>Alt+Up</source>
        <translation>Alt+Up</translation>
    </message>
    <message>
        <source>&amp;Next room</source>
        <translation>&amp;Next room</translation>
    </message>
    <message>
        <source>Alt+Down</source>
        <translation>Alt+Down</translation>
    </message>
    <message>
        <source>&amp;Create room…</source>
        <translation>&amp;Create room…</translation>
    </message>
    <message>
        <source>Ctrl+J</source>
        <translation>Ctrl+J</translation>
    </message>
    <message>
        <source>&amp;Leave room</source>
        <translation>&amp;Leave room</translation>
    </message>
    <message>
        <source>&amp;Filter rooms</source>
        <translation>&amp;Filter rooms</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>&amp;About Conversa</source>
        <translation>&amp;About Conversa</translation>
    </message>
    <message>
        <source>About Conversa</source>
        <translation>About Conversa</translation>
    </message>
    <message>
        <source>Conversa %1
Chat in rooms with your organisation, live.</source>
        <translation>Conversa %1
Chat in rooms with your organisation, live.</translation>
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
        <translation>No keychain took your sign-in: you stay signed in until you quit.</translation>
    </message>
    <message>
        <source>&amp;Search messages…</source>
        <translation>&amp;Search messages…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+F</source>
        <translation>Ctrl+Shift+F</translation>
    </message>
    <message>
        <source>&amp;Find rooms…</source>
        <translation>&amp;Find rooms…</translation>
    </message>
    <message>
        <source>New &amp;message…</source>
        <translation>New &amp;message…</translation>
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
        <translation>%1 (you)</translation>
    </message>
    <message>
        <source>typing…</source>
        <translation>typing…</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Members</translation>
    </message>
    <message>
        <source>Room members</source>
        <translation>Room members</translation>
    </message>
    <message numerus="yes">
        <source>Members · %1 of %n online</source>
        <translation>
            <numerusform>Members · %1 of %n online</numerusform>
            <numerusform>Members · %1 of %n online</numerusform>
        </translation>
    </message>
    <message>
        <source>Members · offline</source>
        <translation>Members · offline</translation>
    </message>
    <message>
        <source>Send %1 a direct message</source>
        <translation>Send %1 a direct message</translation>
    </message>
</context>
<context>
    <name>conversa::ui::MessageActionBar</name>
    <message>
        <source>Message actions</source>
        <translation>Message actions</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>Reply</translation>
    </message>
    <message>
        <source>React</source>
        <translation>React</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Edit</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>Copy link</source>
        <translation>Copy link</translation>
    </message>
</context>
<context>
    <name>conversa::ui::MessageActions</name>
    <message>
        <source>Delete message</source>
        <translation>Delete message</translation>
    </message>
    <message>
        <source>Delete this message for everyone? This cannot be undone.</source>
        <translation>Delete this message for everyone? This cannot be undone.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>The deletion could not be saved on this computer.</source>
        <translation>The deletion could not be saved on this computer.</translation>
    </message>
    <message>
        <source>Reactions need the connection to the server.</source>
        <translation>Reactions need the connection to the server.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::MessageDecorations</name>
    <message>
        <source>%1: message deleted</source>
        <translation>%1: message deleted</translation>
    </message>
    <message>
        <source>Reply to an earlier message</source>
        <translation>Reply to an earlier message</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1 reacted with %2</source>
        <translation>%1 reacted with %2</translation>
    </message>
    <message>
        <source>(edited)</source>
        <translation>(edited)</translation>
    </message>
    <message>
        <source>message deleted</source>
        <translation>message deleted</translation>
    </message>
</context>
<context>
    <name>conversa::ui::MessageDelegate</name>
    <message>
        <source>Today</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Yesterday</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Sending…</translation>
    </message>
    <message>
        <source>Not sent.</source>
        <translation>Not sent.</translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation>Not sent: %1</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Retry</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Discard</translation>
    </message>
    <message>
        <source>Edited at %1</source>
        <translation>Edited at %1</translation>
    </message>
    <message>
        <source>Show the original message</source>
        <translation>Show the original message</translation>
    </message>
    <message>
        <source>Uploading… %1%</source>
        <translation>Uploading… %1%</translation>
    </message>
</context>
<context>
    <name>conversa::ui::MessageFiles</name>
    <message>
        <source>file</source>
        <translation>file</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>Save as…</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>The image cannot be shown.</source>
        <translation>The image cannot be shown.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::MessageView</name>
    <message>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <source>Jump to new messages</source>
        <translation>Jump to new messages</translation>
    </message>
    <message numerus="yes">
        <source>%n new message(s) ↓</source>
        <translation>
            <numerusform>%n new message ↓</numerusform>
            <numerusform>%n new messages ↓</numerusform>
        </translation>
    </message>
    <message>
        <source>Message actions</source>
        <translation>Message actions</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Copy</translation>
    </message>
    <message>
        <source>Copy &amp;link address</source>
        <translation>Copy &amp;link address</translation>
    </message>
    <message>
        <source>&amp;Open link</source>
        <translation>&amp;Open link</translation>
    </message>
    <message>
        <source>&amp;Retry sending</source>
        <translation>&amp;Retry sending</translation>
    </message>
    <message>
        <source>&amp;Discard message</source>
        <translation>&amp;Discard message</translation>
    </message>
    <message>
        <source>No messages here yet. Say hello!</source>
        <translation>No messages here yet. Say hello!</translation>
    </message>
    <message>
        <source>Older messages</source>
        <translation>Older messages</translation>
    </message>
    <message>
        <source>Re&amp;ply</source>
        <translation>Re&amp;ply</translation>
    </message>
    <message>
        <source>Re&amp;act…</source>
        <translation>Re&amp;act…</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Edit</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Delete…</translation>
    </message>
    <message>
        <source>Copy link to &amp;message</source>
        <translation>Copy link to &amp;message</translation>
    </message>
    <message>
        <source>Show the &amp;original</source>
        <translation>Show the &amp;original</translation>
    </message>
    <message>
        <source>Cancel &amp;upload</source>
        <translation>Cancel &amp;upload</translation>
    </message>
    <message>
        <source>View “%1”</source>
        <translation>View “%1”</translation>
    </message>
    <message>
        <source>Open “%1”</source>
        <translation>Open “%1”</translation>
    </message>
    <message>
        <source>Save “%1” as…</source>
        <translation>Save “%1” as…</translation>
    </message>
</context>
<context>
    <name>conversa::ui::NewMessageDialog</name>
    <message>
        <source>New message</source>
        <translation>New message</translation>
    </message>
    <message>
        <source>Write to someone directly. Pick a person you share a room with, or type their exact user name.</source>
        <translation>Write to someone directly. Pick a person you share a room with, or type their exact user name.</translation>
    </message>
    <message>
        <source>Search people</source>
        <translation>Search people</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>People</source>
        <translation>People</translation>
    </message>
    <message>
        <source>Why no conversation was opened</source>
        <translation>Why no conversation was opened</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
</context>
<context>
    <name>conversa::ui::QuickReactionBar</name>
    <message>
        <source>React</source>
        <translation>React</translation>
    </message>
    <message>
        <source>React with %1</source>
        <translation>React with %1</translation>
    </message>
    <message>
        <source>More emoji…</source>
        <translation>More emoji…</translation>
    </message>
</context>
<context>
    <name>conversa::ui::QuickSwitcher</name>
    <message>
        <source>Go to room</source>
        <translation>Go to room</translation>
    </message>
    <message>
        <source>Type a room name</source>
        <translation>Type a room name</translation>
    </message>
    <message>
        <source>Room name</source>
        <translation>Room name</translation>
    </message>
    <message>
        <source>Matching rooms</source>
        <translation>Matching rooms</translation>
    </message>
    <message>
        <source>↑↓ to choose · Enter to open · Esc to close</source>
        <translation>↑↓ to choose · Enter to open · Esc to close</translation>
    </message>
</context>
<context>
    <name>conversa::ui::RoomDirectoryDialog</name>
    <message>
        <source>Find rooms</source>
        <translation>Find rooms</translation>
    </message>
    <message>
        <source>Search rooms</source>
        <translation>Search rooms</translation>
    </message>
    <message>
        <source>Search by name or title, or type a room&apos;s name</source>
        <translation>Search by name or title, or type a room&apos;s name</translation>
    </message>
    <message>
        <source>Public rooms</source>
        <translation>Public rooms</translation>
    </message>
    <message>
        <source>About the list of rooms</source>
        <translation>About the list of rooms</translation>
    </message>
    <message>
        <source>Show more</source>
        <translation>Show more</translation>
    </message>
    <message>
        <source>Join</source>
        <translation>Join</translation>
    </message>
    <message>
        <source>Looking for rooms…</source>
        <translation>Looking for rooms…</translation>
    </message>
    <message numerus="yes">
        <source>%1 — #%2 · %n member(s)</source>
        <translation>
            <numerusform>%1 — #%2 · %n member</numerusform>
            <numerusform>%1 — #%2 · %n members</numerusform>
        </translation>
    </message>
    <message>
        <source>joined</source>
        <translation>joined</translation>
    </message>
    <message>
        <source>This server has no public rooms yet.</source>
        <translation>This server has no public rooms yet.</translation>
    </message>
    <message>
        <source>No public room matches “%1”.</source>
        <translation>No public room matches “%1”.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::RoomFilterModel</name>
    <message numerus="yes">
        <source>%n unread</source>
        <translation>
            <numerusform>%n unread</numerusform>
            <numerusform>%n unread</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n mention(s) of you</source>
        <translation>
            <numerusform>%n mention of you</numerusform>
            <numerusform>%n mentions of you</numerusform>
        </translation>
    </message>
    <message>
        <source>Direct message with %1, online</source>
        <translation>Direct message with %1, online</translation>
    </message>
    <message>
        <source>Direct message with %1</source>
        <translation>Direct message with %1</translation>
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
        <translation>No messages yet</translation>
    </message>
    <message>
        <source>Direct messages</source>
        <translation>Direct messages</translation>
    </message>
</context>
<context>
    <name>conversa::ui::SearchPanel</name>
    <message>
        <source>Every word must appear; case and accents do not matter.</source>
        <translation>Every word must appear; case and accents do not matter.</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Searching…</translation>
    </message>
    <message>
        <source>No messages found.</source>
        <translation>No messages found.</translation>
    </message>
    <message numerus="yes">
        <source>%n message(s) found, newest first.</source>
        <translation>
            <numerusform>%n message found, newest first.</numerusform>
            <numerusform>%n messages found, newest first.</numerusform>
        </translation>
    </message>
    <message>
        <source>Search messages</source>
        <translation>Search messages</translation>
    </message>
    <message>
        <source>Close search (Esc)</source>
        <translation>Close search (Esc)</translation>
    </message>
    <message>
        <source>Close search</source>
        <translation>Close search</translation>
    </message>
    <message>
        <source>Search your rooms</source>
        <translation>Search your rooms</translation>
    </message>
    <message>
        <source>Search query</source>
        <translation>Search query</translation>
    </message>
    <message>
        <source>Only in this room</source>
        <translation>Only in this room</translation>
    </message>
    <message>
        <source>Only in %1</source>
        <translation>Only in %1</translation>
    </message>
    <message>
        <source>Search results</source>
        <translation>Search results</translation>
    </message>
    <message>
        <source>Older results</source>
        <translation>Older results</translation>
    </message>
</context>
<context>
    <name>conversa::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Network</translation>
    </message>
    <message>
        <source>Proxy</source>
        <translation>Proxy</translation>
    </message>
    <message>
        <source>Use the system&apos;s proxy settings</source>
        <translation>Use the system&apos;s proxy settings</translation>
    </message>
    <message>
        <source>No proxy</source>
        <translation>No proxy</translation>
    </message>
    <message>
        <source>HTTP proxy</source>
        <translation>HTTP proxy</translation>
    </message>
    <message>
        <source>SOCKS5 proxy</source>
        <translation>SOCKS5 proxy</translation>
    </message>
    <message>
        <source>Proxy address</source>
        <translation>Proxy address</translation>
    </message>
    <message>
        <source>proxy.example.com:3128</source>
        <translation>proxy.example.com:3128</translation>
    </message>
    <message>
        <source>Extra CA certificate file</source>
        <translation>Extra CA certificate file</translation>
    </message>
    <message>
        <source>Only for servers with their own certificate authority</source>
        <translation>Only for servers with their own certificate authority</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Browse…</translation>
    </message>
    <message>
        <source>Choose a CA certificate file</source>
        <translation>Choose a CA certificate file</translation>
    </message>
    <message>
        <source>Extra CA certificate</source>
        <translation>Extra CA certificate</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt);;All files (*)</source>
        <translation>PEM certificates (*.pem *.crt);;All files (*)</translation>
    </message>
    <message>
        <source>&amp;Proxy</source>
        <translation>&amp;Proxy</translation>
    </message>
    <message>
        <source>Proxy &amp;address</source>
        <translation>Proxy &amp;address</translation>
    </message>
    <message>
        <source>Extra &amp;CA file</source>
        <translation>Extra &amp;CA file</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Notifications</translation>
    </message>
    <message>
        <source>Notify me when someone mentions me</source>
        <translation>Notify me when someone mentions me</translation>
    </message>
    <message>
        <source>Notify on mentions</source>
        <translation>Notify on mentions</translation>
    </message>
    <message>
        <source>Notify me about every new message</source>
        <translation>Notify me about every new message</translation>
    </message>
    <message>
        <source>Notify on every message</source>
        <translation>Notify on every message</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Appearance</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>The system&apos;s language</source>
        <translation>The system&apos;s language</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Theme</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Follow the system</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Light</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dark</translation>
    </message>
    <message>
        <source>Start Conversa when I log in to this computer</source>
        <translation>Start Conversa when I log in to this computer</translation>
    </message>
    <message>
        <source>Start on login</source>
        <translation>Start on login</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Language</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>&amp;Theme</translation>
    </message>
    <message>
        <source>Set by your administrator</source>
        <translation>Set by your administrator</translation>
    </message>
    <message>
        <source>Policy read from %1</source>
        <translation>Policy read from %1</translation>
    </message>
</context>
<context>
    <name>conversa::ui::SignInPage</name>
    <message>
        <source>&amp;Keep me signed in</source>
        <translation>&amp;Keep me signed in</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>&amp;Sign in</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <source>Conversa logo</source>
        <translation>Conversa logo</translation>
    </message>
    <message>
        <source>Sign in to Conversa</source>
        <translation>Sign in to Conversa</translation>
    </message>
    <message>
        <source>Use the account your organisation gave you.</source>
        <translation>Use the account your organisation gave you.</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Server address</translation>
    </message>
    <message>
        <source>chat.example.com or ws://127.0.0.1:8080</source>
        <translation>chat.example.com or ws://127.0.0.1:8080</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>e.g. alice</source>
        <translation>e.g. alice</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>Keep me signed in</source>
        <translation>Keep me signed in</translation>
    </message>
    <message>
        <source>Set by your administrator</source>
        <translation>Set by your administrator</translation>
    </message>
    <message>
        <source>Sign-in problem</source>
        <translation>Sign-in problem</translation>
    </message>
    <message>
        <source>Signing in</source>
        <translation>Signing in</translation>
    </message>
    <message>
        <source>Se&amp;rver</source>
        <translation>Se&amp;rver</translation>
    </message>
    <message>
        <source>&amp;User name</source>
        <translation>&amp;User name</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>&amp;Password</translation>
    </message>
    <message>
        <source>Policy read from %1</source>
        <translation>Policy read from %1</translation>
    </message>
    <message>
        <source>Enter the address of your Conversa server.</source>
        <translation>Enter the address of your Conversa server.</translation>
    </message>
    <message>
        <source>“%1” is not a server address. Try chat.example.com or ws://127.0.0.1:8080.</source>
        <translation>“%1” is not a server address. Try chat.example.com or ws://127.0.0.1:8080.</translation>
    </message>
    <message>
        <source>Enter your user name.</source>
        <translation>Enter your user name.</translation>
    </message>
    <message>
        <source>User names use lower-case letters, digits, “-” and “_”.</source>
        <translation>User names use lower-case letters, digits, “-” and “_”.</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>Enter your password.</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Connecting to %1…</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Signing in…</translation>
    </message>
    <message>
        <source>Wrong user name or password.</source>
        <translation>Wrong user name or password.</translation>
    </message>
    <message>
        <source>Too many attempts.</source>
        <translation>Too many attempts.</translation>
    </message>
    <message>
        <source>The server could not be found.</source>
        <translation>The server could not be found.</translation>
    </message>
    <message>
        <source>The server cannot be reached.</source>
        <translation>The server cannot be reached.</translation>
    </message>
    <message>
        <source>The server&apos;s certificate is not trusted.</source>
        <translation>The server&apos;s certificate is not trusted.</translation>
    </message>
    <message>
        <source>A secure connection could not be set up.</source>
        <translation>A secure connection could not be set up.</translation>
    </message>
    <message>
        <source>The proxy refused the connection.</source>
        <translation>The proxy refused the connection.</translation>
    </message>
    <message>
        <source>This address does not answer like a Conversa server.</source>
        <translation>This address does not answer like a Conversa server.</translation>
    </message>
    <message>
        <source>Please sign in again.</source>
        <translation>Please sign in again.</translation>
    </message>
    <message>
        <source>Signing in did not work.</source>
        <translation>Signing in did not work.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::SocialActions</name>
    <message>
        <source>Invite someone…</source>
        <translation>Invite someone…</translation>
    </message>
    <message>
        <source>Rename room…</source>
        <translation>Rename room…</translation>
    </message>
    <message>
        <source>Remove a member…</source>
        <translation>Remove a member…</translation>
    </message>
    <message>
        <source>New message</source>
        <translation>New message</translation>
    </message>
    <message>
        <source>Create a room</source>
        <translation>Create a room</translation>
    </message>
    <message>
        <source>Room name</source>
        <translation>Room name</translation>
    </message>
    <message>
        <source>e.g. design-team</source>
        <translation>e.g. design-team</translation>
    </message>
    <message>
        <source>Room title</source>
        <translation>Room title</translation>
    </message>
    <message>
        <source>e.g. Design team</source>
        <translation>e.g. Design team</translation>
    </message>
    <message>
        <source>Private: only people you invite can see and join it</source>
        <translation>Private: only people you invite can see and join it</translation>
    </message>
    <message>
        <source>Private room</source>
        <translation>Private room</translation>
    </message>
    <message>
        <source>Names use lower-case letters, digits, “-” and “_”.</source>
        <translation>Names use lower-case letters, digits, “-” and “_”.</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Create</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Name</translation>
    </message>
    <message>
        <source>&amp;Title</source>
        <translation>&amp;Title</translation>
    </message>
    <message>
        <source>Invite someone</source>
        <translation>Invite someone</translation>
    </message>
    <message>
        <source>User name of the person to add to #%1:</source>
        <translation>User name of the person to add to #%1:</translation>
    </message>
    <message>
        <source>Rename room</source>
        <translation>Rename room</translation>
    </message>
    <message>
        <source>New title of #%1:</source>
        <translation>New title of #%1:</translation>
    </message>
    <message>
        <source>Remove a member</source>
        <translation>Remove a member</translation>
    </message>
    <message>
        <source>Nobody else is in this room.</source>
        <translation>Nobody else is in this room.</translation>
    </message>
    <message>
        <source>Whom to take out of #%1:</source>
        <translation>Whom to take out of #%1:</translation>
    </message>
    <message>
        <source>Remove %1 from #%2? They will no longer see its messages.</source>
        <translation>Remove %1 from #%2? They will no longer see its messages.</translation>
    </message>
</context>
<context>
    <name>conversa::ui::TrayIcon</name>
    <message>
        <source>Conversa tray menu</source>
        <translation>Conversa tray menu</translation>
    </message>
    <message>
        <source>&amp;Open Conversa</source>
        <translation>&amp;Open Conversa</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message numerus="yes">
        <source>Conversa — %n unread message(s)</source>
        <translation>
            <numerusform>Conversa — %n unread message</numerusform>
            <numerusform>Conversa — %n unread messages</numerusform>
        </translation>
    </message>
    <message>
        <source>Conversa</source>
        <translation>Conversa</translation>
    </message>
    <message>
        <source>%1 in #%2</source>
        <translation>%1 in #%2</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Conversa: chat in rooms with your organisation.</source>
        <translation>Conversa: chat in rooms with your organisation.</translation>
    </message>
    <message>
        <source>Pre-fill the server address.</source>
        <translation>Pre-fill the server address.</translation>
    </message>
    <message>
        <source>Pre-fill the user name.</source>
        <translation>Pre-fill the user name.</translation>
    </message>
    <message>
        <source>Keep settings, cache and outbox in this folder instead of the usual places.</source>
        <translation>Keep settings, cache and outbox in this folder instead of the usual places.</translation>
    </message>
    <message>
        <source>Use this language (en, pt_PT, pt_BR) for this run.</source>
        <translation>Use this language (en, pt_PT, pt_BR) for this run.</translation>
    </message>
    <message>
        <source>system, light or dark, for this run.</source>
        <translation>system, light or dark, for this run.</translation>
    </message>
    <message>
        <source>Do not read or store sign-ins in the system keychain.</source>
        <translation>Do not read or store sign-ins in the system keychain.</translation>
    </message>
    <message>
        <source>Start in the tray, without a window.</source>
        <translation>Start in the tray, without a window.</translation>
    </message>
    <message>
        <source>Run even if Conversa is already running.</source>
        <translation>Run even if Conversa is already running.</translation>
    </message>
</context>
</TS>

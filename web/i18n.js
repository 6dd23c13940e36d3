// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// English and Portuguese, picked from the browser's language.

const en = {
    signInTitle: 'Sign in to Conversa',
    server: 'Server: {0}',
    user: 'User name',
    password: 'Password',
    signIn: 'Sign in',
    signingIn: 'Signing in…',
    signOut: 'Sign out',
    signedInAs: 'Signed in as {0}',
    wrongPassword: 'Wrong user name or password.',
    fillBoth: 'Type your user name and password.',
    rooms: 'Rooms',
    people: 'People',
    message: 'Message',
    messageTo: 'Message {0}',
    send: 'Send',
    loadOlder: 'Load older messages',
    noOlder: 'This is the start of the room.',
    messages: 'Messages in {0}',
    unread: '{0} unread',
    roomWithUnread: '{0}, {1} unread',
    online: 'online',
    offlineMember: 'offline',
    edited: '(edited)',
    deleted: 'message deleted',
    replyTo: 'Reply to {0}',
    replyingTo: 'Replying to {0}: {1}',
    inReplyTo: 'In reply to {0}: {1}',
    earlierMessage: 'an earlier message',
    cancelReply: 'Cancel reply',
    reactions: 'Reactions',
    reactionBy: '{0} by {1}',
    react: 'React with {0}',
    reactionFailed: 'The reaction did not go through: {0}',
    pending: 'Sending…',
    waiting: 'Waiting for the connection',
    failed: 'Not sent: {0}',
    retry: 'Retry',
    discard: 'Discard',
    typingOne: '{0} is typing…',
    typingMany: '{0} are typing…',
    reconnectNow: 'Reconnect now',
    stateSignedOut: 'Signed out',
    stateConnecting: 'Connecting…',
    stateAuthenticating: 'Signing in…',
    stateSyncing: 'Catching up…',
    stateOnline: 'Online',
    stateWaiting: 'Offline · reconnecting in {0} s',
    stateAuthFailed: 'Signed out: {0}',
    noRooms: 'You are in no rooms yet.',
    pickRoom: 'Pick a room.',
};

const pt = {
    signInTitle: 'Entrar no Conversa',
    server: 'Servidor: {0}',
    user: 'Nome de utilizador',
    password: 'Palavra-passe',
    signIn: 'Entrar',
    signingIn: 'A entrar…',
    signOut: 'Terminar sessão',
    signedInAs: 'Sessão de {0}',
    wrongPassword: 'Nome de utilizador ou palavra-passe errados.',
    fillBoth: 'Escreva o seu nome de utilizador e a palavra-passe.',
    rooms: 'Salas',
    people: 'Pessoas',
    message: 'Mensagem',
    messageTo: 'Mensagem para {0}',
    send: 'Enviar',
    loadOlder: 'Carregar mensagens anteriores',
    noOlder: 'Este é o início da sala.',
    messages: 'Mensagens em {0}',
    unread: '{0} por ler',
    roomWithUnread: '{0}, {1} por ler',
    online: 'ligado',
    offlineMember: 'desligado',
    edited: '(editada)',
    deleted: 'mensagem apagada',
    replyTo: 'Responder a {0}',
    replyingTo: 'A responder a {0}: {1}',
    inReplyTo: 'Em resposta a {0}: {1}',
    earlierMessage: 'uma mensagem anterior',
    cancelReply: 'Cancelar resposta',
    reactions: 'Reações',
    reactionBy: '{0} de {1}',
    react: 'Reagir com {0}',
    reactionFailed: 'A reação não foi registada: {0}',
    pending: 'A enviar…',
    waiting: 'À espera da ligação',
    failed: 'Não enviada: {0}',
    retry: 'Tentar de novo',
    discard: 'Descartar',
    typingOne: '{0} está a escrever…',
    typingMany: '{0} estão a escrever…',
    reconnectNow: 'Religar agora',
    stateSignedOut: 'Sessão terminada',
    stateConnecting: 'A ligar…',
    stateAuthenticating: 'A entrar…',
    stateSyncing: 'A atualizar…',
    stateOnline: 'Ligado',
    stateWaiting: 'Desligado · a religar dentro de {0} s',
    stateAuthFailed: 'Sessão terminada: {0}',
    noRooms: 'Ainda não está em nenhuma sala.',
    pickRoom: 'Escolha uma sala.',
};

export const catalogs = { en, pt };

export function pickLanguage(languages) {
    for (const language of languages ?? [])
        if (/^pt\b/i.test(language))
            return 'pt';
    return 'en';
}

export function translator(language) {
    const catalog = catalogs[language] ?? en;
    return (key, ...args) => (catalog[key] ?? en[key] ?? key)
        .replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)] ?? ''));
}

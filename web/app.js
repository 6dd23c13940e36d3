// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The page: wires the engine (engine/client.js) to the document. Everything others wrote goes
// in as text (textContent, text.js); the connection state is always on screen.
import { ChosenFiles, FileViews, sendRefusal } from './attachments.js';
import { ChatClient } from './engine/client.js';
import { Social } from './engine/social.js';
import { IndexedDbStore } from './engine/store.js';
import { locale, pickLanguage, translator } from './i18n.js';
import { SocialDialogs } from './social.js';
import { $, appendText, element } from './text.js';

const language = pickLanguage(navigator.languages?.length ? navigator.languages : [navigator.language]);
const t = translator(language);
const kTypingShowMs = 5000;
const kQuickReactions = ['👍', '❤️', '😄'];

function webSocketUrl() {
    const url = new URL('/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.href;
}

function formatTime(ts) {
    return new Date(ts).toLocaleTimeString(locale(language), { hour: '2-digit', minute: '2-digit' });
}

// A message in a line: its text, or the names of its files when it has no text.
function summary(message) {
    return (message.body || (message.files ?? []).map(file => file.name).join(', ')).slice(0, 80);
}

function applyStaticText() {
    document.documentElement.lang = language === 'pt' ? 'pt-PT' : 'en';
    $('sign-in-title').textContent = t('signInTitle');
    $('sign-in-server').textContent = t('server', location.host);
    $('user-label').textContent = t('user');
    $('password-label').textContent = t('password');
    $('sign-in-button').textContent = t('signIn');
    $('sign-out').textContent = t('signOut');
    $('reconnect').textContent = t('reconnectNow');
    $('rooms-title').textContent = t('rooms');
    $('rooms-nav').setAttribute('aria-label', t('rooms'));
    $('people-title').textContent = t('people');
    $('people').setAttribute('aria-label', t('people'));
    $('message-label').textContent = t('message');
    $('send').textContent = t('send');
    $('attach-label').textContent = t('attach');
    $('attach').title = t('attach');
    $('drop-hint-text').textContent = t('dropHere');
    $('load-older').textContent = t('loadOlder');
    $('reply-cancel').textContent = t('cancelReply');
    $('search-label').textContent = t('searchMessages');
    $('search-input').placeholder = t('searchMessages');
    $('search-close').textContent = t('closeSearch');
}

class Page {
    constructor(client) {
        this.client = client;
        this.typing = new Map(); // "room\nuser" → expiry
        this.replyTo = null;
        this.stickToBottom = true;
        const sayError = text => { $('action-error').textContent = text; };
        this.fileViews = new FileViews({ files: client.files, t, language, onError: sayError });
        this.fileViews.onChanged = () => this.renderRoom();
        this.chosen = new ChosenFiles({ t, language, onError: sayError,
                                        maxFileBytes: () => client.limit('max_file_bytes') });
        client.on('upload', cid => this.showUpload(cid));
        this.social = new SocialDialogs({ client, social: new Social(client), t, openRoom: name => this.openRoom(name) });
        client.on('state', () => this.showState());
        client.on('rooms', () => this.renderRooms());
        client.on('room', name => {
            if (name === client.openRoom)
                this.renderRoom();
        });
        client.on('outbox', () => this.renderRoom());
        client.on('presence', () => this.renderMembers());
        client.on('typing', (room, user) => {
            this.typing.set(`${room}\n${user}`, Date.now() + kTypingShowMs);
            this.renderTyping();
        });
        setInterval(() => {
            this.renderTyping();
            if (client.state === 'waiting')
                this.showState();
        }, 1000);
        this.wire();
    }

    wire() {
        $('sign-in-form').addEventListener('submit', event => {
            event.preventDefault();
            this.signIn();
        });
        $('sign-out').addEventListener('click', () => this.client.signOut());
        $('reconnect').addEventListener('click', () => this.client.reconnectNow());
        $('composer').addEventListener('submit', event => {
            event.preventDefault();
            this.sendTyped();
        });
        $('message-input').addEventListener('keydown', event => {
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
                event.preventDefault();
                this.sendTyped();
            } else if (event.key === 'Escape' && (this.replyTo || this.editing)) {
                if (this.editing)
                    $('message-input').value = '';
                this.setReply(null);
            }
        });
        $('message-input').addEventListener('input', () => {
            if (this.client.openRoom && $('message-input').value.trim())
                this.client.typing(this.client.openRoom);
        });
        $('attach').addEventListener('click', () => $('file-input').click());
        $('file-input').addEventListener('change', () => {
            this.chosen.add([...$('file-input').files]);
            $('file-input').value = '';
            $('message-input').focus();
        });
        $('message-input').addEventListener('paste', event => {
            const files = [...(event.clipboardData?.files ?? [])];
            if (files.length === 0)
                return;
            event.preventDefault();
            this.chosen.add(files);
        });
        this.chosen.acceptDrops(() => !$('chat-page').hidden && !!this.client.openRoom);
        $('reply-cancel').addEventListener('click', () => {
            if (this.editing)
                $('message-input').value = '';
            this.setReply(null);
        });
        $('search-form').addEventListener('submit', event => {
            event.preventDefault();
            this.search($('search-input').value.trim());
        });
        $('search-close').addEventListener('click', () => this.closeSearch());
        $('search-results').addEventListener('keydown', event => {
            if (event.key === 'Escape')
                this.closeSearch();
        });
        $('load-older').addEventListener('click', () => this.loadOlder());
        $('messages').addEventListener('scroll', () => {
            const list = $('messages');
            this.stickToBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
            if (list.scrollTop < 10)
                this.loadOlder();
        });
        // Alt+Up / Alt+Down move between rooms, as in the desktop app.
        document.addEventListener('keydown', event => {
            if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown'))
                return;
            const names = [...this.client.rooms.keys()];
            if (names.length === 0)
                return;
            event.preventDefault();
            const index = names.indexOf(this.client.openRoom);
            const step = event.key === 'ArrowUp' ? -1 : 1;
            this.openRoom(names[(index + step + names.length) % names.length]);
        });
        document.addEventListener('visibilitychange', () => {
            if (document.visibilityState === 'visible' && this.client.openRoom)
                this.client.markRead(this.client.openRoom);
        });
        window.addEventListener('offline', () => this.client.networkLost());
        window.addEventListener('online', () => this.client.reconnectNow());
    }

    async signIn() {
        const user = $('user').value.trim();
        const password = $('password').value;
        const error = $('sign-in-error');
        if (!user || !password) {
            error.textContent = t('fillBoth');
            return;
        }
        error.textContent = '';
        $('sign-in-button').disabled = true;
        $('sign-in-button').textContent = t('signingIn');
        try {
            await this.client.signIn(user, password);
            $('password').value = '';
        } catch (e) {
            error.textContent = e.code === 'unauthorized' ? t('wrongPassword') : e.message;
        } finally {
            $('sign-in-button').disabled = false;
            $('sign-in-button').textContent = t('signIn');
        }
    }

    showState() {
        const { state, reason } = this.client;
        const signedIn = !['signedOut', 'authFailed'].includes(state) || this.client.rooms.size > 0;
        const onSignIn = state === 'signedOut' || state === 'authFailed' ||
                         (!!this.client.pendingLogin && this.client.rooms.size === 0);
        // While starting, neither page: the stored token decides which one comes.
        $('sign-in-page').hidden = !onSignIn;
        $('chat-page').hidden = onSignIn || state === 'starting';
        $('sign-out').hidden = onSignIn || !signedIn;
        $('search-form').hidden = onSignIn || state === 'starting';
        $('who').textContent = onSignIn ? '' : t('signedInAs', this.client.user);
        let text;
        switch (state) {
        case 'connecting': text = t('stateConnecting'); break;
        case 'authenticating': text = t('stateAuthenticating'); break;
        case 'syncing': text = t('stateSyncing'); break;
        case 'online': text = t('stateOnline'); break;
        case 'waiting':
            text = t('stateWaiting', Math.max(0, Math.ceil((this.client.retryAt - Date.now()) / 1000)));
            break;
        case 'authFailed': text = t('stateAuthFailed', reason); break;
        case 'starting': text = ''; break;
        default: text = t('stateSignedOut');
        }
        $('status-text').textContent = text;
        $('status').title = reason;
        $('status').dataset.state = state;
        $('reconnect').hidden = state !== 'waiting';
        if (state === 'authFailed' && reason)
            $('sign-in-error').textContent = reason;
        this.renderRoom();
    }

    openRoom(name) {
        this.stickToBottom = true;
        if (this.editing)
            $('message-input').value = '';
        this.setReply(null);
        this.client.selectRoom(name);
        this.renderRooms();
        this.renderRoom();
        $('message-input').focus();
    }

    renderRooms() {
        const list = $('room-list');
        list.replaceChildren();
        // Rooms first, then direct messages under their own heading.
        const rooms = [...this.client.rooms.values()].sort((a, b) => (a.kind === 'dm') - (b.kind === 'dm'));
        if (!this.client.openRoom && rooms.length > 0)
            this.client.selectRoom(rooms[0].room);
        let dmHeading = false;
        for (const room of rooms) {
            if (room.kind === 'dm' && !dmHeading) {
                dmHeading = true;
                list.append(element('li', { className: 'section-title', text: t('directMessages'),
                                            attrs: { role: 'presentation' } }));
            }
            const item = element('li');
            const button = element('button', { className: 'room', attrs: { type: 'button' } });
            const title = room.title;
            button.append(element('span', { className: 'room-name', text: title }));
            if (room.unread > 0) {
                button.append(element('span', { className: 'badge', text: String(room.unread),
                                                attrs: { 'aria-hidden': 'true' } }));
                button.setAttribute('aria-label', t('roomWithUnread', title, room.unread));
            }
            if (room.room === this.client.openRoom)
                button.setAttribute('aria-current', 'true');
            button.addEventListener('click', () => this.openRoom(room.room));
            item.append(button);
            list.append(item);
        }
        if (rooms.length === 0)
            list.append(element('li', { className: 'muted', text: t('noRooms') }));
    }

    currentRoom() { return this.client.rooms.get(this.client.openRoom); }

    renderRoom() {
        const room = this.currentRoom();
        const scroller = $('messages');
        const list = $('message-list');
        this.social.showRoom(room);
        if (!room) {
            $('room-title').textContent = t('pickRoom');
            list.replaceChildren();
            $('load-older').hidden = true;
            return;
        }
        const title = room.title;
        $('room-title').textContent = title;
        scroller.setAttribute('aria-label', t('messages', title));
        $('message-input').setAttribute('aria-label', t('messageTo', title));
        const fromBottom = scroller.scrollHeight - scroller.scrollTop;
        list.replaceChildren();
        for (const message of room.log.list())
            list.append(this.messageItem(room, message));
        for (const entry of this.client.outbox.pending(this.client.user, room.room))
            if (!room.log.hasCid(entry.cid))
                list.append(this.pendingItem(entry));
        for (const cid of this.client.uploads.keys())
            this.showUpload(cid);
        $('load-older').hidden = room.log.reachedStart;
        if (room.log.reachedStart && !list.querySelector('.start'))
            list.prepend(element('li', { className: 'start muted', text: t('noOlder') }));
        if (this.stickToBottom)
            scroller.scrollTop = scroller.scrollHeight;
        else
            scroller.scrollTop = scroller.scrollHeight - fromBottom;
        this.renderMembers();
        this.renderTyping();
    }

    messageItem(room, message) {
        const item = element('li', { className: 'message', attrs: { 'data-seq': String(message.seq) } });
        const head = element('div', { className: 'message-head' });
        head.append(element('span', { className: 'from', text: message.from }));
        head.append(element('time', { className: 'time', text: formatTime(message.ts),
                                      attrs: { datetime: new Date(message.ts).toISOString() } }));
        item.append(head);
        if (message.replyTo) {
            const target = room.log.get(message.replyTo);
            const quote = target
                ? t('inReplyTo', target.from, target.deleted ? t('deleted') : summary(target))
                : t('inReplyTo', t('earlierMessage'), '');
            item.append(element('div', { className: 'reply-quote', text: quote }));
        }
        const body = element('div', { className: 'body' });
        if (message.deleted) {
            body.classList.add('deleted');
            body.textContent = t('deleted');
        } else {
            appendText(body, message.body);
            if (message.edited)
                body.append(' ', element('span', { className: 'edited', text: t('edited') }));
        }
        if (message.body || message.deleted)
            item.append(body);
        if (!message.deleted && message.files?.length)
            item.append(this.fileViews.render(message.files));
        if (!message.deleted) {
            const reactions = element('div', { className: 'reactions', attrs: { role: 'group', 'aria-label': t('reactions') } });
            for (const [emoji, users] of message.reactions) {
                const mine = users.includes(this.client.user);
                const button = element('button', {
                    className: mine ? 'reaction mine' : 'reaction', text: `${emoji} ${users.length}`,
                    attrs: { type: 'button', 'aria-pressed': String(mine),
                             'aria-label': t('reactionBy', emoji, users.join(', ')) } });
                button.addEventListener('click', () => this.react(room.room, message.seq, emoji, !mine));
                reactions.append(button);
            }
            const actions = element('div', { className: 'actions' });
            for (const emoji of kQuickReactions) {
                if (message.reactions.has(emoji))
                    continue;
                const button = element('button', { className: 'action', text: emoji,
                                                   attrs: { type: 'button', 'aria-label': t('react', emoji) } });
                button.addEventListener('click', () => this.react(room.room, message.seq, emoji, true));
                actions.append(button);
            }
            const reply = element('button', { className: 'action', text: '↩',
                                              attrs: { type: 'button', 'aria-label': t('replyTo', message.from) } });
            reply.addEventListener('click', () => this.setReply(message));
            actions.append(reply);
            if (message.from === this.client.user) {
                const edit = element('button', { className: 'action', text: '✎',
                                                 attrs: { type: 'button', 'aria-label': t('editMessage') } });
                edit.addEventListener('click', () => this.setEditing(message));
                const remove = element('button', { className: 'action', text: '🗑',
                                                   attrs: { type: 'button', 'aria-label': t('deleteMessage') } });
                remove.addEventListener('click', () => {
                    if (window.confirm(t('confirmDelete')))
                        this.client.change(room.room, message.seq, { kind: 'delete' });
                });
                actions.append(edit, remove);
            }
            if (message.reactions.size > 0)
                item.append(reactions);
            item.append(actions);
        }
        return item;
    }

    pendingItem(entry) {
        const item = element('li', { className: `message pending ${entry.state}`, attrs: { 'data-cid': entry.cid } });
        const head = element('div', { className: 'message-head' });
        const what = entry.kind === 'edit' ? t('pendingEdit') : entry.kind === 'delete' ? t('pendingDelete') : '';
        head.append(element('span', { className: 'from', text: what ? `${entry.user} · ${what}` : entry.user }));
        const online = this.client.state === 'online';
        const status = entry.state === 'failed' ? this.fileViews.failure(entry)
                                                : (online ? t('pending') : t('waiting'));
        head.append(element('span', { className: 'pending-state', text: status }));
        item.append(head);
        const body = element('div', { className: 'body' });
        appendText(body, entry.body);
        if (entry.body)
            item.append(body);
        if (entry.files?.length)
            item.append(...this.fileViews.pendingFiles(entry));
        if (entry.state === 'failed') {
            const retry = element('button', { text: t('retry'), attrs: { type: 'button' } });
            retry.addEventListener('click', () => this.client.retry(entry.cid));
            const discard = element('button', { text: t('discard'), attrs: { type: 'button' } });
            discard.addEventListener('click', () => this.client.discard(entry.cid));
            item.append(retry, discard);
        }
        return item;
    }

    showUpload(cid) {
        const item = [...$('message-list').querySelectorAll('.pending')].find(li => li.dataset.cid === cid);
        if (item)
            this.fileViews.showUpload(item, this.client.uploads.get(cid));
    }

    renderMembers() {
        const room = this.currentRoom();
        const list = $('member-list');
        list.replaceChildren();
        if (!room)
            return;
        const members = [...room.members.entries()].sort((a, b) => (b[1] - a[1]) || a[0].localeCompare(b[0]));
        for (const [user, online] of members) {
            const item = element('li', { className: online ? 'member online' : 'member' });
            item.append(element('span', { className: 'dot', attrs: { 'aria-hidden': 'true' } }));
            item.append(element('span', { text: user }));
            item.append(element('span', { className: 'visually-hidden', text: `, ${online ? t('online') : t('offlineMember')}` }));
            list.append(item);
        }
    }

    renderTyping() {
        const now = Date.now();
        const who = [];
        for (const [key, expiry] of [...this.typing]) {
            if (expiry < now) {
                this.typing.delete(key);
                continue;
            }
            const [room, user] = key.split('\n');
            if (room === this.client.openRoom && user !== this.client.user)
                who.push(user);
        }
        const text = who.length === 0 ? '' : who.length === 1 ? t('typingOne', who[0]) : t('typingMany', who.join(', '));
        if ($('typing').textContent !== text)
            $('typing').textContent = text;
    }

    async search(query) {
        if (!query)
            return;
        const list = $('search-list');
        list.replaceChildren();
        $('search-results').hidden = false;
        $('search-results').setAttribute('aria-label', t('searchResults', query));
        $('search-title').textContent = t('searchResults', query);
        let results;
        try {
            ({ results } = await this.client.search(query));
        } catch (error) {
            list.append(element('li', { className: 'error', text: t('searchFailed', error.message) }));
            return;
        }
        if (results.length === 0)
            list.append(element('li', { className: 'muted', text: t('searchNone', query) }));
        for (const result of results) {
            const room = this.client.rooms.get(result.room);
            const title = room ? room.title : result.room;
            const item = element('li', { className: 'message' });
            const head = element('div', { className: 'message-head' });
            head.append(element('span', { className: 'from', text: result.from }));
            head.append(element('span', { className: 'time', text: `${title} · ${formatTime(result.ts)}` }));
            item.append(head);
            const body = element('div', { className: 'body' });
            appendText(body, result.body ?? '');
            item.append(body);
            const open = element('button', { text: t('openResult', title), attrs: { type: 'button' } });
            open.addEventListener('click', () => {
                this.closeSearch();
                this.openRoom(result.room);
            });
            item.append(open);
            list.append(item);
        }
    }

    closeSearch() {
        $('search-results').hidden = true;
        $('search-list').replaceChildren();
    }

    // A reaction is not queued like a message: when it fails, the page says so.
    async react(room, seq, emoji, on) {
        $('action-error').textContent = '';
        try {
            await this.client.react(room, seq, emoji, on);
        } catch (error) {
            $('action-error').textContent = t('reactionFailed', error.message);
        }
    }

    setReply(message) {
        this.replyTo = message;
        this.editing = null;
        $('reply-bar').hidden = !message;
        $('reply-text').textContent = message ? t('replyingTo', message.from, summary(message)) : '';
        $('reply-cancel').textContent = t('cancelReply');
        if (message)
            $('message-input').focus();
    }

    // The composer edits one of the user's messages until sent or cancelled (Esc).
    setEditing(message) {
        this.setReply(null);
        this.editing = message;
        $('reply-bar').hidden = false;
        $('reply-text').textContent = t('editingMessage', message.body.slice(0, 80));
        $('reply-cancel').textContent = t('cancelEdit');
        $('message-input').value = message.body;
        $('message-input').focus();
    }

    async sendTyped() {
        const input = $('message-input');
        const body = input.value;
        const room = this.client.openRoom;
        const editing = this.editing;
        const files = editing ? [] : this.chosen.files();
        if ((!body.trim() && files.length === 0) || !room || this.sending)
            return;
        const replyTo = this.replyTo?.seq ?? null;
        if (editing) {
            input.value = '';
            this.setReply(null);
            if (body !== editing.body)
                await this.client.change(room, editing.seq, { kind: 'edit', body });
            return;
        }
        this.stickToBottom = true;
        $('action-error').textContent = '';
        this.sending = true;
        try {
            await this.client.send(room, body.trim() ? body : '', { replyTo, files });
        } catch (error) {
            // Nothing was stored: the text and the files stay in the composer.
            $('action-error').textContent = sendRefusal(error, t, bytes => this.fileViews.size(bytes));
            return;
        } finally {
            this.sending = false;
        }
        input.value = '';
        this.setReply(null);
        this.chosen.clear();
    }

    async loadOlder() {
        const room = this.currentRoom();
        if (!room || room.log.reachedStart)
            return;
        this.stickToBottom = false;
        try {
            await this.client.loadOlder(room.room);
        } catch {
            // offline: the button stays for a later try
        }
    }
}

async function main() {
    applyStaticText();
    const store = await IndexedDbStore.open();
    const client = new ChatClient({
        url: webSocketUrl(), store,
        createSocket: (url, protocol) => new WebSocket(url, protocol),
        device: `browser (${navigator.userAgentData?.platform || navigator.platform || 'web'})`.slice(0, 64),
    });
    const page = new Page(client);
    page.showState();
    await client.start();
    page.showState();
    if (client.state === 'signedOut')
        $('user').focus();
}

main();

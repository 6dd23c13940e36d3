// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The page's engine, the same rules as core's session: one WebSocket to /ws, sign-in with a
// token kept in the store, reconnects with backoff and full jitter, a resume that syncs every
// room from its sync point, merge by seq, and the outbox pump. The UI listens to its events
// and never touches the socket.
//
// States (`state`): starting, signedOut, connecting, authenticating, syncing, online, waiting (with
// `retryAt`), authFailed. Events: state, rooms, room (name), outbox, typing, presence, error.
import { Backoff } from './backoff.js';
import { Emitter } from './emitter.js';
import { FileCache, downloadWithFetch, uploadWithXhr } from './files.js';
import { Outbox } from './outbox.js';
import { RoomLog } from './roomlog.js';
import { sendEntry, uploadFilesOf } from './delivery.js';

export const SUBPROTOCOL = 'conversa.v1';
const kHistoryPage = 50;
const kSyncPage = 500;
// The protocol's defaults (docs/protocol.md, Limits) until the server's `limits` say otherwise.
const kDefaultLimits = { max_body_bytes: 16384, max_file_bytes: 26214400, max_files_per_message: 10 };
// A 429 or a 503 from POST /files: the same upload again after this pause.
const kUploadRetryMs = 10000;

export class RequestError extends Error {
    constructor(code, message, details = {}) {
        super(message || code);
        this.code = code;
        this.details = details;
    }
}

export class ChatClient extends Emitter {
    // `url`: ws(s)://host/ws. `createSocket(url, protocol)` makes a WebSocket-like object.
    // Browsers cannot send WebSocket pings, so the page finds a silently dead link itself: after
    // `probeAfterMs` without a frame it asks for `rooms`, and a request unanswered for
    // `requestTimeoutMs` counts as a lost connection.
    constructor({ url, store, createSocket, device = 'browser', backoff = new Backoff(),
                  setTimer = (f, ms) => setTimeout(f, ms), clearTimer = t => clearTimeout(t),
                  outbox = new Outbox(store), probeAfterMs = 30000, requestTimeoutMs = 20000,
                  upload = uploadWithXhr, download = downloadWithFetch, fileCache = null,
                  uploadRetryMs = kUploadRetryMs }) {
        super();
        this.url = url;
        this.store = store;
        this.createSocket = createSocket;
        this.device = device;
        this.backoff = backoff;
        this.setTimer = setTimer;
        this.clearTimer = clearTimer;
        this.outbox = outbox;
        this.state = 'starting'; // until start() has looked for a stored token
        this.reason = '';
        this.retryAt = 0;
        this.user = '';
        this.limits = {};
        this.rooms = new Map(); // name → { room, title, kind, lastSeq, readSeq, unread, log, members }
        this.openRoom = '';
        this.socket = null;
        this.nextId = 1;
        this.waiting = new Map(); // request id → { resolve, reject, timer }
        this.retryTimer = null;
        this.pumping = false;
        this.generation = 0; // bumps with each connection: stale callbacks check it
        this.probeAfterMs = probeAfterMs;
        this.requestTimeoutMs = requestTimeoutMs;
        this.lastFrameAt = 0;
        this.probeTimer = null;
        this.upload = upload;
        this.uploadRetryMs = uploadRetryMs;
        this.uploads = new Map(); // cid → { loaded, total, note } of the entry uploading now
        this.files = fileCache ?? new FileCache({
            download: async file => download({ file, token: await this.store.getSetting('token') }),
        });
    }

    // The server's limits, or the protocol's defaults for what it did not say.
    limit(name) {
        const value = this.limits?.[name];
        return Number.isInteger(value) && value > 0 ? value : kDefaultLimits[name];
    }

    // Re-armed by every frame that arrives; fires only on a link that went quiet.
    armProbe() {
        this.clearTimer(this.probeTimer);
        this.probeTimer = null;
        if (!this.socket || this.probeAfterMs <= 0)
            return;
        const generation = this.generation;
        this.probeTimer = this.setTimer(() => {
            if (generation === this.generation && this.state === 'online')
                this.request({ type: 'rooms' }).catch(() => {});
            else if (generation === this.generation)
                this.armProbe();
        }, this.probeAfterMs);
    }

    setState(state, reason = '') {
        this.state = state;
        this.reason = reason;
        this.emit('state', state, reason);
    }

    // Starts with the stored token, if any. Resolves to true when there was one.
    async start() {
        await this.outbox.load();
        const token = await this.store.getSetting('token');
        this.user = (await this.store.getSetting('user')) ?? '';
        if (!token) {
            this.setState('signedOut');
            return false;
        }
        this.connect();
        return true;
    }

    // A sign-in with a password: resolves when the server accepted it, rejects with the
    // server's words otherwise.
    signIn(user, password) {
        this.backoff.reset();
        this.pendingLogin = { user, password };
        return new Promise((resolve, reject) => {
            this.loginWaiter = { resolve, reject };
            this.connect();
        });
    }

    async signOut() {
        const socket = this.socket;
        if (socket && this.state === 'online') {
            try {
                await this.request({ type: 'logout' });
            } catch {
                // Revoked or unreachable: the token is forgotten below either way.
            }
        }
        await this.forgetSession();
        this.setState('signedOut');
    }

    async forgetSession() {
        ++this.generation;
        this.clearTimer(this.retryTimer);
        this.retryTimer = null;
        this.dropSocket();
        await this.store.deleteSetting('token');
        this.files.clear();
        this.rooms.clear();
        this.openRoom = '';
        this.emit('rooms');
    }

    // "Reconnect now": skips the rest of the wait.
    reconnectNow() {
        if (this.state !== 'waiting' && this.state !== 'connecting')
            return;
        this.clearTimer(this.retryTimer);
        this.retryTimer = null;
        this.dropSocket();
        this.connect();
    }

    // The browser says the network went away: no need to wait for a timeout.
    networkLost() {
        if (this.socket)
            this.connectionLost('the network is offline');
    }

    connect() {
        this.clearTimer(this.retryTimer);
        this.retryTimer = null;
        const generation = ++this.generation;
        this.setState('connecting');
        let socket;
        try {
            socket = this.createSocket(this.url, SUBPROTOCOL);
        } catch (error) {
            this.connectionLost(`cannot open ${this.url}: ${error.message}`);
            return;
        }
        this.socket = socket;
        socket.onopen = () => {
            if (generation !== this.generation)
                return;
            this.armProbe();
            this.authenticate(generation);
        };
        socket.onmessage = event => {
            if (generation !== this.generation)
                return;
            this.armProbe();
            this.onFrame(event.data);
        };
        socket.onclose = event => {
            if (generation === this.generation)
                this.onClose(event.code, event.reason);
        };
        socket.onerror = () => {};
    }

    dropSocket() {
        const socket = this.socket;
        this.socket = null;
        this.clearTimer(this.probeTimer);
        this.probeTimer = null;
        for (const [, waiter] of this.waiting) {
            this.clearTimer(waiter.timer);
            waiter.reject(new RequestError('disconnected', 'the connection closed'));
        }
        this.waiting.clear();
        if (socket) {
            socket.onopen = socket.onmessage = socket.onclose = null;
            try {
                socket.close();
            } catch {
                // already closed
            }
        }
    }

    onClose(code, reason) {
        if (code === 4001) {
            this.dropSocket();
            this.forgetSession().then(() => this.setState('authFailed',
                'this sign-in was revoked; sign in again'));
            return;
        }
        if (code === 1000 && this.state === 'signedOut')
            return;
        this.connectionLost(reason || `the connection closed (${code})`, code === 1001);
    }

    connectionLost(reason, goingAway = false) {
        ++this.generation;
        this.dropSocket();
        if (this.loginWaiter) {
            this.loginWaiter.reject(new RequestError('disconnected', reason));
            this.loginWaiter = null;
            this.pendingLogin = null;
            this.setState('signedOut', reason);
            return;
        }
        this.backoff.sessionLost();
        const delay = goingAway ? this.backoff.jitterMs(1000) : this.backoff.nextDelayMs();
        this.retryAt = Date.now() + delay;
        this.setState('waiting', reason);
        this.retryTimer = this.setTimer(() => this.connect(), delay);
    }

    request(frame) {
        const socket = this.socket;
        if (!socket)
            return Promise.reject(new RequestError('disconnected', 'not connected'));
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            // No answer in time: the link is dead even if the socket does not know yet.
            const timer = this.setTimer(() => {
                this.waiting.delete(id);
                reject(new RequestError('timeout', 'the server did not answer'));
                if (this.socket === socket)
                    this.connectionLost('the server stopped answering');
            }, this.requestTimeoutMs);
            this.waiting.set(id, { resolve, reject, timer });
            socket.send(JSON.stringify({ ...frame, id }));
        });
    }

    async authenticate(generation) {
        this.setState('authenticating');
        let answer;
        const login = this.pendingLogin;
        try {
            if (login) {
                answer = await this.request({ type: 'login', user: login.user,
                                              password: login.password, device: this.device });
            } else {
                answer = await this.request({ type: 'auth', token: await this.store.getSetting('token') });
            }
        } catch (error) {
            if (generation !== this.generation)
                return;
            if (error.code === 'unauthorized' || (login && error.code !== 'disconnected' && error.code !== 'timeout')) {
                this.pendingLogin = null;
                ++this.generation;
                this.dropSocket();
                if (login) {
                    this.loginWaiter?.reject(error);
                    this.loginWaiter = null;
                    this.setState('signedOut', error.message);
                } else {
                    await this.forgetSession();
                    this.setState('authFailed', error.message);
                }
                return;
            }
            this.connectionLost(error.message);
            return;
        }
        if (generation !== this.generation)
            return;
        if (login) {
            this.pendingLogin = null;
            if (this.user !== answer.user)
                this.rooms.clear();
            await this.store.setSetting('token', answer.token);
            await this.store.setSetting('user', answer.user);
            this.loginWaiter?.resolve(answer.user);
            this.loginWaiter = null;
        }
        this.user = answer.user;
        this.limits = answer.limits ?? {};
        this.backoff.sessionEstablished();
        await this.resume(generation);
    }

    async resume(generation) {
        this.setState('syncing');
        try {
            const { rooms } = await this.request({ type: 'rooms' });
            const listed = new Set();
            for (const r of rooms) {
                listed.add(r.room);
                let room = this.rooms.get(r.room);
                if (!room) {
                    room = { room: r.room, log: new RoomLog(), members: new Map(), loaded: false };
                    this.rooms.set(r.room, room);
                }
                // A dm's title is the other person's name (the server sends it so, in this
                // reply and in the room event), so the page shows room.title for every kind.
                room.title = r.title || r.room;
                room.kind = r.kind ?? 'public';
                room.peer = r.peer ?? '';
                room.lastSeq = r.last_seq ?? 0;
                room.readSeq = Math.max(room.readSeq ?? 0, r.read_seq ?? 0);
                room.unread = Number.isInteger(r.unread) ? r.unread
                                                         : Math.max(0, room.lastSeq - room.readSeq);
            }
            for (const name of [...this.rooms.keys()])
                if (!listed.has(name))
                    this.rooms.delete(name);
            this.emit('rooms');
            await Promise.all([...this.rooms.values()].map(room => this.catchUp(room)));
            if (generation !== this.generation)
                return;
            this.setState('online');
            if (this.openRoom && this.rooms.has(this.openRoom)) {
                this.markRead(this.openRoom);
                this.refreshMembers(this.openRoom);
            }
            this.pumpOutbox();
        } catch (error) {
            if (generation === this.generation)
                this.connectionLost(error.message);
        }
    }

    // A room never loaded gets its newest page; a loaded one syncs from its sync point.
    async catchUp(room) {
        if (!room.loaded) {
            const { messages } = await this.request({ type: 'history', room: room.room, limit: kHistoryPage });
            room.log.mergePage(messages, { fromHistory: true });
            if (messages.length < kHistoryPage)
                room.log.reachedStart = true;
            room.loaded = true;
        } else {
            await this.syncRoom(room);
        }
        await this.confirmStoredOutbox(room);
        this.emit('room', room.room);
    }

    async syncRoom(room) {
        for (;;) {
            const { messages, more } = await this.request({ type: 'sync', room: room.room,
                                                            after: room.log.cursor, limit: kSyncPage });
            room.log.mergePage(messages);
            if (!more || messages.length === 0)
                break;
        }
    }

    // Outbox entries whose cid is already in the room's log were stored before the link
    // dropped: nothing to send.
    async confirmStoredOutbox(room) {
        let changed = false;
        for (const entry of this.outbox.pending(this.user, room.room))
            if (room.log.hasCid(entry.cid))
                changed = (await this.outbox.confirm(entry.cid)) || changed;
        if (changed)
            this.emit('outbox');
    }

    onFrame(text) {
        let frame;
        try {
            frame = JSON.parse(text);
        } catch {
            return;
        }
        if (frame.re !== undefined) {
            const waiter = this.waiting.get(frame.re);
            if (!waiter)
                return;
            this.waiting.delete(frame.re);
            this.clearTimer(waiter.timer);
            if (frame.type === 'error')
                waiter.reject(new RequestError(frame.code || 'internal', frame.message));
            else
                waiter.resolve(frame);
            return;
        }
        switch (frame.type) {
        case 'message':
            this.onMessage(frame);
            break;
        case 'typing':
            this.emit('typing', frame.room, frame.user);
            break;
        case 'presence':
            for (const room of this.rooms.values())
                if (room.members.has(frame.user))
                    room.members.set(frame.user, frame.online === true);
            this.emit('presence', frame.user, frame.online === true);
            break;
        case 'room':
            // Added to a room elsewhere (dm, invite): the rooms list tells the rest.
            if (this.state === 'online')
                this.resume(this.generation);
            break;
        default:
            break; // kinds of events this page does not know
        }
    }

    onMessage(frame) {
        const room = this.rooms.get(frame.room);
        if (!room)
            return;
        const { changed, gap } = room.log.mergeLive(frame);
        room.lastSeq = Math.max(room.lastSeq, frame.seq);
        if (!frame.kind && frame.from !== this.user && changed) {
            if (this.openRoom === room.room && this.pageVisible())
                this.markRead(room.room);
            else
                room.unread += 1;
        }
        if (frame.from === this.user && frame.cid)
            this.outbox.confirm(frame.cid).then(removed => removed && this.emit('outbox'));
        if (gap)
            this.syncRoom(room).then(() => this.emit('room', room.room), () => {});
        this.emit('room', room.room);
        this.emit('rooms');
    }

    pageVisible() {
        return typeof document === 'undefined' || document.visibilityState !== 'hidden';
    }

    // Writes a message: into the outbox first (on disk), then out when the link allows.
    // `files`: [{ blob, name, type }]. Refused in words, before anything is stored, when a file is
    // over the server's max_file_bytes, there are more than max_files_per_message, or the
    // outbox's files would pass its bound (RequestError 'file_too_large', 'too_many_files',
    // 'outbox_full').
    async send(roomName, body, { replyTo = null, files = [] } = {}) {
        const maxFiles = this.limit('max_files_per_message');
        if (files.length > maxFiles)
            throw new RequestError('too_many_files', `a message carries at most ${maxFiles} files`,
                                   { limit: maxFiles });
        const maxBytes = this.limit('max_file_bytes');
        for (const file of files)
            if (file.blob.size > maxBytes)
                throw new RequestError('file_too_large',
                                       `${file.name} is over this server's limit of ${maxBytes} bytes`,
                                       { name: file.name, limit: maxBytes });
        let entry;
        try {
            entry = await this.outbox.add({ user: this.user, room: roomName, body, replyTo, files });
        } catch (error) {
            if (error.code === 'outbox_full')
                throw new RequestError('outbox_full', error.message, { limit: error.limit, held: error.held });
            throw error;
        }
        this.emit('outbox');
        this.pumpOutbox();
        return entry;
    }

    async pumpOutbox() {
        if (this.pumping || this.state !== 'online')
            return;
        this.pumping = true;
        const generation = this.generation;
        try {
            for (;;) {
                if (generation !== this.generation || this.state !== 'online')
                    break;
                const entry = this.outbox.next(this.user);
                if (!entry)
                    break;
                const uploaded = await uploadFilesOf(this, entry, generation);
                if (uploaded === 'stop')
                    break;
                if (uploaded === 'failed') {
                    this.emit('outbox');
                    continue;
                }
                if ((await sendEntry(this, entry)) === 'stop')
                    break;
                this.emit('outbox');
            }
        } finally {
            this.pumping = false;
            // A resume while this pump slept (an upload's or a rate limit's pause) found it busy:
            // the new connection's pump starts here.
            if (generation !== this.generation && this.state === 'online')
                this.pumpOutbox();
        }
    }

    // An edit or a deletion of message `target`: through the outbox, like a message.
    async change(roomName, target, { body = '', kind = 'edit' } = {}) {
        await this.outbox.add({ user: this.user, room: roomName, body, kind, target });
        this.emit('outbox');
        this.pumpOutbox();
    }

    async retry(cid) {
        await this.outbox.retry(cid);
        this.emit('outbox');
        this.pumpOutbox();
    }

    async discard(cid) {
        await this.outbox.discard(cid);
        this.emit('outbox');
    }

    async selectRoom(name) {
        this.openRoom = name;
        const room = this.rooms.get(name);
        if (!room)
            return;
        this.emit('room', name);
        this.markRead(name);
        if (this.state === 'online')
            this.refreshMembers(name);
    }

    markRead(name) {
        const room = this.rooms.get(name);
        if (!room)
            return;
        room.unread = 0;
        const seq = room.log.cursor;
        if (seq > room.readSeq && this.state === 'online') {
            room.readSeq = seq;
            this.request({ type: 'read', room: name, seq }).catch(() => {});
        }
        this.emit('rooms');
    }

    async refreshMembers(name) {
        const room = this.rooms.get(name);
        try {
            const { members } = await this.request({ type: 'members', room: name });
            room.members = new Map(members.map(m => [m.user, m.online === true]));
            this.emit('room', name);
        } catch {
            // offline: presence comes back with the next resume
        }
    }

    // Scrollback: the page before the oldest loaded message. Resolves to the number loaded.
    async loadOlder(name) {
        const room = this.rooms.get(name);
        if (!room || room.log.reachedStart || this.state !== 'online' || room.loadingOlder)
            return 0;
        room.loadingOlder = true;
        try {
            const frame = { type: 'history', room: name, limit: kHistoryPage };
            if (room.log.oldest > 0)
                frame.before = room.log.oldest;
            const { messages } = await this.request(frame);
            room.log.mergePage(messages, { fromHistory: true });
            if (messages.length < kHistoryPage)
                room.log.reachedStart = true;
            this.emit('room', name);
            return messages.length;
        } finally {
            room.loadingOlder = false;
        }
    }

    typing(name) {
        if (this.state !== 'online' || !this.socket)
            return;
        const now = Date.now();
        if (now - (this.lastTypingSent ?? 0) < 3000)
            return;
        this.lastTypingSent = now;
        this.socket.send(JSON.stringify({ type: 'typing', room: name }));
    }

    // Messages of the user's rooms with every word of `query`, newest first.
    search(query, { room, limit = 50 } = {}) {
        const frame = { type: 'search', query, limit };
        if (room)
            frame.room = room;
        return this.request(frame);
    }

    // The ok is the log entry's seq: applied at once (the event, if it comes too, counts once).
    async react(name, target, emoji, on) {
        const ok = await this.request({ type: 'react', room: name, target, emoji, on });
        const room = this.rooms.get(name);
        if (room && Number.isInteger(ok.seq)) {
            room.log.mergeLive({ seq: ok.seq, ts: ok.ts, kind: 'reaction', target, emoji, on, from: this.user });
            this.emit('room', name);
        }
        return ok;
    }
}

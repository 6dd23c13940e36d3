// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { Outbox, newCid } from '../../../../web/engine/outbox.js';
import { MemoryStore } from '../../../../web/engine/store.js';
import { ChatClient } from '../../../../web/engine/client.js';
import { Backoff } from '../../../../web/engine/backoff.js';

// Browsers (and Node 20) have globalThis.crypto; Node 18 has it only in node:crypto.
globalThis.crypto ??= webcrypto;

test('entries are stored before add() returns and survive a new Outbox on the same store', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox(store);
    await outbox.load();
    const a = await outbox.add({ user: 'amy', room: 'general', body: 'one' });
    const b = await outbox.add({ user: 'amy', room: 'general', body: 'two' });
    assert.notEqual(a.cid, b.cid);
    const reloaded = new Outbox(store);
    const entries = await reloaded.load();
    assert.deepEqual(entries.map(e => [e.cid, e.body]), [[a.cid, 'one'], [b.cid, 'two']]);
    assert.equal(reloaded.next('amy').cid, a.cid);
    assert.equal(reloaded.next('bob'), null);
});

test('order holds even when the clock stands still or goes back', async () => {
    let now = 5000;
    const outbox = new Outbox(new MemoryStore(), { clock: () => now });
    await outbox.load();
    const bodies = ['a', 'b', 'c', 'd'];
    for (const body of bodies) {
        await outbox.add({ user: 'amy', room: 'r', body });
        now -= 1000;
    }
    const reloaded = new Outbox(outbox.store);
    assert.deepEqual((await reloaded.load()).map(e => e.body), bodies);
});

test('confirm removes, fail keeps with the reason, retry sends again with the same cid', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox(store);
    await outbox.load();
    const a = await outbox.add({ user: 'amy', room: 'r', body: 'too big' });
    const b = await outbox.add({ user: 'amy', room: 'r', body: 'fine' });
    await outbox.fail(a.cid, 'too large');
    assert.equal(outbox.next('amy').cid, b.cid); // a failed entry does not block the rest
    assert.equal((await store.outboxEntries())[0].state, 'failed');
    assert.equal(await outbox.confirm(b.cid), true);
    assert.equal(await outbox.confirm(b.cid), false);
    await outbox.retry(a.cid);
    assert.equal(outbox.next('amy').cid, a.cid);
    await outbox.discard(a.cid);
    assert.deepEqual(await store.outboxEntries(), []);
});

test('cids are UUIDs, also where only getRandomValues exists', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    assert.match(newCid(), uuid);
    const onlyRandom = { getRandomValues: array => globalThis.crypto.getRandomValues(array) };
    const seen = new Set();
    for (let i = 0; i < 100; ++i) {
        const cid = newCid(onlyRandom);
        assert.match(cid, uuid);
        seen.add(cid);
    }
    assert.equal(seen.size, 100);
});

// A WebSocket stand-in whose server stores a message per cid once, like conversa-server.
class FakeServer {
    constructor() {
        this.stored = [];
        this.sockets = [];
        this.dropNextAck = false;
        this.silent = false; // a link that died without a close: nothing answers
    }
    connect() {
        const server = this;
        const socket = {
            sent: [],
            send(text) {
                const frame = JSON.parse(text);
                this.sent.push(frame);
                queueMicrotask(() => server.handle(socket, frame));
            },
            close() { this.closed = true; },
        };
        this.sockets.push(socket);
        queueMicrotask(() => socket.onopen?.());
        return socket;
    }
    reply(socket, frame) {
        if (!socket.closed && !this.silent)
            socket.onmessage?.({ data: JSON.stringify(frame) });
    }
    handle(socket, frame) {
        switch (frame.type) {
        case 'auth': return this.reply(socket, { type: 'ok', re: frame.id, user: 'amy' });
        case 'rooms': return this.reply(socket, { type: 'ok', re: frame.id, rooms: [{ room: 'r', title: 'R', last_seq: this.stored.length, read_seq: 0 }] });
        case 'history': case 'sync':
            return this.reply(socket, { type: 'ok', re: frame.id, more: false,
                                        messages: this.stored.filter(m => frame.type === 'history' || m.seq > frame.after) });
        case 'members': return this.reply(socket, { type: 'ok', re: frame.id, members: [] });
        case 'read': return this.reply(socket, { type: 'ok', re: frame.id });
        case 'send': {
            let message = this.stored.find(m => m.cid === frame.cid);
            if (!message) {
                message = { seq: this.stored.length + 1, ts: 1, from: 'amy', cid: frame.cid, body: frame.body };
                this.stored.push(message);
            }
            if (this.dropNextAck) { // stored, then the link dies before the ok
                this.dropNextAck = false;
                socket.closed = true;
                return socket.onclose?.({ code: 1006, reason: '' });
            }
            return this.reply(socket, { type: 'ok', re: frame.id, room: 'r', seq: message.seq, ts: 1 });
        }
        default: return this.reply(socket, { type: 'error', re: frame.id, code: 'bad_request' });
        }
    }
}

async function settle(client, state = 'online') {
    for (let i = 0; i < 200 && (client.state !== state || client.pumping || client.outbox.entries.length); ++i)
        await new Promise(resolve => setTimeout(resolve, 5));
}

test('a message written offline goes out once after reconnect, even if its first ok was lost', async () => {
    const server = new FakeServer();
    const store = new MemoryStore();
    await store.setSetting('token', 't');
    await store.setSetting('user', 'amy');
    const client = new ChatClient({ url: 'ws://x/ws', store, createSocket: () => server.connect(),
                                    backoff: new Backoff({ baseMs: 1, random: () => 0 }) });
    // Written by an earlier life of the page, before a reload with the server down.
    const earlier = new Outbox(store);
    await earlier.load();
    await earlier.add({ user: 'amy', room: 'r', body: 'one' });
    server.dropNextAck = true;
    await client.start();
    await settle(client);
    await client.send('r', 'two');
    await settle(client);
    assert.deepEqual(server.stored.map(m => m.body), ['one', 'two']);
    assert.deepEqual(await store.outboxEntries(), []);
    assert.deepEqual(client.rooms.get('r').log.list().map(m => m.body), ['one', 'two']);
    // 'one' was stored before its ok was lost: the resume finds its cid in the room and does
    // not send it again.
    const sends = server.sockets.flatMap(s => s.sent).filter(f => f.type === 'send' && f.body === 'one');
    assert.equal(sends.length, 1);
    assert.equal(server.sockets.length, 2);
    client.dropSocket(); // no timers left behind
});

test('a link that goes silent is found by the probe and reported, then resumed', async () => {
    const server = new FakeServer();
    const store = new MemoryStore();
    await store.setSetting('token', 't');
    await store.setSetting('user', 'amy');
    const states = [];
    const client = new ChatClient({ url: 'ws://x/ws', store, createSocket: () => server.connect(),
                                    backoff: new Backoff({ baseMs: 200, random: () => 1 }),
                                    probeAfterMs: 50, requestTimeoutMs: 100 });
    client.on('state', (state, reason) => states.push(reason ? `${state}: ${reason}` : state));
    await client.start();
    await settle(client);
    server.silent = true;
    for (let i = 0; i < 100 && client.state === 'online'; ++i)
        await new Promise(resolve => setTimeout(resolve, 10));
    assert.equal(client.state, 'waiting');
    assert.equal(client.reason, 'the server stopped answering');
    const probe = server.sockets[0].sent.at(-1);
    assert.equal(probe.type, 'rooms');
    server.silent = false;
    await settle(client);
    assert.equal(client.state, 'online');
    assert.equal(server.sockets.length, 2);
    client.dropSocket();
});

// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The file side of the outbox: bytes kept with the entry and bounded, each upload done once and
// remembered across a reload, the message sent once with its cid and the server's file ids,
// refusals by status; and the page's file cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { Outbox } from '../../../../web/engine/outbox.js';
import { MemoryStore } from '../../../../web/engine/store.js';
import { ChatClient } from '../../../../web/engine/client.js';
import { Backoff } from '../../../../web/engine/backoff.js';
import { FileCache, UploadError, downloadWithFetch, isInlineImage } from '../../../../web/engine/files.js';

globalThis.crypto ??= webcrypto;

const MiB = 1024 * 1024;
const bytes = (n, fill = 1) => new Blob([new Uint8Array(n).fill(fill)]);

test('files are kept with their entry, bounded in all, and refused in words past the bound', async () => {
    const store = new MemoryStore();
    const outbox = new Outbox(store, { maxFileBytes: 10 * MiB });
    await outbox.load();
    const a = await outbox.add({ user: 'amy', room: 'r', files: [{ blob: bytes(6 * MiB), name: 'a.png', type: 'image/png' }] });
    assert.equal(outbox.fileBytes(), 6 * MiB);
    await assert.rejects(
        outbox.add({ user: 'amy', room: 'r', body: 'b', files: [{ blob: bytes(5 * MiB), name: 'b.bin' }] }),
        error => error.code === 'outbox_full' && /10 MiB together; 6 MiB are waiting/.test(error.message));
    assert.equal(outbox.entries.length, 1, 'a refused message is not kept');
    // Text alone still goes in; a failed entry's files still count (it can be retried).
    await outbox.add({ user: 'amy', room: 'r', body: 'text only' });
    await outbox.fail(a.cid, 'too large', 413);
    assert.equal(outbox.fileBytes(), 6 * MiB);
    await assert.rejects(outbox.add({ user: 'amy', room: 'r', files: [{ blob: bytes(5 * MiB), name: 'c' }] }));
    // Discarding it frees the space.
    await outbox.discard(a.cid);
    await outbox.add({ user: 'amy', room: 'r', files: [{ blob: bytes(5 * MiB), name: 'c' }] });
    assert.equal(outbox.fileBytes(), 5 * MiB);

    // The bytes, the name and the type survive a reload; so does an upload already done.
    const reloaded = new Outbox(store);
    const entries = await reloaded.load();
    const withFile = entries.find(e => e.files.length === 1);
    assert.equal(withFile.files[0].name, 'c');
    assert.equal(withFile.files[0].type, 'application/octet-stream');
    assert.equal(withFile.files[0].blob.size, 5 * MiB);
    await reloaded.uploaded(withFile.cid, 0, { file: 'f'.repeat(32), name: 'c', size: 5 * MiB }, 1234);
    const again = await new Outbox(store).load();
    assert.equal(again.find(e => e.cid === withFile.cid).files[0].ref.file, 'f'.repeat(32));
    assert.equal(again.find(e => e.cid === withFile.cid).files[0].uploadedAt, 1234);
});

// A WebSocket stand-in that stores a message per cid once and checks its files were uploaded.
class FilesServer {
    constructor() {
        this.stored = [];
        this.sockets = [];
        this.uploads = new Map(); // id → { name, type, size }
        this.uploadCalls = 0;
        this.refuseUploads = []; // statuses to answer next, in order
        this.dropNextAck = false;
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
    // The engine's `upload` option: what POST /files would do.
    async upload({ blob, name, type, token, onProgress }) {
        ++this.uploadCalls;
        assert.equal(token, 't');
        const status = this.refuseUploads.shift();
        if (status !== undefined)
            throw new UploadError(status, `refused with ${status}`);
        onProgress(blob.size / 2, blob.size);
        onProgress(blob.size, blob.size);
        const file = String(this.uploads.size + 1).padStart(32, '0');
        const ref = { file, name, type, size: blob.size };
        this.uploads.set(file, ref);
        return ref;
    }
    reply(socket, frame) {
        if (!socket.closed)
            socket.onmessage?.({ data: JSON.stringify(frame) });
    }
    handle(socket, frame) {
        switch (frame.type) {
        case 'auth': return this.reply(socket, { type: 'ok', re: frame.id, user: 'amy',
                                                 limits: { max_file_bytes: 4 * MiB, max_files_per_message: 2 } });
        case 'rooms': return this.reply(socket, { type: 'ok', re: frame.id, rooms: [{ room: 'r', title: 'R', last_seq: this.stored.length, read_seq: 0 }] });
        case 'history': case 'sync':
            return this.reply(socket, { type: 'ok', re: frame.id, more: false,
                                        messages: this.stored.filter(m => frame.type === 'history' || m.seq > frame.after) });
        case 'members': return this.reply(socket, { type: 'ok', re: frame.id, members: [] });
        case 'read': return this.reply(socket, { type: 'ok', re: frame.id });
        case 'send': {
            const files = (frame.files ?? []).map(id => this.uploads.get(id));
            if (files.some(f => !f))
                return this.reply(socket, { type: 'error', re: frame.id, code: 'forbidden', message: 'you cannot attach that file' });
            let message = this.stored.find(m => m.cid === frame.cid);
            if (!message) {
                message = { seq: this.stored.length + 1, ts: 1, from: 'amy', cid: frame.cid, body: frame.body, files };
                this.stored.push(message);
            }
            if (this.dropNextAck) {
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

async function settle(client) {
    for (let i = 0; i < 400 && (client.state !== 'online' || client.pumping ||
                                client.outbox.entries.some(e => e.state === 'pending')); ++i)
        await new Promise(resolve => setTimeout(resolve, 5));
}

async function makeClient(server, store, options = {}) {
    await store.setSetting('token', 't');
    await store.setSetting('user', 'amy');
    const urls = new Map();
    const fileCache = new FileCache({ download: async () => { throw new Error('not downloaded here'); },
                                      createUrl: blob => { const url = `blob:${urls.size}`; urls.set(url, blob); return url; },
                                      revokeUrl: url => urls.delete(url) });
    return new ChatClient({ url: 'ws://x/ws', store, createSocket: () => server.connect(),
                            backoff: new Backoff({ baseMs: 1, random: () => 0 }),
                            upload: args => server.upload(args), fileCache, uploadRetryMs: 5, ...options });
}

test('files typed offline are uploaded on reconnect and the message goes out once with its cid', async () => {
    const server = new FilesServer();
    const store = new MemoryStore();
    // Written by an earlier life of the page while the server was down.
    const earlier = new Outbox(store);
    await earlier.load();
    const offline = await earlier.add({ user: 'amy', room: 'r', body: 'the plan',
                                        files: [{ blob: bytes(1000, 7), name: 'plan.png', type: 'image/png' },
                                                { blob: bytes(50, 8), name: 'notes.txt', type: 'text/plain' }] });
    server.dropNextAck = true; // stored, then the link dies before the ok
    const client = await makeClient(server, store);
    const progress = [];
    client.on('upload', cid => {
        const state = client.uploads.get(cid);
        if (state)
            progress.push(`${state.name} ${state.loaded}/${state.total}`);
    });
    await client.start();
    await settle(client);
    assert.equal(server.stored.length, 1);
    const [message] = server.stored;
    assert.equal(message.cid, offline.cid);
    assert.deepEqual(message.files.map(f => f.name), ['plan.png', 'notes.txt']);
    assert.equal(server.uploadCalls, 2, 'each file uploaded once although the ok was lost');
    const sends = server.sockets.flatMap(s => s.sent).filter(f => f.type === 'send');
    assert.equal(sends.length, 1, 'the resume found the cid in the room and did not send again');
    assert.deepEqual(sends[0].files, ['00000000000000000000000000000001', '00000000000000000000000000000002']);
    assert.ok(progress.includes('plan.png 500/1000') && progress.includes('notes.txt 50/50'), progress.join(', '));
    assert.deepEqual(await store.outboxEntries(), []);
    client.dropSocket();
});

test('an upload done before a reload is not done again; the sender sees its own bytes', async () => {
    const server = new FilesServer();
    const store = new MemoryStore();
    const earlier = new Outbox(store);
    await earlier.load();
    const entry = await earlier.add({ user: 'amy', room: 'r', files: [{ blob: bytes(10), name: 'a.png', type: 'image/png' }] });
    const ref = await server.upload({ blob: bytes(10), name: 'a.png', type: 'image/png', token: 't', onProgress() {} });
    await earlier.uploaded(entry.cid, 0, ref, Date.now());
    const client = await makeClient(server, store);
    await client.start();
    await settle(client);
    assert.equal(server.uploadCalls, 1);
    assert.equal(server.stored.length, 1);
    const shown = client.rooms.get('r').log.list()[0];
    assert.equal(shown.files[0].file, ref.file);
    // Its bytes are in the cache already: no download for the sender's own picture.
    assert.ok(client.files.readyUrl(ref.file).startsWith('blob:'));
    client.dropSocket();
});

test('an upload older than the server keeps unattached files is done again', async () => {
    const server = new FilesServer();
    const store = new MemoryStore();
    const earlier = new Outbox(store);
    await earlier.load();
    const entry = await earlier.add({ user: 'amy', room: 'r', files: [{ blob: bytes(10), name: 'old.png', type: 'image/png' }] });
    await earlier.uploaded(entry.cid, 0, { file: 'e'.repeat(32), name: 'old.png' }, Date.now() - 21 * 3600 * 1000);
    const client = await makeClient(server, store);
    await client.start();
    await settle(client);
    assert.equal(server.uploadCalls, 1);
    assert.equal(server.stored[0].files[0].file, '00000000000000000000000000000001');
    client.dropSocket();
});

test('413, 415 and 507 mark the message failed with the status; 429 waits and tries again', async () => {
    const server = new FilesServer();
    const store = new MemoryStore();
    const client = await makeClient(server, store);
    await client.start();
    await settle(client);
    server.refuseUploads = [429, 0, 413];
    // Each try starts with no status; a try repeated after a pause carries the status and the
    // server's sentence, which the page words.
    const tries = [];
    client.on('upload', cid => {
        const state = client.uploads.get(cid);
        if (state && !tries.some(t => t.state === state && t.status === state.status))
            tries.push({ state, status: state.status, note: state.note });
    });
    const big = await client.send('r', 'look', { files: [{ blob: bytes(10), name: 'big.png', type: 'image/png' }] });
    await settle(client);
    assert.equal(server.uploadCalls, 3, '429 and a lost answer were tried again, 413 was not');
    assert.deepEqual(tries.map(({ status, note }) => [status, note]),
                     [[null, ''], [429, 'refused with 429'], [null, ''], [0, 'refused with 0'], [null, '']]);
    const failed = client.outbox.entries.find(e => e.cid === big.cid);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.errorStatus, 413);
    assert.equal(failed.error, 'refused with 413');
    assert.equal(server.stored.length, 0);
    // A later message does not wait behind the failed one.
    await client.send('r', 'text after it');
    await settle(client);
    assert.deepEqual(server.stored.map(m => m.body), ['text after it']);
    // Retry: the same cid, uploaded now.
    await client.retry(big.cid);
    await settle(client);
    assert.deepEqual(server.stored.map(m => m.body), ['text after it', 'look']);
    assert.equal(server.stored[1].cid, big.cid);
    for (const status of [415, 507]) {
        server.refuseUploads = [status];
        const entry = await client.send('r', '', { files: [{ blob: bytes(3), name: 'x.png', type: 'image/png' }] });
        await settle(client);
        assert.equal(client.outbox.entries.find(e => e.cid === entry.cid).errorStatus, status);
    }
    client.dropSocket();
});

test('uploads cut off again and again while the link is up end as failed, in words', async () => {
    const server = new FilesServer();
    const store = new MemoryStore();
    const client = await makeClient(server, store);
    await client.start();
    await settle(client);
    server.refuseUploads = [0, 0, 0, 0];
    const entry = await client.send('r', 'cut off', { files: [{ blob: bytes(10), name: 'cut.bin' }] });
    await settle(client);
    assert.equal(server.uploadCalls, 3);
    const failed = client.outbox.entries.find(e => e.cid === entry.cid);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.errorStatus, 0);
    assert.equal(failed.error, 'refused with 0');
    client.dropSocket();
});

test('the server\'s limits refuse a file or a message in words before anything is stored', async () => {
    const server = new FilesServer();
    const store = new MemoryStore();
    const client = await makeClient(server, store);
    await client.start();
    await settle(client);
    await assert.rejects(client.send('r', 'x', { files: [{ blob: bytes(4 * MiB + 1), name: 'huge.iso' }] }),
                         error => error.code === 'file_too_large' && error.details.name === 'huge.iso' &&
                                  error.details.limit === 4 * MiB);
    const three = [1, 2, 3].map(i => ({ blob: bytes(1), name: `${i}.txt` }));
    await assert.rejects(client.send('r', 'x', { files: three }),
                         error => error.code === 'too_many_files' && error.details.limit === 2);
    assert.deepEqual(await store.outboxEntries(), []);
    client.dropSocket();
});

test('the file cache downloads once, evicts the least recently used, remembers failures', async () => {
    const downloads = [];
    const revoked = [];
    let next = 0;
    const cache = new FileCache({
        maxBytes: 100,
        download: async id => {
            downloads.push(id);
            if (id === 'gone')
                throw new UploadError(404, 'this file is gone');
            return bytes(40);
        },
        createUrl: () => `blob:${++next}`,
        revokeUrl: url => revoked.push(url),
    });
    const [a1, a2] = await Promise.all([cache.get('a'), cache.get('a')]);
    assert.equal(a1.url, a2.url);
    await cache.get('b');
    assert.deepEqual(downloads, ['a', 'b']);
    assert.equal(cache.readyUrl('a'), 'blob:1'); // a is now the most recently used
    await cache.get('c'); // 120 bytes: b goes
    assert.deepEqual(revoked, ['blob:2']);
    assert.equal(cache.readyUrl('b'), '');
    assert.equal(cache.readyUrl('a'), 'blob:1');
    await assert.rejects(cache.get('gone'));
    await assert.rejects(cache.get('gone'));
    assert.equal(downloads.filter(id => id === 'gone').length, 1);
    assert.equal(cache.error('gone').status, 404);
    await assert.rejects(cache.get('gone', { force: true }));
    assert.equal(downloads.filter(id => id === 'gone').length, 2);
    cache.put('mine', bytes(10));
    assert.ok(cache.readyUrl('mine'));
    cache.clear();
    assert.equal(cache.bytes, 0);
    assert.equal(revoked.length, 4);
});

test('a refused download carries the status and the server\'s own sentence, no words of its own', async () => {
    const answer = (status, body) => async () => new Response(body, { status });
    const refusal = async fetchFunction => {
        try {
            await downloadWithFetch({ file: 'f'.repeat(32), token: 't', fetchFunction, origin: 'http://x' });
        } catch (error) {
            assert.ok(error instanceof UploadError);
            return [error.status, error.message];
        }
        assert.fail('the download did not fail');
    };
    assert.deepEqual(await refusal(answer(404, '{"message":"there is no such file"}')), [404, 'there is no such file']);
    assert.deepEqual(await refusal(answer(502, '<html>bad gateway</html>')), [502, '']);
    assert.deepEqual(await refusal(async () => { throw new TypeError('Failed to fetch'); }), [0, '']);
});

test('only the four image types show inline, up to a size', () => {
    assert.ok(isInlineImage({ type: 'image/png', size: 10 }));
    assert.ok(!isInlineImage({ type: 'image/svg+xml', size: 10 }));
    assert.ok(!isInlineImage({ type: 'image/png', size: 11 * MiB }));
});

// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Messages the user wrote that the server has not confirmed yet, kept in a store (IndexedDB
// in the browser) so they survive a reload. Each has a `cid` chosen once; sending it again
// with the same cid is harmless (the server answers with the original seq), so a message goes
// out once however often the link drops. Entries go out in the order they were written.
//
// A message with files keeps their bytes in its entry (`files`: [{ blob, name, type, size,
// ref, uploadedAt }]) until the server confirms the message; each file's upload is remembered
// (`ref`, the server's answer) as soon as it is done, so a reload does not upload it again.
// All entries together hold at most `maxFileBytes` of files.
import { kOutboxFileBytes } from './files.js';

export class OutboxFullError extends Error {
    constructor(limit, held) {
        super(`the files waiting to be sent may take ${Math.round(limit / 1048576)} MiB ` +
              `together; ${Math.round(held / 1048576)} MiB are waiting already`);
        this.code = 'outbox_full';
        this.limit = limit;
        this.held = held;
    }
}

export const PERMANENT_ERRORS = new Set(['bad_request', 'too_large', 'forbidden', 'not_found']);

export function newCid(cryptoSource = globalThis.crypto) {
    if (typeof cryptoSource?.randomUUID === 'function')
        return cryptoSource.randomUUID();
    // randomUUID is only in secure contexts; getRandomValues is everywhere.
    const bytes = cryptoSource.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map(b => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class Outbox {
    constructor(store, { makeCid = newCid, clock = Date.now, maxFileBytes = kOutboxFileBytes } = {}) {
        this.store = store;
        this.maxFileBytes = maxFileBytes;
        this.makeCid = makeCid;
        this.clock = clock;
        this.entries = [];
        this.loaded = false;
    }

    async load() {
        this.entries = await this.store.outboxEntries();
        this.loaded = true;
        return this.entries;
    }

    // Stores the message before returning it: once add() resolves, a reload keeps it.
    // `kind` is 'send' (a new message), 'edit' or 'delete' (of message `target`): all three are
    // idempotent by cid, so all three wait here alike.
    // `files`: [{ blob, name, type }] (File objects are Blobs with a name and a type).
    async add({ user, room, body = '', replyTo = null, kind = 'send', target = null, files = [] }) {
        const attached = files.map(f => ({
            blob: f.blob, name: f.name || 'file', type: f.type || 'application/octet-stream',
            size: f.blob.size, ref: null, uploadedAt: 0,
        }));
        const adding = attached.reduce((sum, f) => sum + f.size, 0);
        const held = this.fileBytes();
        if (adding > 0 && held + adding > this.maxFileBytes)
            throw new OutboxFullError(this.maxFileBytes, held);
        const last = this.entries.at(-1);
        const entry = {
            cid: this.makeCid(), user, room, body, replyTo, kind, target, files: attached,
            createdAt: this.clock(),
            order: Math.max(this.clock(), last ? last.order + 1 : 0),
            state: 'pending', error: '',
        };
        await this.store.putOutboxEntry(entry);
        this.entries.push(entry);
        return entry;
    }

    // Bytes of files that entries hold (failed ones too: they can be retried).
    fileBytes() {
        let bytes = 0;
        for (const entry of this.entries)
            for (const file of entry.files ?? [])
                bytes += file.size;
        return bytes;
    }

    // File `index` of entry `cid` is on the server as `ref`: remembered on disk at once.
    async uploaded(cid, index, ref, at = this.clock()) {
        const entry = this.entries.find(e => e.cid === cid);
        if (!entry?.files?.[index])
            return;
        entry.files[index] = { ...entry.files[index], ref, uploadedAt: at };
        await this.store.putOutboxEntry(entry);
    }

    // The next entry to send for `user` (entries of another account wait for it).
    next(user) {
        return this.entries.find(e => e.state === 'pending' && e.user === user) ?? null;
    }

    pending(user, room) {
        return this.entries.filter(e => e.user === user && (room === undefined || e.room === room));
    }

    // The server stored it (ok, or its cid came back in the room's log).
    async confirm(cid) {
        const index = this.entries.findIndex(e => e.cid === cid);
        if (index < 0)
            return false;
        await this.store.deleteOutboxEntry(cid);
        this.entries.splice(index, 1);
        return true;
    }

    // `status`: the HTTP status of a refused upload (the page says it in its own words), or 0.
    async fail(cid, error, status = 0) {
        const entry = this.entries.find(e => e.cid === cid);
        if (!entry)
            return;
        entry.state = 'failed';
        entry.error = error;
        entry.errorStatus = status;
        await this.store.putOutboxEntry(entry);
    }

    // A failed entry goes out again, with its original cid.
    async retry(cid) {
        const entry = this.entries.find(e => e.cid === cid);
        if (!entry)
            return;
        entry.state = 'pending';
        entry.error = '';
        entry.errorStatus = 0;
        await this.store.putOutboxEntry(entry);
    }

    discard(cid) { return this.confirm(cid); }
}

// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Where the page keeps what must outlive a reload: the device token and the outbox (with the
// bytes of the files its messages carry, as Blobs, which IndexedDB stores as they are). Both
// stores have the same small async interface, so the engine runs on either:
//   getSetting(key), setSetting(key, value), deleteSetting(key)
//   outboxEntries() (oldest first), putOutboxEntry(entry), deleteOutboxEntry(cid)
// IndexedDbStore is the browser's; MemoryStore is for Node's tests. Nothing goes to cookies,
// localStorage or the URL.

export class MemoryStore {
    constructor() {
        this.settings = new Map();
        this.outbox = new Map();
    }
    async getSetting(key) { return this.settings.get(key); }
    async setSetting(key, value) { this.settings.set(key, value); }
    async deleteSetting(key) { this.settings.delete(key); }
    async outboxEntries() {
        return [...this.outbox.values()].map(copyEntry).sort((a, b) => a.order - b.order);
    }
    async putOutboxEntry(entry) { this.outbox.set(entry.cid, copyEntry(entry)); }
    async deleteOutboxEntry(cid) { this.outbox.delete(cid); }
}

// What IndexedDB's structured clone does to an entry, as far as the engine can tell: nothing
// shared with the caller (the Blobs themselves are immutable).
function copyEntry(entry) {
    return { ...entry, files: (entry.files ?? []).map(file => ({ ...file })) };
}

const kDatabase = 'conversa';
const kVersion = 1;

export class IndexedDbStore {
    // `name` lets one browser profile keep accounts of several servers apart (the origin
    // already does).
    static async open(indexedDB = globalThis.indexedDB, name = kDatabase) {
        const db = await new Promise((resolve, reject) => {
            const request = indexedDB.open(name, kVersion);
            request.onupgradeneeded = () => {
                const db = request.result;
                if (!db.objectStoreNames.contains('settings'))
                    db.createObjectStore('settings');
                if (!db.objectStoreNames.contains('outbox'))
                    db.createObjectStore('outbox', { keyPath: 'cid' });
            };
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
            request.onblocked = () => reject(new Error('the page\'s database is blocked by another tab'));
        });
        return new IndexedDbStore(db);
    }

    constructor(db) { this.db = db; }

    // Resolves once the transaction has committed (the entry is on disk, not just queued).
    run(storeName, mode, work) {
        return new Promise((resolve, reject) => {
            const transaction = this.db.transaction(storeName, mode);
            let result;
            const request = work(transaction.objectStore(storeName));
            if (request)
                request.onsuccess = () => { result = request.result; };
            transaction.oncomplete = () => resolve(result);
            transaction.onerror = () => reject(transaction.error);
            transaction.onabort = () => reject(transaction.error ?? new Error('aborted'));
        });
    }

    getSetting(key) { return this.run('settings', 'readonly', s => s.get(key)); }
    setSetting(key, value) { return this.run('settings', 'readwrite', s => s.put(value, key)); }
    deleteSetting(key) { return this.run('settings', 'readwrite', s => s.delete(key)); }
    async outboxEntries() {
        const all = await this.run('outbox', 'readonly', s => s.getAll());
        return (all ?? []).sort((a, b) => a.order - b.order);
    }
    putOutboxEntry(entry) { return this.run('outbox', 'readwrite', s => s.put(entry)); }
    deleteOutboxEntry(cid) { return this.run('outbox', 'readwrite', s => s.delete(cid)); }
}

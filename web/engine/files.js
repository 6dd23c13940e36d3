// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Files over HTTP (docs/protocol.md section 16): uploads with POST /files and downloads with
// GET /files/<id>, both with the device token as a bearer token, and the rules the page keeps
// about them: which types show inline and how many bytes the page holds at once. A refusal is
// its HTTP status and the server's own sentence; the page words it (attachments.js).

// What the outbox may hold in files waiting to go out, all entries together.
export const kOutboxFileBytes = 100 * 1024 * 1024;
// Downloaded files kept as blob: URLs for the page; the least recently used go first.
export const kFileCacheBytes = 64 * 1024 * 1024;
// Pictures larger than this show as a card, not fetched unasked.
export const kInlineImageBytes = 10 * 1024 * 1024;
// Uploads older than this are sent again before the message: the server deletes an upload
// that no message carries after unattached_file_ttl_seconds (24 h by default).
export const kUploadReuseMs = 20 * 60 * 60 * 1000;

const kInlineTypes = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export class UploadError extends Error {
    // `status` is the HTTP status (0: no answer), `message` the server's sentence ('' if none).
    constructor(status, message) {
        super(message);
        this.status = status;
    }

    // 413 (too big, over quota), 415 (not the image it claims), 507 (disk full), 400 and 401 do
    // not get better by trying again at once (the person may retry); 429, 503 and a lost
    // connection do.
    get permanent() { return [400, 401, 404, 413, 415, 507].includes(this.status); }
}

export function isInlineImage(ref) {
    return !!ref && kInlineTypes.has(ref.type) && (ref.size ?? 0) <= kInlineImageBytes;
}

function serverSentence(text) {
    try {
        const parsed = JSON.parse(text);
        return typeof parsed?.message === 'string' ? parsed.message : '';
    } catch {
        return '';
    }
}

// POST /files with XMLHttpRequest, whose upload events tell the progress. Resolves to the file
// as a message carries it ({file, name, type, size, width?, height?}).
export function uploadWithXhr({ blob, name, type, token, onProgress = () => {},
                                origin = globalThis.location?.origin ?? '' }) {
    return new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', `${origin}/files`);
        xhr.setRequestHeader('Authorization', `Bearer ${token}`);
        xhr.setRequestHeader('X-Filename', encodeURIComponent(name || 'file'));
        xhr.setRequestHeader('Content-Type', type || 'application/octet-stream');
        xhr.upload.onprogress = event => onProgress(event.loaded, event.lengthComputable ? event.total : blob.size);
        xhr.onload = () => {
            if (xhr.status === 201) {
                try {
                    resolve(JSON.parse(xhr.responseText));
                } catch {
                    reject(new UploadError(0, ''));
                }
                return;
            }
            reject(new UploadError(xhr.status, serverSentence(xhr.responseText)));
        };
        xhr.onerror = () => reject(new UploadError(0, ''));
        xhr.onabort = () => reject(new UploadError(0, ''));
        xhr.send(blob);
    });
}

// GET /files/<id> with fetch (a plain <img src> cannot carry the bearer token).
export async function downloadWithFetch({ file, token, fetchFunction = globalThis.fetch,
                                          origin = globalThis.location?.origin ?? '' }) {
    let response;
    try {
        response = await fetchFunction(`${origin}/files/${encodeURIComponent(file)}`, {
            headers: { Authorization: `Bearer ${token}` }, cache: 'no-store', credentials: 'omit',
        });
    } catch {
        throw new UploadError(0, '');
    }
    if (!response.ok)
        throw new UploadError(response.status, serverSentence(await response.text().catch(() => '')));
    return response.blob();
}

// Downloaded files as blob: URLs, one download per id however often the list is drawn, within
// `maxBytes` (the least recently used are revoked first). `download(id)` returns a Blob.
export class FileCache {
    constructor({ download, maxBytes = kFileCacheBytes,
                  createUrl = blob => URL.createObjectURL(blob),
                  revokeUrl = url => URL.revokeObjectURL(url) }) {
        this.download = download;
        this.maxBytes = maxBytes;
        this.createUrl = createUrl;
        this.revokeUrl = revokeUrl;
        this.entries = new Map(); // id → { promise, url, blob, size, error }; insertion order = use order
        this.bytes = 0;
    }

    // The blob: URL if the file is here already, else ''.
    readyUrl(id) {
        const entry = this.entries.get(id);
        if (!entry?.url)
            return '';
        this.touch(id, entry);
        return entry.url;
    }

    error(id) { return this.entries.get(id)?.error ?? null; }

    touch(id, entry) {
        this.entries.delete(id);
        this.entries.set(id, entry);
    }

    // Puts bytes the page already has (a file it uploaded) in without downloading them.
    put(id, blob) {
        if (this.entries.get(id)?.url)
            return;
        this.store(id, { blob, size: blob.size, url: this.createUrl(blob), promise: null, error: null });
    }

    store(id, entry) {
        const old = this.entries.get(id);
        if (old?.url) {
            this.bytes -= old.size;
            this.revokeUrl(old.url);
        }
        this.entries.set(id, entry);
        this.bytes += entry.size;
        this.evict(id);
    }

    evict(keep) {
        for (const [id, entry] of this.entries) {
            if (this.bytes <= this.maxBytes)
                break;
            if (id === keep || !entry.url)
                continue;
            this.entries.delete(id);
            this.bytes -= entry.size;
            this.revokeUrl(entry.url);
        }
    }

    // Resolves to { url, blob }; a failed download is remembered until retried with `force`.
    get(id, { force = false } = {}) {
        const entry = this.entries.get(id);
        if (entry?.url) {
            this.touch(id, entry);
            return Promise.resolve({ url: entry.url, blob: entry.blob });
        }
        if (entry?.promise)
            return entry.promise;
        if (entry?.error && !force)
            return Promise.reject(entry.error);
        const pending = { promise: null, url: '', blob: null, size: 0, error: null };
        pending.promise = this.download(id).then(blob => {
            if (this.entries.get(id) !== pending)
                return { url: this.readyUrl(id), blob };
            this.entries.delete(id);
            this.store(id, { blob, size: blob.size, url: this.createUrl(blob), promise: null, error: null });
            return { url: this.entries.get(id).url, blob };
        }, error => {
            if (this.entries.get(id) === pending) {
                pending.promise = null;
                pending.error = error;
            }
            throw error;
        });
        this.entries.set(id, pending);
        return pending.promise;
    }

    clear() {
        for (const entry of this.entries.values())
            if (entry.url)
                this.revokeUrl(entry.url);
        this.entries.clear();
        this.bytes = 0;
    }
}

// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The outbox pump's steps for one entry: each of its files goes up with POST /files once (the
// answer is kept in the entry on disk at once), then the `send` (or edit, delete) with its cid.
import { UploadError, kUploadReuseMs } from './files.js';
import { PERMANENT_ERRORS } from './outbox.js';

// Uploads cut off without an answer while the WebSocket stayed up, before the message is marked
// failed: a server that closes on a body it will not read (past its 64 MiB discard bound)
// would otherwise be sent the whole file every pause, for ever.
export const kLostUploadsBeforeFailing = 3;

// Uploads the files of `entry` that the server does not have yet (or had so long ago that it
// may have dropped them, unattached). Returns 'done', 'failed' (the entry is marked failed
// with the reason), or 'stop' (the connection went: the resume pumps again).
export async function uploadFilesOf(client, entry, generation) {
    const files = entry.files ?? [];
    for (let index = 0; index < files.length; ++index) {
        let lost = 0;
        for (;;) {
            if (generation !== client.generation || client.state !== 'online')
                return 'stop';
            const file = entry.files[index];
            if (file.ref && Date.now() - file.uploadedAt < kUploadReuseMs)
                break;
            // `status` stays null while this try goes on; a try that failed and is repeated
            // after a pause sets it (0: no answer) and `note`, the server's sentence.
            const progress = { index, count: files.length, name: file.name, loaded: 0,
                               total: file.size, status: null, note: '' };
            client.uploads.set(entry.cid, progress);
            client.emit('upload', entry.cid);
            try {
                const ref = await client.upload({
                    blob: file.blob, name: file.name, type: file.type,
                    token: await client.store.getSetting('token'),
                    onProgress: (loaded, total) => {
                        progress.loaded = loaded;
                        progress.total = total;
                        client.emit('upload', entry.cid);
                    },
                });
                if (typeof ref?.file !== 'string')
                    throw new UploadError(0, '');
                await client.outbox.uploaded(entry.cid, index, ref, Date.now());
                client.uploads.delete(entry.cid);
                break;
            } catch (error) {
                const status = error instanceof UploadError ? error.status : 0;
                const linkUp = generation === client.generation && client.state === 'online';
                if (status === 0 && linkUp)
                    ++lost;
                if ((error instanceof UploadError && error.permanent) || lost >= kLostUploadsBeforeFailing) {
                    client.uploads.delete(entry.cid);
                    await client.outbox.fail(entry.cid, error.message, status);
                    return 'failed';
                }
                // 429, 503, or no answer: the same file again after a pause, unless the link
                // went meanwhile.
                progress.note = error.message;
                progress.status = status;
                client.emit('upload', entry.cid);
                await new Promise(resolve => client.setTimer(resolve, client.uploadRetryMs));
            }
        }
    }
    client.uploads.delete(entry.cid);
    return 'done';
}

// Sends one outbox entry (its files uploaded) with its cid and applies the server's ok to the
// room. Returns 'next', or 'stop' when the link dropped (the resume pumps again).
export async function sendEntry(client, entry) {
    const kind = entry.kind ?? 'send';
    const frame = { type: kind, room: entry.room, cid: entry.cid };
    if (kind !== 'delete')
        frame.body = entry.body;
    if (entry.files?.length)
        frame.files = entry.files.map(f => f.ref.file);
    if (kind !== 'send')
        frame.target = entry.target;
    if (entry.replyTo)
        frame.reply_to = entry.replyTo;
    try {
        const ok = await client.request(frame);
        const room = client.rooms.get(entry.room);
        // The sending session gets the ok, not the event: the ok's seq is the entry.
        if (room && Number.isInteger(ok.seq)) {
            room.log.mergeLive(kind === 'send'
                ? { seq: ok.seq, ts: ok.ts, from: client.user, cid: entry.cid, body: entry.body,
                    reply_to: entry.replyTo ?? undefined,
                    files: entry.files?.length ? entry.files.map(f => f.ref) : undefined }
                : { seq: ok.seq, ts: ok.ts, from: client.user, cid: entry.cid, kind,
                    target: entry.target, body: entry.body });
            room.lastSeq = Math.max(room.lastSeq, ok.seq);
        }
        // The page has these bytes: they show without downloading them again.
        for (const file of entry.files ?? [])
            client.files.put(file.ref.file, file.blob);
        await client.outbox.confirm(entry.cid);
        client.emit('room', entry.room);
    } catch (error) {
        if (PERMANENT_ERRORS.has(error.code)) {
            await client.outbox.fail(entry.cid, error.message);
        } else if (error.code === 'rate_limited' || error.code === 'internal') {
            // Same cid again after a pause; the link stays up.
            await new Promise(resolve => client.setTimer(resolve, 1000));
        } else {
            return 'stop'; // the link dropped: the resume pumps again
        }
    }
    return 'next';
}

// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The outbox pump's first step for a message with files: each file goes up with POST /files
// once (the answer is kept in the entry on disk at once), before the `send` that names them.
import { UploadError, kUploadReuseMs } from './files.js';

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
            const progress = { index, count: files.length, name: file.name, loaded: 0,
                               total: file.size, note: '' };
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
                    throw new UploadError(0, 'the server\'s answer named no file');
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

// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// One room's log, merged by seq (docs/protocol.md, "Merge by seq"). Entries come from history
// pages, sync pages and live `message` events, in any mix and with repeats; each seq counts
// once. Plain messages are kept; edits, deletions and reactions (log entries with a `kind`)
// change the message they target; kinds this page does not know are skipped.
//
// Messages in history and sync pages come in their current state, which already reflects
// every entry up to the moment the server read them. Each message remembers the newest seq its
// state is known to reflect (`stateSeq`); an entry changes it only when the entry is newer, so
// replaying an older edit from a page never brings old text back.

export class RoomLog {
    constructor() {
        this.messages = new Map(); // seq → plain message
        this.seen = new Set();     // every seq applied, of any kind
        this.cursor = 0;           // sync point: the newest seq with nothing missing before it
        this.oldest = 0;           // the oldest seq loaded (0: nothing yet)
        this.reachedStart = false; // history has nothing older
    }

    // A page from `history` or `sync`: `messages` ascending. Returns true when anything changed.
    mergePage(entries, { fromHistory = false } = {}) {
        if (entries.length === 0)
            return false;
        const pageMax = entries.reduce((max, e) => Math.max(max, e.seq), 0);
        const stateSeq = Math.max(pageMax, this.cursor);
        let changed = false;
        for (const entry of entries)
            changed = this.apply(entry, stateSeq) || changed;
        const pageMin = entries.reduce((min, e) => Math.min(min, e.seq), Infinity);
        if (this.oldest === 0 || pageMin < this.oldest)
            this.oldest = pageMin;
        if (!fromHistory || this.cursor === 0 || pageMax > this.cursor)
            this.cursor = Math.max(this.cursor, pageMax);
        return changed;
    }

    // A live `message` event. Returns { changed, gap }: `gap` when entries between the sync
    // point and this one are missing (the caller syncs from `cursor` again).
    mergeLive(entry) {
        const gap = this.cursor > 0 && entry.seq > this.cursor + 1;
        const changed = this.apply(entry, entry.seq);
        if (!gap && entry.seq > this.cursor)
            this.cursor = entry.seq;
        if (this.oldest === 0)
            this.oldest = entry.seq;
        return { changed, gap };
    }

    apply(entry, stateSeq) {
        if (!Number.isInteger(entry.seq) || entry.seq <= 0 || this.seen.has(entry.seq))
            return false;
        this.seen.add(entry.seq);
        if (!entry.kind) {
            this.messages.set(entry.seq, {
                seq: entry.seq, ts: entry.ts, from: entry.from, cid: entry.cid,
                body: entry.deleted ? '' : (entry.body ?? ''),
                edited: entry.edited ?? null,
                deleted: entry.deleted === true,
                replyTo: entry.reply_to ?? null,
                reactions: normalizedReactions(entry.reactions),
                files: Array.isArray(entry.files) ? entry.files : [],
                stateSeq,
            });
            return true;
        }
        const target = this.messages.get(entry.target);
        if (!target || entry.seq <= target.stateSeq)
            return false;
        switch (entry.kind) {
        case 'edit':
            if (target.deleted)
                return false;
            target.body = entry.body ?? '';
            target.edited = entry.ts ?? Date.now();
            break;
        case 'delete':
            target.deleted = true;
            target.body = '';
            target.files = [];
            break;
        case 'reaction': {
            const users = new Set(target.reactions.get(entry.emoji) ?? []);
            if (entry.on)
                users.add(entry.from);
            else
                users.delete(entry.from);
            if (users.size > 0)
                target.reactions.set(entry.emoji, [...users]);
            else
                target.reactions.delete(entry.emoji);
            break;
        }
        default:
            return false;
        }
        target.stateSeq = entry.seq;
        return true;
    }

    has(seq) { return this.messages.has(seq); }
    get(seq) { return this.messages.get(seq); }

    // Plain messages, ascending by seq.
    list() { return [...this.messages.values()].sort((a, b) => a.seq - b.seq); }

    // Whether a message with this cid from `user` is in the log (an outbox entry was stored).
    hasCid(cid) {
        for (const message of this.messages.values())
            if (message.cid === cid)
                return true;
        return false;
    }
}

function normalizedReactions(reactions) {
    const map = new Map();
    if (Array.isArray(reactions))
        for (const r of reactions)
            if (r && typeof r.emoji === 'string' && Array.isArray(r.users) && r.users.length > 0)
                map.set(r.emoji, [...r.users]);
    return map;
}

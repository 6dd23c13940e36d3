// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoomLog } from '../../../../web/engine/roomlog.js';

const msg = (seq, body = `m${seq}`, extra = {}) => ({ seq, ts: 1000 + seq, from: 'bob', cid: `c${seq}`, body, ...extra });

test('each seq counts once, whatever mix of pages and events brings it', () => {
    const log = new RoomLog();
    log.mergePage([msg(1), msg(2), msg(3)], { fromHistory: true });
    assert.equal(log.cursor, 3);
    assert.deepEqual(log.mergeLive(msg(3)), { changed: false, gap: false });
    assert.deepEqual(log.mergeLive(msg(4)), { changed: true, gap: false });
    log.mergePage([msg(4), msg(5)]); // a sync that overlaps the live event
    assert.deepEqual(log.list().map(m => m.seq), [1, 2, 3, 4, 5]);
    assert.equal(log.cursor, 5);
});

test('a live event past a gap says so and leaves the sync point', () => {
    const log = new RoomLog();
    log.mergePage([msg(1), msg(2)]);
    const { gap } = log.mergeLive(msg(5));
    assert.equal(gap, true);
    assert.equal(log.cursor, 2);
    log.mergePage([msg(3), msg(4), msg(5)]);
    assert.equal(log.cursor, 5);
    assert.deepEqual(log.list().map(m => m.seq), [1, 2, 3, 4, 5]);
});

test('older history pages extend the log backwards without moving the sync point', () => {
    const log = new RoomLog();
    log.mergePage([msg(51), msg(52)], { fromHistory: true });
    log.mergePage([msg(49), msg(50)], { fromHistory: true });
    assert.equal(log.cursor, 52);
    assert.equal(log.oldest, 49);
    assert.deepEqual(log.list().map(m => m.seq), [49, 50, 51, 52]);
});

test('edits, deletions and reactions change their target, live and synced', () => {
    const log = new RoomLog();
    log.mergePage([msg(1, 'helo'), msg(2, 'secret')]);
    log.mergeLive({ seq: 3, kind: 'edit', target: 1, body: 'hello', ts: 5000, from: 'bob' });
    log.mergeLive({ seq: 4, kind: 'delete', target: 2, from: 'bob' });
    log.mergePage([{ seq: 5, kind: 'reaction', target: 1, emoji: '👍', on: true, from: 'amy' },
                   { seq: 6, kind: 'reaction', target: 1, emoji: '👍', on: true, from: 'cal' },
                   { seq: 7, kind: 'reaction', target: 1, emoji: '👍', on: false, from: 'amy' }]);
    const first = log.get(1);
    assert.equal(first.body, 'hello');
    assert.equal(first.edited, 5000);
    assert.deepEqual([...first.reactions], [['👍', ['cal']]]);
    assert.equal(log.get(2).deleted, true);
    assert.equal(log.get(2).body, '');
    // An edit of a deleted message changes nothing.
    log.mergeLive({ seq: 8, kind: 'edit', target: 2, body: 'back', ts: 6000, from: 'bob' });
    assert.equal(log.get(2).body, '');
    assert.equal(log.cursor, 8);
});

test('a page in its current state is not rolled back by older entries of the same page', () => {
    // history: message 5 comes as it is now (after edits 7 and 60), with edit 7 beside it.
    const log = new RoomLog();
    log.mergePage([msg(5, 'v3', { edited: 9000 }), { seq: 7, kind: 'edit', target: 5, body: 'v2', ts: 7000 }],
                  { fromHistory: true });
    assert.equal(log.get(5).body, 'v3');
    // A later edit does apply.
    log.mergeLive({ seq: 61, kind: 'edit', target: 5, body: 'v4', ts: 9500 });
    assert.equal(log.get(5).body, 'v4');
});

test('an older history page does not replay edits onto newer state', () => {
    const log = new RoomLog();
    log.mergePage([msg(100)], { fromHistory: true });
    log.mergeLive({ seq: 101, kind: 'edit', target: 100, body: 'new', ts: 1 });
    // older page: entries before 100, including an old edit of 100? (cannot target a later
    // seq) and a message whose state already reflects everything
    log.mergePage([msg(40, 'current text'), { seq: 41, kind: 'edit', target: 40, body: 'old text' }],
                  { fromHistory: true });
    assert.equal(log.get(40).body, 'current text');
    assert.equal(log.get(100).body, 'new');
});

test('unknown kinds are skipped but move the sync point; bad seqs are ignored', () => {
    const log = new RoomLog();
    log.mergePage([msg(1)]);
    assert.deepEqual(log.mergeLive({ seq: 2, kind: 'poll', target: 1 }), { changed: false, gap: false });
    assert.equal(log.cursor, 2);
    assert.equal(log.mergeLive({ seq: -1, body: 'x' }).changed, false);
    assert.equal(log.mergeLive({ seq: 'x', body: 'x' }).changed, false);
    assert.deepEqual(log.list().map(m => m.seq), [1]);
});

test('deleted messages from a page carry no text; hasCid finds stored outbox entries', () => {
    const log = new RoomLog();
    log.mergePage([msg(1, 'should not show', { deleted: true }), msg(2, 'x', { cid: 'abc' })]);
    assert.equal(log.get(1).body, '');
    assert.equal(log.hasCid('abc'), true);
    assert.equal(log.hasCid('zzz'), false);
});

// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../../../../web/engine/backoff.js';

test('ceilings double from the base up to the cap', () => {
    const backoff = new Backoff({ random: () => 0.999999 });
    const ceilings = [];
    for (let i = 0; i < 9; ++i) {
        ceilings.push(backoff.currentCeilingMs());
        backoff.nextDelayMs();
    }
    assert.deepEqual(ceilings, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test('full jitter: every delay lies in [0, ceiling] and uses the whole range', () => {
    let r = 0;
    const draws = [0, 0.5, 0.999999];
    const backoff = new Backoff({ random: () => draws[r++ % draws.length] });
    for (let i = 0; i < 3; ++i) backoff.nextDelayMs(); // ceiling 4000 now
    assert.equal(backoff.currentCeilingMs(), 4000);
    assert.equal(backoff.nextDelayMs(), 0);
    assert.equal(backoff.nextDelayMs(), 4000);  // ceiling 8000, r 0.5
    assert.equal(backoff.nextDelayMs(), 15999); // ceiling 16000, r just under 1
    const random = new Backoff();
    for (let i = 0; i < 200; ++i) {
        const ceiling = random.currentCeilingMs();
        const delay = random.nextDelayMs();
        assert.ok(delay >= 0 && delay <= ceiling, `${delay} outside [0, ${ceiling}]`);
    }
});

test('attempts reset only after a session stayed up for a stable minute', () => {
    let now = 0;
    const backoff = new Backoff({ random: () => 0.5, clock: () => now });
    for (let i = 0; i < 5; ++i) backoff.nextDelayMs();
    backoff.sessionEstablished();
    now += 5000; // accepted, then dropped at once: keep backing off
    backoff.sessionLost();
    assert.equal(backoff.attempts, 5);
    backoff.sessionEstablished();
    now += 60000;
    backoff.sessionLost();
    assert.equal(backoff.attempts, 0);
    assert.equal(backoff.currentCeilingMs(), 500);
});

test('a lost link that never authenticated does not reset', () => {
    const backoff = new Backoff({ random: () => 0.5, clock: () => 1e9 });
    backoff.nextDelayMs();
    backoff.nextDelayMs();
    backoff.sessionLost();
    assert.equal(backoff.attempts, 2);
});

test('jitter for a going-away close counts no attempt and stays below the spread', () => {
    const backoff = new Backoff({ random: () => 0.999999 });
    assert.equal(backoff.jitterMs(1000), 999);
    assert.equal(backoff.attempts, 0);
});

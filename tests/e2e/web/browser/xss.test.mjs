// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Script in bodies, in a room title and in links shows as typed and runs nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser } from '../support/browser.mjs';
import { startChatServer, signIn, messageLog } from '../support/fixtures.mjs';

const kTitle = '<img src=x onerror="window.pwned=\'title\'">Ops';
const kBodies = [
    '<img src=x onerror="window.pwned=\'img\'">',
    '<script>window.pwned=\'script\'</script>',
    '<a href="javascript:window.pwned=1">click</a> javascript:window.pwned=2',
    '"><svg onload="window.pwned=\'svg\'">',
    'see https://example.com/a?b=<c>&d="e" now',
];

let server, friend, demo, browser;

before(async () => {
    ({ server, friend, demo } = await startChatServer({ roomTitle: kTitle }));
    for (const body of kBodies)
        friend.command('send', 'general', body);
    browser = await launchBrowser();
});

after(async () => {
    await browser?.close();
    await server?.stop();
    friend?.close();
    demo?.close();
});

test('bodies and titles with markup show as typed and run nothing', async () => {
    const page = await browser.context.newPage();
    const violations = [];
    page.on('console', message => violations.push(message.text()));
    await signIn(page, server.origin);
    const log = messageLog(page, kTitle);
    for (const body of kBodies.slice(0, 4))
        await log.getByText(body, { exact: true }).waitFor();
    await page.getByRole('heading', { name: kTitle }).waitFor();
    await page.getByRole('navigation', { name: 'Rooms' }).getByText(kTitle, { exact: true }).waitFor();

    assert.equal(await page.evaluate(() => window.pwned), undefined);
    // No element came from anyone's text: the list holds only what the page made.
    assert.equal(await page.locator('#message-list img, #message-list script, #message-list svg, #room-list img').count(), 0);
    // Only http(s) and mailto become links; javascript: stays text.
    const hrefs = await log.locator('a').evaluateAll(links => links.map(a => a.href));
    // (A link ends before '<', '>' or a quote.)
    assert.deepEqual(hrefs, ['https://example.com/a?b=']);
    // Trusted Types: even the page's own code cannot hand a string to innerHTML.
    const blocked = await page.evaluate(() => {
        try {
            document.body.innerHTML = '<b>x</b>';
            return false;
        } catch {
            return true;
        }
    });
    assert.equal(blocked, true, 'innerHTML took a string despite require-trusted-types-for');
    await page.close();
});

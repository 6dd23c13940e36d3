// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The page in Chromium against a real server: sign in, send, receive from conversa-cli, and
// the offline outbox across a server kill -9 (with and without a reload of the page).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser } from '../support/browser.mjs';
import { startChatServer, signIn, composer, messageLog, DEMO } from '../support/fixtures.mjs';

let server, friend, demo, browser;

before(async () => {
    ({ server, friend, demo } = await startChatServer());
    browser = await launchBrowser();
});

after(async () => {
    await browser?.close();
    await server?.stop();
    friend?.close();
    demo?.close();
});

function bodies(room = 'general') {
    return friend.history(room).map(m => m.body);
}

async function until(check, what, timeoutMs = 10000) {
    const end = Date.now() + timeoutMs;
    for (;;) {
        const value = await check();
        if (value)
            return value;
        if (Date.now() > end)
            throw new Error(`timed out waiting for ${what}`);
        await new Promise(resolve => setTimeout(resolve, 100));
    }
}

test('signs in, sends, and chats live with conversa-cli', async () => {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', error => errors.push(error.message));
    page.on('console', message => message.type() === 'error' && errors.push(message.text()));
    await signIn(page, server.origin);
    // The token is in IndexedDB, never in a cookie or the URL.
    assert.deepEqual(await browser.context.cookies(), []);
    assert.equal(new URL(page.url()).search, '');

    await composer(page).fill('hello from the browser');
    await composer(page).press('Enter');
    await until(() => bodies().includes('hello from the browser'), 'the cli to see the message');

    friend.command('send', 'general', 'hello from the terminal');
    await messageLog(page).getByText('hello from the terminal').waitFor();
    // A reload signs in again with the stored token, and shows the room again.
    await page.reload();
    await page.getByRole('status').getByText('Online').waitFor();
    await messageLog(page).getByText('hello from the terminal').waitFor();
    assert.deepEqual(errors, []);
    await page.close();
});

test('a message typed while the server is down goes out once after it is back', async () => {
    const page = await browser.context.newPage();
    await signIn(page, server.origin);
    await server.kill();
    const status = page.getByRole('status');
    await status.getByText(/Offline · reconnecting in \d+ s/).waitFor();
    await page.getByRole('button', { name: 'Reconnect now' }).waitFor();

    await composer(page).fill('typed while the server was down');
    await composer(page).press('Enter');
    const pending = messageLog(page).locator('.pending');
    await pending.getByText('typed while the server was down').waitFor();
    await pending.getByText('Waiting for the connection').waitFor();

    await server.start();
    await page.getByRole('button', { name: 'Reconnect now' }).click().catch(() => {});
    await status.getByText('Online').waitFor({ timeout: 40000 });
    await until(() => bodies().includes('typed while the server was down'), 'the message to arrive');
    await until(async () => (await pending.count()) === 0, 'the pending mark to go');
    assert.equal(bodies().filter(b => b === 'typed while the server was down').length, 1);
    await page.close();
});

test('the outbox survives closing the page while the server is down', async () => {
    let page = await browser.context.newPage();
    await signIn(page, server.origin);
    await server.kill();
    await page.getByRole('status').getByText(/Offline/).waitFor();
    await composer(page).fill('typed, then the tab was closed');
    await composer(page).press('Enter');
    await messageLog(page).locator('.pending').getByText('typed, then the tab was closed').waitFor();
    await page.close(); // the server is down: a reload could not even load the page

    await server.start();
    assert.ok(!bodies().includes('typed, then the tab was closed'), 'sent before the page came back');
    page = await browser.context.newPage();
    await page.goto(`${server.origin}/`);
    await page.getByRole('status').getByText('Online').waitFor();
    await until(() => bodies().includes('typed, then the tab was closed'), 'the stored message to go out');
    // Another reload: nothing is sent again.
    await page.reload();
    await page.getByRole('status').getByText('Online').waitFor();
    await messageLog(page).getByText('typed, then the tab was closed').waitFor();
    assert.equal(bodies().filter(b => b === 'typed, then the tab was closed').length, 1);
    assert.equal(bodies().filter(b => b === 'typed while the server was down').length, 1);
    await page.close();
});

test('a reload racing the reconnect still sends the message exactly once', async () => {
    const page = await browser.context.newPage();
    await signIn(page, server.origin);
    for (let round = 1; round <= 3; ++round) {
        const body = `typed offline, reloaded as the server came back (${round})`;
        await server.kill();
        await page.getByRole('status').getByText(/Offline/).waitFor();
        await composer(page).fill(body);
        await composer(page).press('Enter');
        await messageLog(page).locator('.pending').getByText(body).waitFor();
        await server.start();
        // The page may be sending it right now, or have sent it and not seen the ok yet.
        await page.getByRole('button', { name: 'Reconnect now' }).click({ timeout: 1000 }).catch(() => {});
        await page.waitForTimeout(round * 40);
        await page.reload();
        await page.getByRole('status').getByText('Online').waitFor();
        await messageLog(page).getByText(body).waitFor();
        await until(async () => (await messageLog(page).locator('.pending').count()) === 0, 'the outbox to empty');
        assert.equal(bodies().filter(b => b === body).length, 1, body);
    }
    await page.close();
});

test('sign out revokes the token', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.origin}/`);
    await page.getByRole('status').getByText('Online').waitFor();
    const tokensBefore = server.admin(['token', 'list', '--user', DEMO.user]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Password').waitFor();
    const tokensAfter = server.admin(['token', 'list', '--user', DEMO.user]);
    assert.ok(tokensAfter.split('\n').filter(Boolean).length < tokensBefore.split('\n').filter(Boolean).length,
              `before:\n${tokensBefore}\nafter:\n${tokensAfter}`);
    await page.reload();
    await page.getByLabel('Password').waitFor(); // no token left to sign in with
    await page.close();
});

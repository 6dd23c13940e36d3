// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// What the page shows of a room: unread badges, scrollback, typing and presence, replies,
// "(edited)", "message deleted" and reactions; light and dark; Portuguese. Saves the
// screenshots of docs/screenshots/web-light.png and web-dark.png when CONVERSA_SCREENSHOT_DIR
// names a folder (else into the test's temp folder).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from '../support/browser.mjs';
import { startChatServer, signIn, composer, messageLog, rawFrames, FRIEND, DEMO } from '../support/fixtures.mjs';

let server, friend, demo;

before(async () => {
    ({ server, friend, demo } = await startChatServer({
        serverArgs: ['--messages-per-second', '1000', '--message-burst', '1000'] }));
    friend.command('create', 'design', 'Design team');
    demo.command('join', 'design');
    // 120 messages in #general, older than a page (50), for scrollback.
    friend.run(['chat', 'general', '--server', server.webSocketUrl, '--user', FRIEND.user],
               Array.from({ length: 120 }, (_, i) => `old message ${i + 1}`).join('\n') + '\n');
});

after(async () => {
    await server?.stop();
    friend?.close();
    demo?.close();
});

async function seqOf(body, room = 'general') {
    return friend.history(room).find(m => m.body === body).seq;
}

test('unread badges, scrollback to the start of the room', { timeout: 90000 }, async () => {
    const browser = await launchBrowser();
    try {
        const page = await browser.context.newPage();
        await signIn(page, server.origin);
        const rooms = page.getByRole('navigation', { name: 'Rooms' });
        await rooms.getByRole('button', { name: 'General' }).click();
        const log = messageLog(page);
        await log.getByText('old message 120', { exact: true }).waitFor();
        assert.equal(await log.getByText('old message 1', { exact: true }).count(), 0);
        friend.command('send', 'design', 'are the mockups ready?');
        friend.command('send', 'design', 'the review is at three');
        await rooms.getByRole('button', { name: 'Design team, 2 unread' }).waitFor();
        // Scroll to the top (which loads the page before) until the start of the room.
        for (let i = 0; i < 10 && !(await log.getByText('old message 1', { exact: true }).count()); ++i) {
            const before = await log.locator('.message').count();
            await log.evaluate(element => { element.scrollTop = 0; });
            await page.waitForFunction(n => document.querySelectorAll('#message-list .message').length > n,
                                       before, { timeout: 5000 }).catch(() => {});
        }
        await log.getByText('old message 1', { exact: true }).waitFor();
        await log.getByText('This is the start of the room.').waitFor();
        assert.equal(await log.locator('.message').count(), 120);
        // Opening the room reads it: the badge goes.
        await rooms.getByRole('button', { name: 'Design team, 2 unread' }).click();
        await messageLog(page, 'Design team').getByText('the review is at three').waitFor();
        await rooms.getByRole('button', { name: 'Design team', exact: true }).waitFor();
    } finally {
        await browser.close();
    }
});

test('replies, edits, deletions, reactions, typing and presence; light and dark', { timeout: 90000 }, async () => {
    const room = 'design';
    friend.command('send', room, 'Draft of the landing page: https://example.com/draft');
    const draft = await seqOf('Draft of the landing page: https://example.com/draft', room);
    friend.command('send', room, 'Looks good to me!', '--reply-to', String(draft));
    friend.command('send', room, 'the colours are off');
    const off = await seqOf('the colours are off', room);
    friend.command('edit', room, String(off), 'the colours look right now');
    friend.command('send', room, 'wrong room, sorry');
    friend.command('delete', room, String(await seqOf('wrong room, sorry', room)));
    friend.command('react', room, String(draft), '🎉');
    demo.command('react', room, String(draft), '👍');
    demo.command('send', room, 'I will check the contrast once more');
    for (const body of ['standup moved to 10:00', 'lunch?', 'build is green'])
        friend.command('send', 'general', body);
    // friend stays online while the screenshots are taken: `tail` holds a session open.
    const tail = spawn(friend.binary, ['tail', 'general', '--server', server.webSocketUrl,
                                       '--user', FRIEND.user, '--data', friend.dataDir],
                       { env: { ...process.env, CONVERSA_TOKEN: friend.token }, stdio: 'ignore' });
    try {
        await shootBothSchemes(room);
    } finally {
        tail.kill('SIGKILL');
    }
});

async function shootBothSchemes(room) {

    for (const colorScheme of ['light', 'dark']) {
        const browser = await launchBrowser({ colorScheme });
        try {
            const page = await browser.context.newPage();
            await signIn(page, server.origin);
            await page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: /^Design team/ }).click();
            const log = messageLog(page, 'Design team');
            await log.getByText('the colours look right now').waitFor();
            await log.getByText('(edited)').waitFor();
            await log.getByText('message deleted').waitFor();
            assert.equal(await log.getByText('wrong room, sorry').count(), 0);
            await log.getByText(/^In reply to friend: Draft of the landing page/).waitFor();
            await log.getByRole('button', { name: '🎉 by friend' }).waitFor();
            await page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: 'General, 3 unread' }).waitFor();
            await page.getByRole('complementary', { name: 'People' }).getByText('friend, online').waitFor();
            const mine = log.getByRole('button', { name: '👍 by demo' });
            assert.equal(await mine.getAttribute('aria-pressed'), 'true');

            // Friend comes online and types (a second socket from the page's origin).
            await rawFrames(page, FRIEND, [{ type: 'typing', room }, { type: 'rooms' }]);
            await page.getByText('friend is typing…').waitFor();
            await composer(page, 'Design team').fill('Shipping it today');
            const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
            const [r, g, b] = background.match(/\d+/g).map(Number);
            if (colorScheme === 'dark')
                assert.ok(r + g + b < 150, `dark page background ${background}`);
            else
                assert.ok(r + g + b > 600, `light page background ${background}`);
            const folder = process.env.CONVERSA_SCREENSHOT_DIR || server.folder;
            const file = join(folder, `web-${colorScheme}.png`);
            await page.screenshot({ path: file });
            assert.ok(statSync(file).size > 10000, `${file} is nearly empty`);
        } finally {
            await browser.close();
        }
    }
}

test('react, reply, edit and delete from the page', { timeout: 90000 }, async () => {
    const browser = await launchBrowser();
    try {
        const page = await browser.context.newPage();
        await signIn(page, server.origin);
        await page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: /^Design team/ }).click();
        const log = messageLog(page, 'Design team');
        const message = log.locator('.message', { hasText: 'the colours look right now' });
        await message.hover();
        await message.getByRole('button', { name: 'React with ❤️' }).click();
        await message.getByRole('button', { name: '❤️ by demo' }).waitFor().catch(async error => {
            throw new Error(`${error.message}\nalert: ${await page.locator('#action-error').textContent()}\n${await message.innerHTML()}`);
        });
        await message.getByRole('button', { name: 'Reply to friend' }).click();
        await composer(page, 'Design team').fill('agreed');
        await composer(page, 'Design team').press('Enter');
        await log.getByText(/^In reply to friend: the colours look right now/).waitFor();
        const sent = friend.history('design').find(m => m.body === 'agreed');
        assert.equal(sent?.reply_to, await seqOf('the colours look right now', 'design'));
        const target = friend.history('design').find(m => m.body === 'the colours look right now');
        assert.ok(target.reactions.some(r => r.emoji === '❤️' && r.users.includes('demo')));

        // Edit and delete one's own messages (through the outbox, like sending).
        const mine = log.locator('.message', { hasText: 'agreed' });
        await mine.hover();
        await mine.getByRole('button', { name: 'Edit message' }).click();
        assert.equal(await composer(page, 'Design team').inputValue(), 'agreed');
        await composer(page, 'Design team').fill('agreed, ship it');
        await composer(page, 'Design team').press('Enter');
        const edited = log.locator('.message', { hasText: 'agreed, ship it' });
        await edited.getByText('(edited)').waitFor();
        const stored = friend.history('design').find(m => m.seq === sent.seq);
        assert.equal(stored.body, 'agreed, ship it');
        assert.ok(stored.edited);
        page.once('dialog', dialog => dialog.accept());
        await edited.hover();
        await edited.getByRole('button', { name: 'Delete message' }).click();
        await log.locator(`.message[data-seq="${sent.seq}"]`).getByText('message deleted').waitFor();
        assert.equal(friend.history('design').find(m => m.seq === sent.seq).deleted, true);
        // Others' messages offer neither.
        const theirs = log.locator(`.message[data-seq="${target.seq}"]`);
        await theirs.hover();
        await theirs.getByRole('button', { name: 'Reply to friend' }).waitFor();
        assert.equal(await theirs.getByRole('button', { name: 'Edit message' }).count(), 0);
    } finally {
        await browser.close();
    }
});

test('Portuguese from the browser\'s language', { timeout: 90000 }, async () => {
    const browser = await launchBrowser({ locale: 'pt-PT' });
    try {
        const page = await browser.context.newPage();
        await page.goto(`${server.origin}/`);
        await page.getByLabel('Nome de utilizador').fill('demo');
        await page.getByLabel('Palavra-passe').fill('demo-password');
        await page.getByRole('button', { name: 'Entrar' }).click();
        await page.getByRole('status').getByText('Ligado').waitFor();
        await page.getByRole('button', { name: 'Terminar sessão' }).waitFor();
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'pt-PT');
    } finally {
        await browser.close();
    }
});

test('a direct message from conversa-cli, and search', { timeout: 90000 }, async () => {
    const browser = await launchBrowser();
    try {
        const page = await browser.context.newPage();
        await signIn(page, server.origin);
        const dm = JSON.parse(friend.command('dm', DEMO.user)).room;
        friend.command('send', dm, 'psst, the launch is on Friday');
        const rooms = page.getByRole('navigation', { name: 'Rooms' });
        await rooms.getByText('Direct messages').waitFor();
        await rooms.getByRole('button', { name: 'friend, 1 unread' }).waitFor();

        await page.getByRole('searchbox', { name: 'Search messages' }).fill('friday LAUNCH');
        await page.getByRole('searchbox', { name: 'Search messages' }).press('Enter');
        const results = page.getByRole('region', { name: 'Results for “friday LAUNCH”' });
        await results.getByText('psst, the launch is on Friday').waitFor();
        await results.getByRole('button', { name: 'Open in friend' }).click();
        await messageLog(page, 'friend').getByText('psst, the launch is on Friday').waitFor();
        assert.equal(await results.isVisible(), false);
        await rooms.getByRole('button', { name: 'friend', exact: true }).waitFor(); // read now

        await page.getByRole('searchbox', { name: 'Search messages' }).fill('nothing-like-this');
        await page.getByRole('searchbox', { name: 'Search messages' }).press('Enter');
        await page.getByText('Nothing found for “nothing-like-this”.').waitFor();
    } finally {
        await browser.close();
    }
});

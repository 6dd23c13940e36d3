// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// People and rooms from the page: "New message" opens a dm (someone from one's rooms, or an
// exact user name; an unknown one is refused in words), "Browse rooms" joins a public room
// from the directory, "Leave room" leaves it, "Create room" makes one (a taken name in words).
// The server's side is read back with conversa-cli.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser } from '../support/browser.mjs';
import { CliPeer } from '../support/cli.mjs';
import { startChatServer, signIn, composer, messageLog } from '../support/fixtures.mjs';

const CAROL = { user: 'carol', password: 'carol-password' };
let server, friend, demo, carol, browser;

before(async () => {
    ({ server, friend, demo } = await startChatServer({ extraUsers: [CAROL] }));
    carol = new CliPeer(server, CAROL.user);
    carol.login(CAROL.password);
    friend.command('create', 'design', 'Design team');
    friend.command('create', 'secret', 'Secret plans', '--private');
    browser = await launchBrowser();
});

after(async () => {
    await browser?.close();
    await server?.stop();
    for (const peer of [friend, demo, carol])
        peer?.close();
});

function roomsOf(peer) {
    return peer.command('rooms').split('\n').filter(Boolean).map(line => JSON.parse(line).room);
}

test('New message: someone from one\'s rooms, an exact name, and an unknown one', { timeout: 90000 }, async () => {
    const page = await browser.context.newPage();
    await signIn(page, server.origin);
    const rooms = page.getByRole('navigation', { name: 'Rooms' });
    await rooms.getByRole('button', { name: 'New message' }).click();
    const dialog = page.getByRole('dialog', { name: 'New message' });
    await dialog.getByRole('button', { name: 'Message friend' }).waitFor(); // shares #general
    await dialog.getByLabel('Write to').fill('car');
    await dialog.getByText(/Nobody you know matches/).waitFor();
    await dialog.getByLabel('Write to').fill('nobody');
    await dialog.getByRole('button', { name: 'Message', exact: true }).click();
    await dialog.getByText('There is no user named nobody.').waitFor();
    await dialog.getByLabel('Write to').fill('Carol'); // user names are lower-case
    await dialog.getByLabel('Write to').press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('heading', { name: 'carol' }).waitFor();
    await rooms.getByText('Direct messages').waitFor();
    await composer(page, 'carol').fill('hello carol, from the browser');
    await composer(page, 'carol').press('Enter');
    const dm = JSON.parse(carol.command('dm', 'demo')).room;
    const end = Date.now() + 10000;
    while (!carol.history(dm).some(m => m.body === 'hello carol, from the browser') && Date.now() < end)
        await new Promise(resolve => setTimeout(resolve, 150));
    assert.ok(carol.history(dm).some(m => m.body === 'hello carol, from the browser'));
    await page.close();
});

test('Browse rooms joins a public room; Leave room leaves it', { timeout: 90000 }, async () => {
    const page = await browser.context.newPage();
    await signIn(page, server.origin);
    const rooms = page.getByRole('navigation', { name: 'Rooms' });
    await rooms.getByRole('button', { name: 'Browse rooms' }).click();
    const dialog = page.getByRole('dialog', { name: 'Browse rooms' });
    await dialog.getByRole('button', { name: 'Open General' }).waitFor(); // a member already
    assert.equal(await dialog.getByText('Secret plans').count(), 0, 'a private room is listed');
    await dialog.getByRole('button', { name: 'Join Design team' }).waitFor();
    await dialog.getByLabel('Find a room').fill('desi');
    await dialog.getByRole('button', { name: 'Open General' }).waitFor({ state: 'detached' });
    assert.equal(await dialog.getByRole('button', { name: 'Join Design team' }).count(), 1);
    await dialog.getByRole('button', { name: 'Join Design team' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('heading', { name: 'Design team' }).waitFor();
    assert.ok(roomsOf(demo).includes('design'));
    friend.command('send', 'design', 'welcome aboard');
    await messageLog(page, 'Design team').getByText('welcome aboard').waitFor();

    page.once('dialog', confirm => confirm.accept());
    await page.getByRole('button', { name: 'Leave Design team' }).click();
    await rooms.getByRole('button', { name: /^Design team/ }).waitFor({ state: 'detached' });
    assert.ok(!roomsOf(demo).includes('design'));
    await page.close();
});

test('Create room: lower-cased name, title, and a taken name in words', { timeout: 90000 }, async () => {
    const page = await browser.context.newPage();
    await signIn(page, server.origin);
    const rooms = page.getByRole('navigation', { name: 'Rooms' });
    await rooms.getByRole('button', { name: 'Create room' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create room' });
    await dialog.getByLabel(/^Name/).fill('general');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.getByText('A room named general exists already.').waitFor();
    await dialog.getByLabel(/^Name/).fill('no spaces allowed');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.getByText(/A room name is 1 to 64 lower-case letters/).waitFor();
    await dialog.getByLabel(/^Name/).fill('Launch-Plans');
    assert.equal(await dialog.getByLabel(/^Name/).inputValue(), 'launch-plans');
    await dialog.getByLabel('Title (optional)').fill('Launch plans');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('heading', { name: 'Launch plans' }).waitFor();
    await rooms.getByRole('button', { name: 'Launch plans' }).waitFor();
    friend.command('join', 'launch-plans'); // public: anyone may join
    await composer(page, 'Launch plans').fill('first!');
    await composer(page, 'Launch plans').press('Enter');
    const end = Date.now() + 10000;
    while (!friend.history('launch-plans').some(m => m.body === 'first!') && Date.now() < end)
        await new Promise(resolve => setTimeout(resolve, 150));
    assert.ok(friend.history('launch-plans').some(m => m.body === 'first!'));
    await page.close();
});

test('Invite adds someone to a private room; a dm has no Invite', { timeout: 90000 }, async () => {
    demo.command('create', 'plans', 'Plans', '--private');
    const page = await browser.context.newPage();
    await signIn(page, server.origin);
    const rooms = page.getByRole('navigation', { name: 'Rooms' });
    await rooms.getByRole('button', { name: 'Plans', exact: true }).click();
    await page.getByRole('button', { name: 'Invite to Plans' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite to Plans' });
    await dialog.getByRole('button', { name: 'Invite friend' }).waitFor(); // shares #general, not in Plans
    await dialog.getByLabel('Person to invite').fill('nobody');
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click();
    await dialog.getByText('There is no user named nobody.').waitFor();
    await dialog.getByLabel('Person to invite').fill('carol');
    await dialog.getByLabel('Person to invite').press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('carol is now a member of Plans.').waitFor();
    assert.ok(roomsOf(carol).includes('plans'));
    await page.getByRole('complementary', { name: 'People' }).getByText('carol').waitFor();

    await rooms.getByRole('button', { name: /^carol/ }).click(); // the dm of the first test
    await page.getByRole('heading', { name: 'carol' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Invite to/ }).count(), 0);
    await page.close();
});

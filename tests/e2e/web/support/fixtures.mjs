// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// What most browser tests start from: a server with demo and friend in #general, friend on
// conversa-cli, and helpers that drive the page by its labels and roles.
import { ConversaServer } from './server.mjs';
import { CliPeer } from './cli.mjs';

export const DEMO = { user: 'demo', password: 'demo-password' };
export const FRIEND = { user: 'friend', password: 'friend-password' };

export async function startChatServer({ roomTitle = 'General', serverArgs = [], extraUsers = [] } = {}) {
    const server = new ConversaServer();
    server.addUser(DEMO.user, DEMO.password);
    server.addUser(FRIEND.user, FRIEND.password);
    for (const { user, password } of extraUsers)
        server.addUser(user, password);
    server.createRoom('general', roomTitle);
    await server.start(serverArgs);
    const friend = new CliPeer(server, FRIEND.user);
    friend.login(FRIEND.password);
    friend.command('join', 'general');
    const demo = new CliPeer(server, DEMO.user);
    demo.login(DEMO.password);
    demo.command('join', 'general');
    return { server, friend, demo };
}

// Signs in with the password, unless the profile still holds a token for the page.
export async function signIn(page, origin, { user, password } = DEMO) {
    await page.goto(`${origin}/`);
    const online = page.getByRole('status').getByText('Online');
    await Promise.race([page.getByLabel('User name').waitFor(), online.waitFor()]);
    if (await online.isVisible())
        return;
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('status').getByText('Online').waitFor();
}

export function composer(page, roomTitle = 'General') {
    return page.getByRole('textbox', { name: `Message ${roomTitle}` });
}

export function messageLog(page, roomTitle = 'General') {
    return page.getByRole('log', { name: `Messages in ${roomTitle}` });
}

// Sends raw protocol frames as `user` from inside the page's origin (a second WebSocket, the
// CSP's connect-src allows it): edits, deletions and reactions that no peer here can make.
export async function rawFrames(page, { user, password }, frames) {
    return page.evaluate(async ({ user, password, frames }) => {
        const url = new URL('/ws', location.href);
        url.protocol = 'ws:';
        const ws = new WebSocket(url.href, 'conversa.v1');
        const answers = new Map();
        let nextId = 1;
        const request = frame => new Promise((resolve, reject) => {
            const id = nextId++;
            answers.set(id, { resolve, reject });
            ws.send(JSON.stringify({ ...frame, id }));
        });
        ws.onmessage = event => {
            const frame = JSON.parse(event.data);
            const waiter = answers.get(frame.re);
            if (!waiter)
                return;
            answers.delete(frame.re);
            if (frame.type === 'error')
                waiter.reject(new Error(`${frame.code}: ${frame.message}`));
            else
                waiter.resolve(frame);
        };
        await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
        await request({ type: 'login', user, password, device: 'test' });
        const results = [];
        for (const frame of frames) {
            if (frame.type === 'typing') // a notice: no id, no answer
                ws.send(JSON.stringify(frame));
            else
                results.push(await request(frame));
        }
        await request({ type: 'logout' }).catch(() => {});
        ws.close();
        return results;
    }, { user, password, frames });
}

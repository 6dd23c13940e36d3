// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Debian's Chromium starts under playwright-core and reaches a real conversa-server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ConversaServer } from '../support/server.mjs';
import { launchBrowser } from '../support/browser.mjs';

let server;
let browser;

before(async () => {
    server = new ConversaServer();
    await server.start();
    browser = await launchBrowser();
});

after(async () => {
    await browser?.close();
    await server?.stop();
});

test('Chromium loads /healthz from the server', async () => {
    const page = await browser.context.newPage();
    const response = await page.goto(`${server.origin}/healthz`);
    assert.equal(response.status(), 200);
    assert.equal((await page.textContent('body')).trim(), 'ok');
});

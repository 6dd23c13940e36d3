// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Files in the page against a real server and conversa-cli: a picture attached in the browser
// reaches the cli byte for byte; a picture and a PDF sent by the cli show inline and as a card
// that downloads; drop and paste; pictures typed offline go out once (also after the tab was
// closed); a non-member gets 404; names with markup stay text; refusals in words. Saves
// docs/screenshots/web-files.png (and -dark) when CONVERSA_SCREENSHOT_DIR names a folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { launchBrowser } from '../support/browser.mjs';
import { CliPeer } from '../support/cli.mjs';
import { startChatServer, signIn, composer, messageLog, DEMO } from '../support/fixtures.mjs';
import { makePng } from '../support/png.mjs';

const STRANGER = { user: 'stranger', password: 'stranger-password' };
const kMaxFileBytes = 300000;
let server, friend, demo, stranger, folder;

before(async () => {
    ({ server, friend, demo } = await startChatServer({
        extraUsers: [STRANGER],
        serverArgs: ['--messages-per-second', '1000', '--message-burst', '1000',
                     '--uploads-per-minute', '1000', '--max-file-bytes', String(kMaxFileBytes)] }));
    stranger = new CliPeer(server, STRANGER.user);
    stranger.login(STRANGER.password);
    folder = mkdtempSync(join(tmpdir(), 'conversa-web-files-'));
});

after(async () => {
    await server?.stop();
    for (const peer of [friend, demo, stranger])
        peer?.close();
});

const sha256 = bytes => createHash('sha256').update(bytes).digest('hex');

async function until(check, what, timeoutMs = 15000) {
    const end = Date.now() + timeoutMs;
    for (;;) {
        const value = await check();
        if (value)
            return value;
        if (Date.now() > end)
            throw new Error(`timed out waiting for ${what}`);
        await new Promise(resolve => setTimeout(resolve, 150));
    }
}

function messagesWith(body, room = 'general') {
    return friend.history(room).filter(m => m.body === body);
}

function downloadWithCli(fileId) {
    const path = join(folder, `download-${fileId}`);
    friend.command('download', fileId, '-o', path);
    return readFileSync(path);
}

// Attaches through the labelled button and the browser's file chooser.
async function attach(page, files) {
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'),
                                         page.getByRole('button', { name: 'Attach files' }).click()]);
    await chooser.setFiles(files);
}

async function savedDownload(page, click) {
    const [download] = await Promise.all([page.waitForEvent('download'), click()]);
    const path = join(folder, `saved-${Date.now()}-${download.suggestedFilename()}`);
    await download.saveAs(path);
    return { name: download.suggestedFilename(), bytes: readFileSync(path) };
}

test('a picture attached in the browser reaches conversa-cli byte for byte', { timeout: 90000 }, async () => {
    const browser = await launchBrowser();
    try {
        const page = await browser.context.newPage();
        const errors = [];
        page.on('pageerror', error => errors.push(error.message));
        await signIn(page, server.origin);
        const png = makePng(320, 200);
        await attach(page, { name: 'sunset.png', mimeType: 'image/png', buffer: png });
        const strip = page.getByRole('list', { name: 'Files to send' });
        await strip.getByText('sunset.png').waitFor();
        await strip.getByRole('button', { name: 'Remove sunset.png' }).waitFor();
        await composer(page).fill('the sunset');
        await composer(page).press('Enter');
        await until(() => strip.isHidden(), 'the strip to empty');

        const [message] = await until(() => messagesWith('the sunset').length && messagesWith('the sunset'),
                                      'the cli to see the message');
        assert.equal(message.files.length, 1);
        const ref = message.files[0];
        assert.deepEqual([ref.name, ref.type, ref.size, ref.width, ref.height],
                         ['sunset.png', 'image/png', png.length, 320, 200]);
        assert.equal(sha256(downloadWithCli(ref.file)), sha256(png));

        // The sender sees it inline, and full size in a dialog that downloads the same bytes.
        const picture = messageLog(page).getByRole('button', { name: 'Open picture sunset.png' });
        const image = picture.locator('img');
        await until(() => image.evaluate(img => img.complete && img.naturalWidth === 320), 'the picture to load');
        assert.match(await image.getAttribute('src'), /^blob:/);
        await picture.click();
        const viewer = page.getByRole('dialog', { name: 'Picture sunset.png' });
        await viewer.waitFor();
        await until(() => viewer.locator('img').evaluate(img => img.complete && img.naturalWidth === 320),
                    'the full picture');
        const saved = await savedDownload(page, () => viewer.getByRole('button', { name: 'Download' }).click());
        assert.equal(saved.name, 'sunset.png');
        assert.equal(sha256(saved.bytes), sha256(png));
        await page.keyboard.press('Escape');
        await viewer.waitFor({ state: 'hidden' });
        assert.deepEqual(errors, []);
    } finally {
        await browser.close();
    }
});

test('a picture and a PDF from conversa-cli: inline, and a card that downloads', { timeout: 120000 }, async () => {
    const png = makePng(640, 360, (x, y) => [20 + (x * 200 / 640) | 0, 120 + (y * 100 / 360) | 0, 180]);
    const pdf = Buffer.from('%PDF-1.4\n% Conversa test\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    writeFileSync(join(folder, 'harbour.png'), png);
    writeFileSync(join(folder, 'quarterly report.pdf'), pdf);
    friend.command('send', 'general', 'photos and the report', '--file', join(folder, 'harbour.png'),
                   '--file', join(folder, 'quarterly report.pdf'));
    for (const colorScheme of ['light', 'dark']) {
        const browser = await launchBrowser({ colorScheme });
        try {
            const page = await browser.context.newPage();
            await signIn(page, server.origin);
            const log = messageLog(page);
            const picture = log.getByRole('button', { name: 'Open picture harbour.png' });
            const image = picture.locator('img');
            // The box is there before the bytes: 640 × 360 fitted into 360 × 270.
            assert.deepEqual([await image.getAttribute('width'), await image.getAttribute('height')], ['360', '203']);
            await until(() => image.evaluate(img => img.complete && img.naturalWidth === 640), 'the picture to load');
            const card = log.getByRole('group', { name: 'quarterly report.pdf' });
            await card.getByText('application/pdf').waitFor();
            if (colorScheme === 'light') {
                const saved = await savedDownload(page, () => card.getByRole('button', { name: 'Download quarterly report.pdf' }).click());
                assert.equal(saved.name, 'quarterly report.pdf');
                assert.equal(sha256(saved.bytes), sha256(pdf));
            }
            await composer(page).fill('Lovely light on the water');
            const out = process.env.CONVERSA_SCREENSHOT_DIR || folder;
            const file = join(out, colorScheme === 'light' ? 'web-files.png' : 'web-files-dark.png');
            await page.screenshot({ path: file });
            assert.ok(statSync(file).size > 10000, `${file} is nearly empty`);
        } finally {
            await browser.close();
        }
    }
});

test('files dropped on the page and a pasted picture go out in one message', { timeout: 90000 }, async () => {
    const browser = await launchBrowser();
    try {
        const page = await browser.context.newPage();
        await signIn(page, server.origin);
        const png = makePng(48, 48);
        await page.evaluate(async ({ pngBytes }) => {
            const dropped = new DataTransfer();
            dropped.items.add(new File(['meeting notes\n'], 'notes.txt', { type: 'text/plain' }));
            for (const type of ['dragenter', 'dragover', 'drop'])
                document.querySelector('#messages').dispatchEvent(
                    new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dropped }));
            const pasted = new DataTransfer();
            pasted.items.add(new File([new Uint8Array(pngBytes)], 'image.png', { type: 'image/png' }));
            document.querySelector('#message-input').dispatchEvent(
                new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: pasted }));
        }, { pngBytes: [...png] });
        const strip = page.getByRole('list', { name: 'Files to send' });
        await strip.getByText('notes.txt').waitFor();
        await strip.getByText('image.png').waitFor();
        assert.ok(await page.locator('#drop-hint').isHidden());
        await page.getByRole('button', { name: 'Send' }).click();
        const message = await until(() => friend.history('general').find(m => m.files?.some(f => f.name === 'notes.txt')),
                                    'the dropped files to arrive');
        assert.deepEqual(message.files.map(f => f.name), ['notes.txt', 'image.png']);
        assert.equal(message.body ?? '', '');
        assert.equal(downloadWithCli(message.files[0].file).toString(), 'meeting notes\n');
        assert.equal(sha256(downloadWithCli(message.files[1].file)), sha256(png));
    } finally {
        await browser.close();
    }
});

test('pictures typed offline go out once when the server is back, also after the tab closed', { timeout: 120000 }, async () => {
    const browser = await launchBrowser();
    try {
        let page = await browser.context.newPage();
        await signIn(page, server.origin);
        const first = makePng(100, 60, () => [200, 60, 60]);
        const second = makePng(60, 100, () => [60, 60, 200]);

        // 1: the page stays open.
        await server.kill();
        await page.getByRole('status').getByText(/Offline/).waitFor();
        await attach(page, { name: 'red.png', mimeType: 'image/png', buffer: first });
        await composer(page).fill('red, typed offline');
        await composer(page).press('Enter');
        const pending = messageLog(page).locator('.pending');
        await pending.getByText('red, typed offline').waitFor();
        await pending.getByText(/red\.png/).waitFor();
        await pending.getByText('Waiting for the connection').waitFor();
        await server.start();
        await page.getByRole('button', { name: 'Reconnect now' }).click().catch(() => {});
        await page.getByRole('status').getByText('Online').waitFor({ timeout: 40000 });
        await until(() => messagesWith('red, typed offline').length, 'the red picture to go out');
        await until(async () => (await pending.count()) === 0, 'the pending mark to go');

        // 2: the tab is closed while the server is down; the picture is in IndexedDB.
        await server.kill();
        await page.getByRole('status').getByText(/Offline/).waitFor();
        await attach(page, { name: 'blue.png', mimeType: 'image/png', buffer: second });
        await composer(page).fill('blue, typed offline then the tab closed');
        await composer(page).press('Enter');
        await messageLog(page).locator('.pending').getByText(/blue\.png/).waitFor();
        await page.close();
        await server.start();
        assert.equal(messagesWith('blue, typed offline then the tab closed').length, 0);
        page = await browser.context.newPage();
        await page.goto(`${server.origin}/`);
        await page.getByRole('status').getByText('Online').waitFor();
        await until(() => messagesWith('blue, typed offline then the tab closed').length, 'the stored picture to go out');
        await page.reload();
        await page.getByRole('status').getByText('Online').waitFor();
        const picture = messageLog(page).getByRole('button', { name: 'Open picture blue.png' });
        await until(() => picture.locator('img').evaluate(img => img.complete && img.naturalWidth === 60), 'the blue picture');

        for (const [body, bytes] of [['red, typed offline', first], ['blue, typed offline then the tab closed', second]]) {
            const sent = messagesWith(body);
            assert.equal(sent.length, 1, body);
            assert.equal(sha256(downloadWithCli(sent[0].files[0].file)), sha256(bytes), body);
        }
        await page.close();
    } finally {
        await browser.close();
    }
});

test('a file is 404 to a non-member, 401 without a token', async () => {
    const [message] = messagesWith('the sunset');
    const url = `${server.origin}/files/${message.files[0].file}`;
    const asStranger = await fetch(url, { headers: { Authorization: `Bearer ${stranger.token}` } });
    assert.equal(asStranger.status, 404);
    const asFriend = await fetch(url, { headers: { Authorization: `Bearer ${friend.token}` } });
    assert.equal(asFriend.status, 200);
    assert.equal((await fetch(url)).status, 401);
});

test('file names with markup stay text', { timeout: 90000 }, async () => {
    const pictureName = '<img src=x onerror=alert(1)>.png';
    const cardName = '<b onmouseover=alert(2)>notes.txt';
    writeFileSync(join(folder, pictureName), makePng(30, 20));
    writeFileSync(join(folder, cardName), 'plain\n');
    friend.command('send', 'general', 'names with markup', '--file', join(folder, pictureName),
                   '--file', join(folder, cardName));
    const browser = await launchBrowser();
    try {
        const page = await browser.context.newPage();
        const dialogs = [];
        page.on('dialog', dialog => {
            dialogs.push(dialog.message());
            dialog.dismiss().catch(() => {});
        });
        await signIn(page, server.origin);
        const log = messageLog(page);
        const picture = log.getByRole('button', { name: `Open picture ${pictureName}` });
        await until(() => picture.locator('img').evaluate(img => img.complete && img.naturalWidth === 30), 'the picture');
        assert.equal(await picture.locator('img').getAttribute('alt'), pictureName);
        const card = log.getByRole('group', { name: cardName });
        await card.getByText(cardName, { exact: true }).hover();
        // Every picture in the list is one the page made from a blob:, none came from a name.
        const sources = await page.locator('#message-list img').evaluateAll(images => images.map(i => i.getAttribute('src')));
        assert.ok(sources.length >= 1 && sources.every(src => src?.startsWith('blob:')), sources.join(', '));
        assert.equal(await page.locator('#message-list b').count(), 0);
        assert.deepEqual(dialogs, []);
    } finally {
        await browser.close();
    }
});

test('refusals in words: a file over the server\'s limit, a picture that is not one', { timeout: 90000 }, async () => {
    const browser = await launchBrowser();
    try {
        const page = await browser.context.newPage();
        await signIn(page, server.origin);
        await attach(page, { name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(kMaxFileBytes + 1) });
        await page.locator('#action-error').getByText(/huge\.bin is larger than this server takes \(293 KB\)/).waitFor({ timeout: 5000 })
            .catch(async error => { throw new Error(`${error.message}\nsaid: ${await page.locator('#action-error').textContent()}\nstrip: ${await page.locator('#chosen-files').textContent()}\nstate: ${await page.locator('#status').textContent()}`); });
        assert.ok(await page.getByRole('list', { name: 'Files to send' }).isHidden());

        await attach(page, { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('this is not a picture') });
        await composer(page).fill('not really a picture');
        await composer(page).press('Enter');
        const failed = messageLog(page).locator('.pending.failed');
        await failed.getByText(/Not sent: the file is not the kind of picture its type says/).waitFor();
        await failed.getByRole('button', { name: 'Discard' }).click();
        await until(async () => (await failed.count()) === 0, 'the failed message to go');
        assert.equal(messagesWith('not really a picture').length, 0);
    } finally {
        await browser.close();
    }
});

test('over one\'s space (413) and too many uploads (429), in words', { timeout: 120000 }, async () => {
    const tight = await startChatServer({
        serverArgs: ['--file-quota-bytes-per-user', '30000', '--uploads-per-minute', '2'] });
    const browser = await launchBrowser();
    try {
        const page = await browser.context.newPage();
        await signIn(page, tight.server.origin);
        const send = async (name, body, size = 20000) => {
            await attach(page, { name, mimeType: 'application/octet-stream', buffer: Buffer.alloc(size, 7) });
            await composer(page).fill(body);
            await composer(page).press('Enter');
        };
        await send('first.bin', 'fits');
        const sent = async () => tight.friend.history('general').some(m => m.body === 'fits');
        await until(sent, 'the first file to go');
        await send('second.bin', 'over the quota');
        const failed = messageLog(page).locator('.pending.failed');
        await failed.getByText(/Not sent: the file is too large for this server, or your space is used up \(.+\)/).waitFor();
        await failed.getByRole('button', { name: 'Retry' }).waitFor();
        await failed.getByRole('button', { name: 'Discard' }).click();
        await until(async () => (await failed.count()) === 0, 'the refused message to go');
        // A refused upload does not count against the rate; a second one that fits does.
        await send('small.bin', 'small one', 100);
        await until(async () => tight.friend.history('general').some(m => m.body === 'small one'), 'the small file');
        // Two uploads were started this minute: the next waits and says why.
        await send('third.bin', 'too many uploads', 100);
        // The page's words, then the server's own sentence (how long to wait).
        await messageLog(page).locator('.pending')
            .getByText(/^Upload paused: too many uploads in the last minute \(.+\); trying again shortly$/).waitFor();
        assert.equal(tight.friend.history('general').filter(m => m.body === 'too many uploads').length, 0);
    } finally {
        await browser.close();
        await tight.server.stop();
        tight.friend.close();
        tight.demo.close();
    }
});

test('a slow upload shows its progress on the waiting message', { timeout: 90000 }, async () => {
    const browser = await launchBrowser();
    try {
        const page = await browser.context.newPage();
        await signIn(page, server.origin);
        // 250 kB at about 100 kB/s: a few seconds of progress.
        const cdp = await browser.context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', {
            offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 100 * 1024 });
        await attach(page, { name: 'slow.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(250000, 3) });
        await composer(page).fill('slowly');
        await composer(page).press('Enter');
        // A failed message keeps the class pending too: watch only the waiting one, and for a
        // bounded time, so a stuck upload fails this test instead of hanging the whole file.
        const pending = messageLog(page).locator('.pending:not(.failed)');
        await pending.getByText(/^Uploading slow\.bin \(1 of 1\): \d+ %$/).waitFor();
        const seen = new Set();
        const end = Date.now() + 60000;
        while (await pending.count()) {
            if (Date.now() > end)
                throw new Error(`the slow upload did not finish in 60 s; progress seen: ${[...seen].join(', ')}`);
            const text = await pending.locator('.upload-text').textContent().catch(() => '');
            const percent = /(\d+) %/.exec(text ?? '');
            if (percent)
                seen.add(Number(percent[1]));
            await page.waitForTimeout(100);
        }
        const failed = messageLog(page).locator('.pending.failed');
        assert.equal(await failed.count(), 0, `the upload failed: ${await failed.first().textContent().catch(() => '')}`);
        assert.ok([...seen].some(p => p > 0 && p < 100), `progress seen: ${[...seen].join(', ')}`);
        await until(() => messagesWith('slowly').length, 'the slow file to arrive');
    } finally {
        await browser.close();
    }
});

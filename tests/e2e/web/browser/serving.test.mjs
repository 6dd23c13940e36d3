// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// GET / serves the page with headers that keep it to itself; web_client=false turns it off;
// the page's own origin may open /ws, another may not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ConversaServer } from '../support/server.mjs';

let server;

before(async () => {
    server = new ConversaServer();
    await server.start();
});

after(async () => {
    await server?.stop();
});

test('the page, its modules and styles come with their MIME types and a strict CSP', async () => {
    const page = await fetch(`${server.origin}/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy');
    for (const part of ["default-src 'none'", "script-src 'self'", "style-src 'self'",
                        "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'",
                        "require-trusted-types-for 'script'", "img-src 'self' blob:;"])
        assert.ok(csp.includes(part), `CSP lacks ${part}: ${csp}`);
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), csp);
    assert.ok(!csp.includes('data:'), csp);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    const html = await page.text();
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'the page has an inline script');
    assert.ok(!/\sstyle=|<style/.test(html), 'the page has inline style');

    for (const [path, type] of [['/app.js', 'text/javascript; charset=utf-8'],
                                ['/engine/client.js', 'text/javascript; charset=utf-8'],
                                ['/style.css', 'text/css; charset=utf-8'],
                                ['/icon.svg', 'image/svg+xml']]) {
        const response = await fetch(`${server.origin}${path}`);
        assert.equal(response.status, 200, path);
        assert.equal(response.headers.get('content-type'), type, path);
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
    }
    for (const path of ['/package.json', '/engine/', '/../server.log', '/index.html.bak', '/APP.JS'])
        assert.equal((await fetch(`${server.origin}${path}`)).status, 404, path);
});

test('web_client=false serves no page', async () => {
    const off = new ConversaServer();
    try {
        await off.start(['--web-client', 'false']);
        assert.equal((await fetch(`${off.origin}/`)).status, 404);
        assert.equal((await fetch(`${off.origin}/app.js`)).status, 404);
        assert.equal((await fetch(`${off.origin}/healthz`)).status, 200);
    } finally {
        await off.stop();
    }
});

// Node 18 has no WebSocket: the handshake is written by hand.
async function handshakeStatus(port, headers) {
    const net = await import('node:net');
    return new Promise((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => {
            socket.write(['GET /ws HTTP/1.1', ...headers, 'Upgrade: websocket',
                          'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
                          'Sec-WebSocket-Version: 13', '', ''].join('\r\n'));
        });
        let seen = '';
        socket.on('data', chunk => {
            seen += chunk;
            const match = /^HTTP\/1\.1 (\d+)/.exec(seen);
            if (match) {
                socket.destroy();
                resolve(Number(match[1]));
            }
        });
        socket.on('error', reject);
    });
}

test('the handshake accepts the server\'s own origin and refuses others', async () => {
    const host = `127.0.0.1:${server.port}`;
    assert.equal(await handshakeStatus(server.port, [`Host: ${host}`, `Origin: http://${host}`]), 101);
    assert.equal(await handshakeStatus(server.port, [`Host: localhost:${server.port}`,
                                                     `Origin: http://localhost:${server.port}`]), 101);
    assert.equal(await handshakeStatus(server.port, [`Host: ${host}`, 'Origin: https://evil.example']), 403);
    assert.equal(await handshakeStatus(server.port, [`Host: ${host}`, `Origin: http://${host}.evil.example`]), 403);
    // A DNS-rebound name points at this loopback server: its Host and Origin agree, but it is
    // not the server's own address.
    assert.equal(await handshakeStatus(server.port, [`Host: evil.example:${server.port}`,
                                                     `Origin: http://evil.example:${server.port}`]), 403);
});

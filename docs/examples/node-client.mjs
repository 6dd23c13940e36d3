// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// A whole Conversa session from docs/protocol.md alone, with the npm package `ws`:
//   npm install ws && node docs/examples/node-client.mjs ws://127.0.0.1:8080/ws demo demo-password general
// Signs in, joins the room, catches up with sync, sends a message, prints live events for a few
// seconds, then reconnects with the token and resumes from the last seq it saw.
import WebSocket from 'ws';

const [url, user, password, room] = process.argv.slice(2);
let lastSeq = 0;

function open() {
    const ws = new WebSocket(url, 'conversa.v1');
    let nextId = 0;
    const waiting = new Map();
    ws.on('message', (data) => {
        const frame = JSON.parse(data);
        if (frame.re !== undefined && waiting.has(frame.re)) {
            waiting.get(frame.re)(frame);
            waiting.delete(frame.re);
        } else if (frame.type === 'message') {
            if (frame.room === room && frame.seq === lastSeq + 1) lastSeq = frame.seq;
            console.log(`live   #${frame.seq} ${frame.from}: ${frame.body}`);
        } else {
            console.log('event ', JSON.stringify(frame));
        }
    });
    const request = (frame) => new Promise((resolve, reject) => {
        frame.id = ++nextId;
        waiting.set(frame.id, (reply) => reply.type === 'ok' ? resolve(reply)
            : reject(new Error(`${reply.code}: ${reply.message}`)));
        ws.send(JSON.stringify(frame));
    });
    return new Promise((resolve) => ws.on('open', () => resolve({ ws, request })));
}

async function catchUp(request) {
    for (let more = true; more;) {
        const page = await request({ type: 'sync', room, after: lastSeq, limit: 500 });
        for (const m of page.messages) {
            console.log(`synced #${m.seq} ${m.from}: ${m.body}`);
            lastSeq = m.seq;
        }
        more = page.more;
    }
}

const first = await open();
const { token } = await first.request({ type: 'login', user, password, device: 'node example' });
await first.request({ type: 'join', room });
await catchUp(first.request);
const cid = `node-${Date.now()}`;
const sent = await first.request({ type: 'send', room, cid, body: 'hello from the Node example' });
console.log(`sent   #${sent.seq} (cid ${cid})`);
lastSeq = Math.max(lastSeq, sent.seq);
await new Promise((r) => setTimeout(r, 3000));
first.ws.close();

// Resume: auth with the token, then sync from the last seq seen; nothing is missed.
const second = await open();
await second.request({ type: 'auth', token });
const { rooms } = await second.request({ type: 'rooms' });
console.log('rooms ', JSON.stringify(rooms));
await catchUp(second.request);
const again = await second.request({ type: 'send', room, cid, body: 'hello from the Node example' });
console.log(`resent same cid -> #${again.seq} (the original seq, nothing new stored)`);
await second.request({ type: 'logout' });
second.ws.close();

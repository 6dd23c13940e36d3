// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The page's file display in Node (attachments.js touches the document only when it draws):
// picture boxes, sizes in the reader's locale, and why a transfer failed in the page's words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSize, imageBox, transferTrouble } from '../../../../web/attachments.js';
import { translator } from '../../../../web/i18n.js';

test('pictures keep their proportions in a bounded box', () => {
    assert.deepEqual(imageBox({ width: 1280, height: 800 }), { width: 360, height: 225 });
    assert.deepEqual(imageBox({ width: 100, height: 1000 }), { width: 27, height: 270 });
    assert.deepEqual(imageBox({ width: 50, height: 40 }), { width: 50, height: 40 });
    assert.deepEqual(imageBox({}), { width: 240, height: 180 });
});

test('sizes are written in the page\'s locale', () => {
    assert.equal(formatSize(3145745), '3 MB');
    assert.equal(formatSize(1536), '1.5 KB');
    assert.equal(formatSize(1536, 'pt'), '1,5 KB');
});

test('a failed transfer is said in the page\'s language, the server\'s sentence after it', () => {
    const en = translator('en');
    const pt = translator('pt');
    assert.equal(transferTrouble(en, 413, 'over your 30 kB'),
                 'the file is too large for this server, or your space is used up (over your 30 kB)');
    assert.equal(transferTrouble(pt, 415, ''), 'o ficheiro não é o tipo de imagem que diz ser');
    // No answer at all, and a status the page has no words for.
    assert.equal(transferTrouble(pt, 0, ''), 'não foi possível contactar o servidor');
    assert.equal(transferTrouble(en, 500, ''), 'the server answered HTTP 500');
    assert.equal(transferTrouble(en, 500, 'the disk broke'), 'the disk broke');
    // A message the server refused over the WebSocket has no HTTP status, only its sentence.
    assert.equal(transferTrouble(en, 0, 'you are not in this room'), 'you are not in this room');
    for (const status of [400, 401, 404, 413, 415, 429, 503, 507])
        for (const language of ['en', 'pt'])
            assert.notEqual(transferTrouble(translator(language), status, ''), `transfer${status}`,
                            `${language} ${status}`);
});

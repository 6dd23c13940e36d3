// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The page's English and Portuguese say the same things: the same keys, the same placeholders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogs, pickLanguage, translator } from '../../../../web/i18n.js';

const placeholders = text => [...text.matchAll(/\{(\d)\}/g)].map(m => m[1]).sort().join(',');

test('every English text has a Portuguese one with the same placeholders', () => {
    const english = Object.keys(catalogs.en).sort();
    assert.deepEqual(Object.keys(catalogs.pt).sort(), english);
    for (const key of english) {
        assert.equal(placeholders(catalogs.pt[key]), placeholders(catalogs.en[key]), key);
        assert.notEqual(catalogs.pt[key].trim(), '', key);
    }
});

test('the language follows the browser, and placeholders are filled as text', () => {
    assert.equal(pickLanguage(['pt-BR', 'en']), 'pt');
    assert.equal(pickLanguage(['de', 'en-GB']), 'en');
    const t = translator('pt');
    assert.equal(t('removeFile', '<b>x</b>.png'), 'Remover <b>x</b>.png');
    assert.equal(translator('en')('uploading', 'a.png', 1, 2, 50), 'Uploading a.png (1 of 2): 50 %');
});

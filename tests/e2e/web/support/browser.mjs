// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Debian's Chromium driven by playwright-core (which never downloads a browser), with the flags
// that keep it off the network it may not reach and working as root (CI runs as root).
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.CONVERSA_CHROMIUM || '/usr/bin/chromium';

const quietFlags = [
    '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
    // Containers often give /dev/shm only 64 MiB, too little for Chromium's shared memory.
    '--disable-dev-shm-usage',
];

// A persistent context in a fresh profile folder: IndexedDB survives reloads within one test
// and nothing leaks between tests. Call close() on the result.
export async function launchBrowser({ colorScheme = 'light', locale = 'en-GB' } = {}) {
    if (!existsSync(chromiumPath))
        throw new Error(`${chromiumPath} is missing: install Debian's chromium (scripts/lib.sh does)`);
    const profile = mkdtempSync(join(tmpdir(), 'conversa-chromium-'));
    const args = [...quietFlags];
    if (process.getuid && process.getuid() === 0)
        args.push('--no-sandbox'); // Chromium refuses to start its sandbox as root
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath,
        headless: true,
        args,
        colorScheme,
        locale,
        viewport: { width: 1100, height: 700 },
    });
    const close = async () => {
        await context.close().catch(() => {});
        rmSync(profile, { recursive: true, force: true });
    };
    return { context, close };
}

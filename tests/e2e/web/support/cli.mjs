// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// conversa-cli as the browser's peer: the desktop engine on the other end of the room.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requiredBinary } from './server.mjs';

export class CliPeer {
    constructor(server, user) {
        this.binary = requiredBinary('CONVERSA_CLI_BIN');
        this.server = server;
        this.user = user;
        this.dataDir = mkdtempSync(join(tmpdir(), `conversa-cli-${user}-`));
        this.token = '';
    }

    run(args, input = '') {
        const result = spawnSync(this.binary, [...args, '--data', this.dataDir], {
            input, encoding: 'utf8', timeout: 30000,
            env: { ...process.env, CONVERSA_TOKEN: this.token, QT_QPA_PLATFORM: 'offscreen' },
        });
        if (result.status !== 0)
            throw new Error(`conversa-cli ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
        return result.stdout;
    }

    login(password) {
        this.token = this.run(['login', this.server.webSocketUrl, this.user, '--password-stdin',
                               '--print-token'], `${password}\n`).trim();
    }

    command(...args) {
        return this.run([...args, '--server', this.server.webSocketUrl, '--user', this.user]);
    }

    // Every message of `room` the server holds (newest 200), as objects.
    history(room) {
        return this.command('history', room, '--limit', '200').split('\n').filter(Boolean)
            .map(line => JSON.parse(line));
    }

    close() { rmSync(this.dataDir, { recursive: true, force: true }); }
}

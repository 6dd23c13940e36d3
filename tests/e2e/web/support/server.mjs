// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// A real conversa-server for the browser tests: its own data folder in a temp folder, a free
// loopback port (port 0, read back from the listening line), admin commands, kill -9 and a
// restart on the same port.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function requiredBinary(variable) {
    const path = process.env[variable];
    if (!path)
        throw new Error(`${variable} is not set: run these tests through ctest (ctest -R tst_web)`);
    return path;
}

export class ConversaServer {
    constructor() {
        this.binary = requiredBinary('CONVERSA_SERVER_BIN');
        this.folder = mkdtempSync(join(tmpdir(), 'conversa-web-'));
        this.dataDir = join(this.folder, 'data');
        this.logFile = join(this.folder, 'server.log');
        this.port = 0;
        this.child = null;
    }

    // Runs an admin command (`user add ...`) on this server's data folder; throws on failure.
    admin(args, input = '') {
        const result = spawnSync(this.binary, [...args, '--data', this.dataDir],
                                 { input, encoding: 'utf8', timeout: 30000 });
        if (result.status !== 0)
            throw new Error(`conversa-server ${args.join(' ')} failed (${result.status}): ` +
                            `${result.stderr}${result.stdout}`);
        return result.stdout;
    }

    addUser(name, password) { this.admin(['user', 'add', name, '--password-stdin'], `${password}\n`); }
    createRoom(name, title) { this.admin(['room', 'create', name, '--title', title]); }

    // Starts `serve` and resolves once it listens; the first start picks a free port, later
    // starts reuse it (the page reconnects to the same address) and the first start's
    // arguments unless given others.
    start(extraArgs = this.extraArgs ?? []) {
        this.extraArgs = extraArgs;
        const log = openSync(this.logFile, 'a');
        const child = spawn(this.binary,
                            ['serve', '--listen', `127.0.0.1:${this.port}`, '--data', this.dataDir,
                             ...extraArgs],
                            { stdio: ['ignore', 'pipe', log] });
        closeSync(log);
        this.child = child;
        return new Promise((resolve, reject) => {
            let seen = '';
            const timer = setTimeout(() => {
                child.kill('SIGKILL');
                reject(new Error(`conversa-server did not listen within 15 s:\n${this.log()}`));
            }, 15000);
            child.stdout.on('data', chunk => {
                seen += chunk.toString();
                const match = /listening on ws:\/\/127\.0\.0\.1:(\d+)\/ws/.exec(seen);
                if (match) {
                    clearTimeout(timer);
                    this.port = Number(match[1]);
                    resolve(this);
                }
            });
            child.on('exit', code => {
                clearTimeout(timer);
                reject(new Error(`conversa-server exited (${code}) before listening:\n${this.log()}`));
            });
        });
    }

    get origin() { return `http://127.0.0.1:${this.port}`; }
    get webSocketUrl() { return `ws://127.0.0.1:${this.port}/ws`; }

    log() {
        try {
            return readFileSync(this.logFile, 'utf8');
        } catch {
            return '';
        }
    }

    // SIGKILL, no drain: what a crash or a pulled plug looks like to the page.
    async kill() {
        const child = this.child;
        this.child = null;
        if (!child || child.exitCode !== null || child.signalCode !== null)
            return;
        const exited = new Promise(resolve => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
    }

    async stop() {
        await this.kill();
        rmSync(this.folder, { recursive: true, force: true });
    }
}

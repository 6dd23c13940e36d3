// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// A small event emitter that runs in browsers and in Node 18 alike.

export class Emitter {
    constructor() { this.listeners = new Map(); }

    on(name, listener) {
        if (!this.listeners.has(name))
            this.listeners.set(name, new Set());
        this.listeners.get(name).add(listener);
        return () => this.listeners.get(name)?.delete(listener);
    }

    emit(name, ...args) {
        for (const listener of [...(this.listeners.get(name) ?? [])])
            listener(...args);
    }
}

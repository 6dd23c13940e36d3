// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Finding people and rooms: open a direct message (`dm`), browse public rooms (`directory`),
// join, leave and create rooms, invite someone into a room. Each asks the server and then refreshes the room list, so the
// page shows the server's truth, never a guess.

const kDirectoryPage = 50;
// Rooms whose members are asked for when the people picker opens (the rest are skipped).
const kPeopleRooms = 50;

export class Social {
    constructor(client) { this.client = client; }

    // Opens (or finds) the dm with `user`; resolves to its room name once it is in the list.
    async openDm(user) {
        const ok = await this.client.request({ type: 'dm', user });
        await this.refresh();
        return ok.room;
    }

    // Public rooms whose name or title contains `query`, sorted by name: { rooms, more }.
    directory(query = '', after = '') {
        const frame = { type: 'directory', limit: kDirectoryPage };
        if (query)
            frame.query = query;
        if (after)
            frame.after = after;
        return this.client.request(frame);
    }

    async join(room) {
        await this.client.request({ type: 'join', room });
        await this.refresh();
        return room;
    }

    async leave(room) {
        await this.client.request({ type: 'leave', room });
        if (this.client.openRoom === room)
            this.client.openRoom = '';
        this.client.rooms.delete(room);
        this.client.emit('rooms');
        this.client.emit('room', room);
        await this.refresh();
    }

    // Adds `user` to `room` (any member of a private room may; anyone for a public one).
    async invite(room, user) {
        await this.client.request({ type: 'invite', room, user });
        await this.client.refreshMembers(room);
    }

    async create(room, { title = '', isPrivate = false } = {}) {
        const frame = { type: 'create', room };
        if (title.trim())
            frame.title = title.trim();
        if (isPrivate)
            frame.private = true;
        await this.client.request(frame);
        await this.refresh();
        return room;
    }

    // People this account shares a room with (not itself), sorted; asks for the members of up
    // to kPeopleRooms rooms it has not asked yet.
    async knownPeople() {
        const rooms = [...this.client.rooms.values()].slice(0, kPeopleRooms);
        await Promise.all(rooms.filter(room => room.members.size === 0)
            .map(room => this.client.refreshMembers(room.room)));
        const people = new Set();
        for (const room of this.client.rooms.values()) {
            for (const user of room.members.keys())
                people.add(user);
            if (room.peer)
                people.add(room.peer);
        }
        people.delete(this.client.user);
        return [...people].sort((a, b) => a.localeCompare(b));
    }

    // The rooms list again (a resume without dropping the link): the new room shows, with its
    // history.
    async refresh() {
        if (this.client.state === 'online')
            await this.client.resume(this.client.generation);
    }
}

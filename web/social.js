// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// The page's dialogs for people and rooms: "New message" (pick someone seen in one's rooms,
// filtered as one types, or type anyone's exact user name), "Invite" (the same picker, into the
// room on screen), "Browse rooms" (the directory of public rooms, join or open), "Create
// room", and "Leave room". A refusal is said in words in
// the dialog, which stays open.
import { $, element } from './text.js';

const kRoomName = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const kShownPeople = 30;

export class SocialDialogs {
    // `social`: the engine's Social; `openRoom(name)`: shows a room.
    constructor({ client, social, t, openRoom }) {
        this.client = client;
        this.social = social;
        this.t = t;
        this.openRoom = openRoom;
        this.people = [];
        this.texts();
        this.wire();
    }

    texts() {
        const t = this.t;
        const set = (id, key) => { $(id).textContent = t(key); };
        set('new-message', 'newMessage');
        set('browse-rooms', 'browseRooms');
        set('create-room', 'createRoom');
        set('leave-room', 'leaveRoom');
        set('invite', 'invite');
        set('dm-cancel', 'cancel');
        set('directory-title', 'browseRooms');
        set('directory-query-label', 'findRoom');
        set('directory-more', 'moreRooms');
        set('directory-close', 'close');
        set('create-title', 'createRoom');
        set('create-name-label', 'roomName');
        set('create-room-title-label', 'roomTitle');
        set('create-private-label', 'privateRoom');
        set('create-cancel', 'cancel');
        set('create-submit', 'create');
        $('dm-people').setAttribute('aria-label', t('people'));
        $('directory-list').setAttribute('aria-label', t('publicRooms'));
    }

    wire() {
        $('new-message').addEventListener('click', () => this.openPersonDialog('dm'));
        $('browse-rooms').addEventListener('click', () => this.openDirectory());
        $('create-room').addEventListener('click', () => this.openCreate());
        $('leave-room').addEventListener('click', () => this.leaveOpenRoom());
        $('invite').addEventListener('click', () => this.openPersonDialog('invite'));
        for (const [dialog, cancel] of [['dm-dialog', 'dm-cancel'], ['directory-dialog', 'directory-close'],
                                        ['create-dialog', 'create-cancel']])
            $(cancel).addEventListener('click', () => $(dialog).close());

        $('dm-user').addEventListener('input', () => this.renderPeople());
        $('dm-form').addEventListener('submit', event => {
            event.preventDefault();
            this.startDm($('dm-user').value);
        });
        let searchTimer = null;
        $('directory-query').addEventListener('input', () => {
            clearTimeout(searchTimer);
            searchTimer = setTimeout(() => this.loadDirectory(), 250);
        });
        $('directory-form').addEventListener('submit', event => {
            event.preventDefault();
            clearTimeout(searchTimer);
            this.loadDirectory();
        });
        $('directory-more').addEventListener('click', () => this.loadDirectory({ more: true }));
        $('create-name').addEventListener('input', () => {
            // Room names are lower-case (docs/protocol.md, Validation rules).
            const input = $('create-name');
            const lower = input.value.toLowerCase();
            if (lower !== input.value)
                input.value = lower;
        });
        $('create-form').addEventListener('submit', event => {
            event.preventDefault();
            this.create();
        });
    }

    // Shows "Leave room" for the room on screen.
    showRoom(room) {
        $('leave-room').hidden = !room;
        // Nobody can be invited into a dm (docs/protocol.md, invite).
        $('invite').hidden = !room || room.kind === 'dm';
        if (room) {
            const title = room.title;
            $('leave-room').setAttribute('aria-label', this.t('leaveNamed', title));
            $('invite').setAttribute('aria-label', this.t('inviteTo', title));
        }
    }

    words(error) {
        if (error.code === 'disconnected' || error.code === 'timeout')
            return this.t('needConnection');
        return error.message;
    }

    // The person picker: `mode` 'dm' opens a direct message, 'invite' adds the person to the
    // room on screen (those in it already are not offered).
    async openPersonDialog(mode) {
        const room = this.client.rooms.get(this.client.openRoom);
        if (mode === 'invite' && !room)
            return;
        this.mode = mode;
        this.inviteRoom = mode === 'invite' ? room : null;
        const title = room ? room.title : '';
        $('dm-title').textContent = mode === 'dm' ? this.t('newMessage') : this.t('inviteTo', title);
        $('dm-user-label').textContent = mode === 'dm' ? this.t('dmPerson') : this.t('invitePerson');
        $('dm-start').textContent = mode === 'dm' ? this.t('startDm') : this.t('invite');
        $('dm-user').value = '';
        $('dm-status').textContent = '';
        this.people = [];
        this.renderPeople();
        $('dm-dialog').showModal();
        $('dm-user').focus();
        try {
            const people = await this.social.knownPeople();
            this.people = mode === 'invite' ? people.filter(user => !room.members.has(user)) : people;
        } catch {
            this.people = [];
        }
        this.renderPeople();
    }

    renderPeople() {
        const typed = $('dm-user').value.trim().toLowerCase();
        const list = $('dm-people');
        list.replaceChildren();
        const matches = this.people.filter(user => user.toLowerCase().includes(typed)).slice(0, kShownPeople);
        for (const user of matches) {
            const item = element('li');
            const label = this.mode === 'invite' ? this.t('invitePersonNamed', user) : this.t('messagePerson', user);
            const button = element('button', { className: 'pick', text: user, attrs: { type: 'button', 'aria-label': label } });
            button.addEventListener('click', () => this.startDm(user));
            item.append(button);
            list.append(item);
        }
        if (matches.length === 0)
            list.append(element('li', { className: 'muted', text: typed ? this.t('typeExactName') : this.t('noPeopleYet') }));
    }

    async startDm(typed) {
        const user = typed.trim().toLowerCase();
        if (!user) {
            $('dm-status').textContent = this.t('typeAName');
            return;
        }
        $('dm-status').textContent = '';
        $('dm-start').disabled = true;
        try {
            if (this.mode === 'invite') {
                const room = this.inviteRoom;
                await this.social.invite(room.room, user);
                $('dm-dialog').close();
                $('action-error').textContent = this.t('invited', user, room.title);
                return;
            }
            const room = await this.social.openDm(user);
            $('dm-dialog').close();
            this.openRoom(room);
        } catch (error) {
            $('dm-status').textContent = error.code === 'not_found' ? this.t('noSuchPerson', user) : this.words(error);
        } finally {
            $('dm-start').disabled = false;
        }
    }

    async openDirectory() {
        $('directory-query').value = '';
        $('directory-status').textContent = '';
        $('directory-list').replaceChildren();
        $('directory-dialog').showModal();
        $('directory-query').focus();
        await this.loadDirectory();
    }

    async loadDirectory({ more = false } = {}) {
        const query = $('directory-query').value.trim();
        const list = $('directory-list');
        $('directory-status').textContent = '';
        let answer;
        try {
            answer = await this.social.directory(query, more ? this.lastListed : '');
        } catch (error) {
            $('directory-status').textContent = this.words(error);
            return;
        }
        if (query !== $('directory-query').value.trim())
            return; // typed on meanwhile: a newer answer comes
        if (!more)
            list.replaceChildren();
        for (const room of answer.rooms ?? [])
            list.append(this.directoryItem(room));
        this.lastListed = answer.rooms?.at(-1)?.room ?? '';
        $('directory-more').hidden = !answer.more;
        if (list.children.length === 0)
            list.append(element('li', { className: 'muted', text: query ? this.t('noRoomsFound', query) : this.t('noPublicRooms') }));
    }

    directoryItem(room) {
        const item = element('li', { className: 'directory-room' });
        const about = element('div', { className: 'directory-about' });
        about.append(element('span', { className: 'room-name', text: room.title || room.room }));
        about.append(element('span', { className: 'muted', text: `#${room.room} · ${this.t('memberCount', room.members ?? 0)}` }));
        item.append(about);
        const member = this.client.rooms.has(room.room);
        const title = room.title || room.room;
        const button = element('button', { text: member ? this.t('open') : this.t('join'),
                                           attrs: { type: 'button',
                                                    'aria-label': member ? this.t('openNamed', title) : this.t('joinNamed', title) } });
        button.addEventListener('click', () => this.join(room.room, member));
        item.append(button);
        return item;
    }

    async join(name, member) {
        try {
            if (!member)
                await this.social.join(name);
            $('directory-dialog').close();
            this.openRoom(name);
        } catch (error) {
            $('directory-status').textContent = this.words(error);
        }
    }

    openCreate() {
        for (const id of ['create-name', 'create-room-title'])
            $(id).value = '';
        $('create-private').checked = false;
        $('create-status').textContent = '';
        $('create-dialog').showModal();
        $('create-name').focus();
    }

    async create() {
        const name = $('create-name').value.trim();
        if (!kRoomName.test(name)) {
            $('create-status').textContent = this.t('badRoomName');
            return;
        }
        $('create-submit').disabled = true;
        try {
            await this.social.create(name, { title: $('create-room-title').value,
                                             isPrivate: $('create-private').checked });
            $('create-dialog').close();
            this.openRoom(name);
        } catch (error) {
            $('create-status').textContent = error.code === 'conflict' ? this.t('roomExists', name) : this.words(error);
        } finally {
            $('create-submit').disabled = false;
        }
    }

    async leaveOpenRoom() {
        const room = this.client.rooms.get(this.client.openRoom);
        if (!room)
            return;
        const title = room.title;
        if (!window.confirm(this.t('confirmLeave', title)))
            return;
        try {
            await this.social.leave(room.room);
        } catch (error) {
            $('action-error').textContent = this.t('leaveFailed', title, this.words(error));
        }
    }
}

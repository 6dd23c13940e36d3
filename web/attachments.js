// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Files on the page: pictures inline (fetched with the device token, shown through blob: URLs,
// in a box of their own proportions before the bytes arrive), other files as cards with a
// download button, the full picture in a dialog, and the composer's strip of files chosen
// (attach button, drop onto the page, paste), and why a transfer failed in the page's words.
// Names are text, never markup.
import { isInlineImage } from './engine/files.js';
import { locale } from './i18n.js';
import { element } from './text.js';

// The page's words for why a file did not go up or come down, by HTTP status; each upload
// and download message is built from this one table.
const kTransferWords = {
    400: 'transfer400', 401: 'transfer401', 404: 'transfer404', 413: 'transfer413',
    415: 'transfer415', 429: 'transfer429', 503: 'transfer503', 507: 'transfer507',
};

// `status` 0 is no HTTP answer; then `sentence`, if any, is all there is to say (a refusal
// over the WebSocket, say). The server's sentence follows the page's words in brackets: it
// names the limit or the reason the server had.
export function transferTrouble(t, status, sentence = '') {
    const key = kTransferWords[status];
    if (key)
        return sentence ? `${t(key)} (${sentence})` : t(key);
    if (sentence)
        return sentence;
    return status ? t('transferStatus', status) : t('transferNoAnswer');
}

// The box a picture takes before it loads, fitted into maxWidth × maxHeight with its own
// proportions, so the list does not jump when the bytes arrive.
export function imageBox(ref, maxWidth = 360, maxHeight = 270) {
    const width = Number.isInteger(ref?.width) && ref.width > 0 ? ref.width : 0;
    const height = Number.isInteger(ref?.height) && ref.height > 0 ? ref.height : 0;
    if (!width || !height)
        return { width: Math.round(maxWidth * 2 / 3), height: Math.round(maxHeight * 2 / 3) };
    const scale = Math.min(1, maxWidth / width, maxHeight / height);
    return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export function formatSize(bytes, language = 'en') {
    const units = ['B', 'KB', 'MB', 'GB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        ++unit;
    }
    const digits = unit === 0 || value >= 10 ? 0 : 1;
    return `${value.toLocaleString(locale(language), { maximumFractionDigits: digits })} ${units[unit]}`;
}

// Saves a Blob under `name` through a short-lived <a download>.
export function saveBlob(url, name) {
    const link = element('a', { attrs: { href: url, download: name || 'file' } });
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
}

export class FileViews {
    // `files`: the engine's FileCache; `t`: the translator; `onError(text)`: says what failed.
    constructor({ files, t, language, onError }) {
        this.files = files;
        this.t = t;
        this.language = language;
        this.onError = onError;
        this.viewer = new ImageViewer({ t, onDownload: ref => this.download(ref),
                                        trouble: error => this.trouble(error) });
    }

    size(bytes) { return formatSize(bytes, this.language); }

    trouble(error) { return transferTrouble(this.t, error.status, error.message); }

    // The files of a message, in the order sent.
    render(refs) {
        const box = element('div', { className: 'files' });
        for (const ref of refs) {
            if (!ref || typeof ref.file !== 'string')
                continue;
            box.append(isInlineImage(ref) && !this.files.error(ref.file) ? this.picture(ref) : this.card(ref));
        }
        return box;
    }

    picture(ref) {
        const { width, height } = imageBox(ref);
        const button = element('button', {
            className: 'picture', attrs: { type: 'button', 'aria-label': this.t('openPicture', ref.name) } });
        const image = element('img', {
            className: 'loading',
            attrs: { alt: ref.name, width: String(width), height: String(height), 'data-file': ref.file,
                     decoding: 'async' } });
        const ready = this.files.readyUrl(ref.file);
        if (ready) {
            image.src = ready;
            image.classList.remove('loading');
        } else {
            this.files.get(ref.file).then(({ url }) => {
                for (const shown of document.querySelectorAll('img[data-file]'))
                    if (shown.dataset.file === ref.file) {
                        shown.src = url;
                        shown.classList.remove('loading');
                    }
            }, () => this.onChanged?.());
        }
        button.append(image);
        button.addEventListener('click', () => this.viewer.open(ref, this.files));
        return button;
    }

    card(ref) {
        const card = element('div', { className: 'file-card', attrs: { role: 'group', 'aria-label': ref.name } });
        card.append(element('span', { className: 'file-icon', text: '📄', attrs: { 'aria-hidden': 'true' } }));
        const about = element('div', { className: 'file-about' });
        about.append(element('span', { className: 'file-name', text: ref.name }));
        const error = this.files.error(ref.file);
        about.append(element('span', { className: error ? 'file-meta error' : 'file-meta',
                                       text: error ? this.trouble(error) : `${this.size(ref.size ?? 0)} · ${ref.type ?? ''}` }));
        card.append(about);
        const download = element('button', { className: 'file-download', text: this.t('download'),
                                              attrs: { type: 'button', 'aria-label': this.t('downloadFile', ref.name) } });
        download.addEventListener('click', () => this.download(ref, { force: true }));
        card.append(download);
        return card;
    }

    // The files of a message waiting in the outbox, and the place its upload progress shows.
    pendingFiles(entry) {
        const files = element('ul', { className: 'pending-files' });
        for (const file of entry.files)
            files.append(element('li', { className: 'file-name', text: `📄 ${file.name} · ${this.size(file.size)}` }));
        const progress = element('div', { className: 'upload', attrs: { role: 'status' } });
        progress.append(element('progress', { attrs: { max: '1', value: '0' } }));
        progress.append(element('span', { className: 'upload-text' }));
        progress.hidden = true;
        return [files, progress];
    }

    // Draws `state` (the engine's uploads entry, or none) into a pending message's item.
    showUpload(item, state) {
        const box = item.querySelector('.upload');
        if (!box)
            return;
        box.hidden = !state;
        if (!state)
            return;
        const fraction = state.total > 0 ? Math.min(1, state.loaded / state.total) : 0;
        box.querySelector('progress').value = fraction;
        box.querySelector('.upload-text').textContent = state.status === null
            ? this.t('uploading', state.name, state.index + 1, state.count, Math.round(fraction * 100))
            : this.t('uploadPaused', transferTrouble(this.t, state.status, state.note));
    }

    // Why a message was not sent: a refused upload, or the server's refusal of the message.
    failure(entry) { return this.t('failed', transferTrouble(this.t, entry.errorStatus, entry.error)); }

    async download(ref, { force = false } = {}) {
        try {
            const { url } = await this.files.get(ref.file, { force });
            saveBlob(url, ref.name);
        } catch (error) {
            this.onError(this.t('downloadFailed', ref.name, this.trouble(error)));
        }
    }
}

// The full picture over the page, with its name and a download button; Esc or Close ends it.
class ImageViewer {
    constructor({ t, onDownload, trouble }) {
        this.t = t;
        this.trouble = trouble;
        this.dialog = document.getElementById('viewer');
        this.image = document.getElementById('viewer-image');
        this.name = document.getElementById('viewer-name');
        document.getElementById('viewer-close').textContent = t('close');
        document.getElementById('viewer-download').textContent = t('download');
        document.getElementById('viewer-close').addEventListener('click', () => this.dialog.close());
        document.getElementById('viewer-download').addEventListener('click', () => {
            if (this.ref)
                onDownload(this.ref);
        });
        this.dialog.addEventListener('click', event => {
            if (event.target === this.dialog)
                this.dialog.close();
        });
    }

    async open(ref, files) {
        this.ref = ref;
        this.name.textContent = ref.name;
        this.dialog.setAttribute('aria-label', this.t('pictureNamed', ref.name));
        this.image.alt = ref.name;
        this.image.removeAttribute('src');
        if (!this.dialog.open)
            this.dialog.showModal();
        try {
            const { url } = await files.get(ref.file);
            if (this.ref === ref)
                this.image.src = url;
        } catch (error) {
            this.name.textContent = `${ref.name}: ${this.trouble(error)}`;
        }
    }
}

// The files chosen for the next message, shown above the text box until it is sent.
export class ChosenFiles {
    constructor({ t, language, maxFileBytes, onError, onChange = () => {} }) {
        this.t = t;
        this.language = language;
        this.maxFileBytes = maxFileBytes; // a function: the server's limit may change
        this.onError = onError;
        this.onChange = onChange;
        this.list = document.getElementById('chosen-files');
        this.chosen = []; // { file, url }
    }

    // Takes Files from the picker, a drop or a paste; refuses in words what the server would.
    add(files) {
        const refused = [];
        for (const file of files) {
            if (file.size > this.maxFileBytes()) {
                refused.push(this.t('fileTooLarge', file.name, formatSize(this.maxFileBytes(), this.language)));
                continue;
            }
            const url = file.type.startsWith('image/') ? URL.createObjectURL(file) : '';
            this.chosen.push({ file, url });
        }
        this.onError(refused.join(' '));
        this.render();
    }

    // Files dropped anywhere on the page go to the strip while `active()` (the chat is shown);
    // a hint covers the page while they are dragged over it.
    acceptDrops(active) {
        const hint = document.getElementById('drop-hint');
        const carriesFiles = event => [...(event.dataTransfer?.types ?? [])].includes('Files');
        let depth = 0;
        document.addEventListener('dragenter', event => {
            if (!carriesFiles(event) || !active())
                return;
            ++depth;
            hint.hidden = false;
        });
        document.addEventListener('dragleave', event => {
            if (carriesFiles(event) && --depth <= 0) {
                depth = 0;
                hint.hidden = true;
            }
        });
        document.addEventListener('dragover', event => {
            if (carriesFiles(event))
                event.preventDefault();
        });
        document.addEventListener('drop', event => {
            if (!carriesFiles(event))
                return;
            event.preventDefault();
            depth = 0;
            hint.hidden = true;
            if (active())
                this.add([...event.dataTransfer.files]);
        });
    }

    remove(index) {
        const [gone] = this.chosen.splice(index, 1);
        if (gone?.url)
            URL.revokeObjectURL(gone.url);
        this.render();
    }

    clear() {
        for (const { url } of this.chosen)
            if (url)
                URL.revokeObjectURL(url);
        this.chosen = [];
        this.render();
    }

    files() { return this.chosen.map(({ file }) => ({ blob: file, name: file.name, type: file.type })); }

    render() {
        this.list.replaceChildren();
        this.list.hidden = this.chosen.length === 0;
        this.list.setAttribute('aria-label', this.t('chosenFiles'));
        this.chosen.forEach(({ file, url }, index) => {
            const item = element('li', { className: 'chosen' });
            if (url)
                item.append(element('img', { attrs: { src: url, alt: '', width: '40', height: '40' } }));
            else
                item.append(element('span', { className: 'file-icon', text: '📄', attrs: { 'aria-hidden': 'true' } }));
            item.append(element('span', { className: 'file-name', text: file.name }));
            item.append(element('span', { className: 'file-meta', text: formatSize(file.size, this.language) }));
            const remove = element('button', { className: 'action', text: '✕',
                                                attrs: { type: 'button', 'aria-label': this.t('removeFile', file.name) } });
            remove.addEventListener('click', () => this.remove(index));
            item.append(remove);
            this.list.append(item);
        });
        this.onChange();
    }
}

// Why the engine did not take a message, in the page's words (nothing was stored).
export function sendRefusal(error, t, size) {
    switch (error.code) {
    case 'file_too_large': return t('fileTooLarge', error.details.name, size(error.details.limit));
    case 'too_many_files': return t('tooManyFiles', error.details.limit);
    case 'outbox_full': return t('outboxFull', size(error.details.limit), size(error.details.held));
    default: return t('sendFailed', error.message);
    }
}

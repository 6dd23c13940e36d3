// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
// Others' text becomes DOM nodes as text only: plain text nodes, and links whose address is
// http(s) or mailto and whose words are the address itself. Nothing is ever parsed as HTML.
// The page's few DOM helpers live here too, so every file builds nodes the same text-only way.

export const $ = id => document.getElementById(id);

// A new element whose `text` is set as text, never as markup.
export function element(tag, { className, text, attrs } = {}) {
    const node = document.createElement(tag);
    if (className)
        node.className = className;
    if (text !== undefined)
        node.textContent = text;
    for (const [name, value] of Object.entries(attrs ?? {}))
        node.setAttribute(name, value);
    return node;
}

const kLink = /\b(?:https?:\/\/|mailto:)[^\s<>"']+/gi;

// Splits a body into [{text}|{link, href}] parts; trailing punctuation stays outside a link.
export function linkParts(body) {
    const parts = [];
    let last = 0;
    for (const match of body.matchAll(kLink)) {
        let url = match[0];
        const trailing = /[.,;:!?)\]]+$/.exec(url);
        if (trailing)
            url = url.slice(0, -trailing[0].length);
        const href = safeHref(url);
        if (!href)
            continue;
        if (match.index > last)
            parts.push({ text: body.slice(last, match.index) });
        parts.push({ link: url, href });
        last = match.index + url.length;
    }
    if (last < body.length)
        parts.push({ text: body.slice(last) });
    return parts;
}

// The address a link may go to, or '' when it is not http(s) or mailto.
export function safeHref(candidate) {
    let url;
    try {
        url = new URL(candidate);
    } catch {
        return '';
    }
    return ['http:', 'https:', 'mailto:'].includes(url.protocol) ? url.href : '';
}

// Appends `body` to `element` as text and safe links.
export function appendText(element, body) {
    const document = element.ownerDocument;
    for (const part of linkParts(body)) {
        if (part.text !== undefined) {
            element.append(document.createTextNode(part.text));
        } else {
            const a = document.createElement('a');
            a.href = part.href;
            a.textContent = part.link;
            a.rel = 'noopener noreferrer nofollow';
            a.target = '_blank';
            element.append(a);
        }
    }
}

# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# The files of the browser client that conversa-server compiles in and serves at / (a file
# not listed here is not served). package.json is only for Node's tests.
set(CONVERSA_WEB_FILES
    ${CMAKE_CURRENT_LIST_DIR}/index.html
    ${CMAKE_CURRENT_LIST_DIR}/style.css
    ${CMAKE_CURRENT_LIST_DIR}/icon.svg
    ${CMAKE_CURRENT_LIST_DIR}/app.js
    ${CMAKE_CURRENT_LIST_DIR}/attachments.js
    ${CMAKE_CURRENT_LIST_DIR}/i18n.js
    ${CMAKE_CURRENT_LIST_DIR}/social.js
    ${CMAKE_CURRENT_LIST_DIR}/text.js
    ${CMAKE_CURRENT_LIST_DIR}/engine/backoff.js
    ${CMAKE_CURRENT_LIST_DIR}/engine/client.js
    ${CMAKE_CURRENT_LIST_DIR}/engine/delivery.js
    ${CMAKE_CURRENT_LIST_DIR}/engine/emitter.js
    ${CMAKE_CURRENT_LIST_DIR}/engine/files.js
    ${CMAKE_CURRENT_LIST_DIR}/engine/outbox.js
    ${CMAKE_CURRENT_LIST_DIR}/engine/roomlog.js
    ${CMAKE_CURRENT_LIST_DIR}/engine/social.js
    ${CMAKE_CURRENT_LIST_DIR}/engine/store.js)

// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "ConnectionState.h"

#include <QCoreApplication>

namespace conversa::core {

using namespace Qt::StringLiterals;

QString stateDisplayName(ConnectionState state, int secondsLeft)
{
    switch (state) {
    case ConnectionState::SignedOut:
        return QCoreApplication::translate("ConnectionState", "Signed out");
    case ConnectionState::Connecting:
        return QCoreApplication::translate("ConnectionState", "Connecting…");
    case ConnectionState::Authenticating:
        return QCoreApplication::translate("ConnectionState", "Signing in…");
    case ConnectionState::Syncing:
        return QCoreApplication::translate("ConnectionState", "Catching up…");
    case ConnectionState::Online:
        return QCoreApplication::translate("ConnectionState", "Online");
    case ConnectionState::WaitingToReconnect:
        return QCoreApplication::translate("ConnectionState", "Reconnecting in %n s", nullptr,
                                           secondsLeft);
    case ConnectionState::AuthFailed:
        return QCoreApplication::translate("ConnectionState", "Sign-in needed");
    }
    return {};
}

QString ConnectionStatus::toDisplayString() const
{
    const QString name = stateDisplayName(state, secondsLeft);
    if (reason.isEmpty())
        return name;
    return name + u" · "_s + reason;
}

} // namespace conversa::core

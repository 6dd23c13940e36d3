// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "TransportSettings.h"

#include <QHostAddress>
#include <QNetworkProxyFactory>

using namespace Qt::StringLiterals;

namespace conversa::core {

QNetworkProxy proxyFor(const TransportOptions &options)
{
    switch (options.proxy) {
    case TransportOptions::Proxy::System: {
        // Said once, for the WebSocket and the file transfers alike, rather than left to
        // whichever of them is set up first.
        static const bool useSystem = [] {
            QNetworkProxyFactory::setUseSystemConfiguration(true);
            return true;
        }();
        Q_UNUSED(useSystem);
        const QString host = options.url.host();
        const bool loopback = QHostAddress(host).isLoopback() || host == "localhost"_L1;
        return QNetworkProxy(loopback ? QNetworkProxy::NoProxy : QNetworkProxy::DefaultProxy);
    }
    case TransportOptions::Proxy::None:
        break;
    case TransportOptions::Proxy::Http:
    case TransportOptions::Proxy::Socks5: {
        const bool http = options.proxy == TransportOptions::Proxy::Http;
        const QUrl &proxyUrl = options.proxyUrl;
        return QNetworkProxy(http ? QNetworkProxy::HttpProxy : QNetworkProxy::Socks5Proxy,
                             proxyUrl.host(), quint16(proxyUrl.port(http ? 8080 : 1080)),
                             proxyUrl.userName(), proxyUrl.password());
    }
    }
    return QNetworkProxy(QNetworkProxy::NoProxy);
}

QSslConfiguration sslFor(const TransportOptions &options)
{
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (!options.extraCas.isEmpty())
        ssl.addCaCertificates(options.extraCas);
    return ssl;
}

} // namespace conversa::core

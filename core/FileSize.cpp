// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "FileSize.h"

#include <QLocale>

namespace conversa::core {

QString formatFileSize(qint64 bytes)
{
    return QLocale().formattedDataSize(qMax<qint64>(0, bytes), 1, QLocale::DataSizeSIFormat);
}

} // namespace conversa::core

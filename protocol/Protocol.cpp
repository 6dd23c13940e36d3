// SPDX-FileCopyrightText: 2026 The Conversa authors
// SPDX-License-Identifier: Apache-2.0
#include "Protocol.h"

#include <array>
#include <utility>

namespace conversa::protocol {

namespace {
constexpr std::array<std::pair<ErrorCode, QLatin1StringView>, 8> kErrorNames{{
    {ErrorCode::BadRequest, QLatin1StringView("bad_request")},
    {ErrorCode::Unauthorized, QLatin1StringView("unauthorized")},
    {ErrorCode::Forbidden, QLatin1StringView("forbidden")},
    {ErrorCode::NotFound, QLatin1StringView("not_found")},
    {ErrorCode::Conflict, QLatin1StringView("conflict")},
    {ErrorCode::RateLimited, QLatin1StringView("rate_limited")},
    {ErrorCode::TooLarge, QLatin1StringView("too_large")},
    {ErrorCode::Internal, QLatin1StringView("internal")},
}};
} // namespace

QLatin1StringView errorCodeName(ErrorCode code)
{
    for (const auto &[value, name] : kErrorNames) {
        if (value == code)
            return name;
    }
    return QLatin1StringView("internal");
}

std::optional<ErrorCode> errorCodeFromName(QStringView name)
{
    for (const auto &[value, text] : kErrorNames) {
        if (name == text)
            return value;
    }
    return std::nullopt;
}

} // namespace conversa::protocol

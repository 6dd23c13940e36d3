# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# The UI talks to core::Account and core::Room only: no file of ui/ or app/desktop/ may include
# a header of protocol/ or name a protocol:: type. Run as
#   cmake -DSOURCE_DIR=<repository> -P check_no_protocol.cmake
if(NOT SOURCE_DIR)
    message(FATAL_ERROR "check_no_protocol.cmake: pass -DSOURCE_DIR=<repository>")
endif()
file(GLOB protocol_headers RELATIVE ${SOURCE_DIR}/protocol ${SOURCE_DIR}/protocol/*.h)
if(NOT protocol_headers)
    message(FATAL_ERROR "no headers found in ${SOURCE_DIR}/protocol")
endif()
file(GLOB checked_files
    ${SOURCE_DIR}/ui/*.h ${SOURCE_DIR}/ui/*.cpp
    ${SOURCE_DIR}/app/desktop/*.h ${SOURCE_DIR}/app/desktop/*.cpp)
set(problems "")
foreach(file IN LISTS checked_files)
    file(STRINGS ${file} lines)
    set(number 0)
    foreach(line IN LISTS lines)
        math(EXPR number "${number} + 1")
        foreach(header IN LISTS protocol_headers)
            string(REPLACE "." "\\." header_pattern "${header}")
            if(line MATCHES "^[ \t]*#[ \t]*include[ \t]*[<\"](protocol/)?${header_pattern}[>\"]")
                string(APPEND problems "${file}:${number}: includes the protocol header ${header}\n")
            endif()
        endforeach()
        if(line MATCHES "(^|[^A-Za-z_])(protocol|proto)::")
            string(APPEND problems "${file}:${number}: names a protocol type: ${line}\n")
        endif()
    endforeach()
endforeach()
if(problems)
    message(FATAL_ERROR "The UI must use core::Account and core::Room, not the wire protocol:\n"
                        "${problems}")
endif()
list(LENGTH checked_files count)
message(STATUS "${count} files of ui/ and app/desktop/ are free of protocol/ headers and types")

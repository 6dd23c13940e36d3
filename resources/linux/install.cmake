# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# Linux desktop integration of the `conversa` app, in the `client` component (the `conversa` .deb).
# Included from installer/CMakeLists.txt when the target `conversa` exists, on Linux only.
#
# Who installs what, so that nothing is installed twice:
#   app/desktop/CMakeLists.txt  bin/conversa, share/applications/org.conversa.Conversa.desktop,
#                               share/icons/hicolor/scalable/apps/conversa.svg
#   app/cli/CMakeLists.txt      bin/conversa-cli
#   this file                   the AppStream metainfo and the PNG icon sizes
# (The top-level CMakeLists.txt puts everything core/, ui/ and app/ install into `client`.)
# Translations need nothing here: ui/ compiles the .qm files into the binary (:/i18n).

set(CONVERSA_APP_ID org.conversa.Conversa)
set(conversa_icon_svg ${PROJECT_SOURCE_DIR}/resources/icons/conversa.svg)

install(FILES ${CMAKE_CURRENT_LIST_DIR}/${CONVERSA_APP_ID}.metainfo.xml
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/metainfo COMPONENT client)

# hicolor PNGs for desktops and software centres that do not render SVG icons, drawn at build
# time from the same SVG (rsvg-convert, Debian package librsvg2-bin).
find_program(RSVG_CONVERT rsvg-convert)
if(RSVG_CONVERT AND EXISTS ${conversa_icon_svg})
    set(conversa_png_icons)
    foreach(size 16 22 24 32 48 64 128 256 512)
        set(png ${CMAKE_CURRENT_BINARY_DIR}/hicolor/${size}x${size}/apps/conversa.png)
        add_custom_command(OUTPUT ${png}
            COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/hicolor/${size}x${size}/apps
            COMMAND ${RSVG_CONVERT} --width ${size} --height ${size} --keep-aspect-ratio
                    --output ${png} ${conversa_icon_svg}
            DEPENDS ${conversa_icon_svg}
            COMMENT "Rendering the ${size}x${size} app icon" VERBATIM)
        list(APPEND conversa_png_icons ${png})
        install(FILES ${png} DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/icons/hicolor/${size}x${size}/apps
                COMPONENT client)
    endforeach()
    add_custom_target(conversa-linux-icons ALL DEPENDS ${conversa_png_icons})
else()
    message(WARNING "rsvg-convert (librsvg2-bin) not found: the conversa package gets only the "
                    "scalable icon, no PNG sizes")
endif()

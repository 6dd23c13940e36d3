#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# Builds a test MSI with wixl from installer/windows/ (stand-in payload) and checks with msiinfo
# that what admins rely on is in its tables: the msiexec properties, the policy registry values
# and their conditions, the shortcuts, LAUNCH, per-machine install and the fixed upgrade code.
# With WIX_PATCH (the build's installer/wix-patch.xml), also checks the patch CPack WIX applies.
# Usage: check-msi.sh SOURCE_DIR UPGRADE_GUID VERSION [WIX_PATCH]
set -euo pipefail
SOURCE_DIR=$1
UPGRADE_GUID=$2
VERSION=$3
WIX_PATCH=${4:-}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0

for tool in wixl msiinfo msibuild python3; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool not found (apt-get install wixl msitools)"; exit 1; }
done

if ! python3 "$SOURCE_DIR/tests/packaging/build-test-msi.py" "$SOURCE_DIR" "$WORK" \
        "$UPGRADE_GUID" "$VERSION" >"$WORK/build.log" 2>&1; then
    echo "FAIL: wixl could not build the test MSI from installer/windows/"
    sed 's/^/    /' "$WORK/build.log"
    exit 1
fi
MSI=$WORK/Conversa-test.msi
echo "built: ${MSI##*/}"

for table in Property Registry Component Shortcut Upgrade CustomAction InstallExecuteSequence; do
    msiinfo export "$MSI" "$table" | tr -d '\r' >"$WORK/$table.idt"
done
msiinfo suminfo "$MSI" >"$WORK/suminfo.txt"

# expect TABLE DESCRIPTION LINE: the exported table has LINE (tab-separated) as a whole row.
TAB=$'\t'
expect() {
    local table=$1 what=$2 row=$3
    if grep -qxF -- "$row" "$WORK/$table.idt"; then
        echo "PASS: $what"
    else
        echo "FAIL: $what: no row in $table:"
        echo "    ${row//$TAB/ | }"
        echo "  $table has:"
        sed 's/^/    /' "$WORK/$table.idt"
        failures=$((failures + 1))
    fi
}
# row_where TABLE FIRST_COLUMN: the row whose first column is FIRST_COLUMN.
row_where() { awk -F'\t' -v k="$2" 'NR > 3 && $1 == k' "$WORK/$1.idt"; }
# expect_row TABLE KEY DESCRIPTION COLUMN=VALUE...: columns of the row with that key.
expect_row() {
    local table=$1 key=$2 what=$3; shift 3
    local row
    row=$(row_where "$table" "$key")
    if [ -z "$row" ]; then
        echo "FAIL: $what: $table has no row $key"; failures=$((failures + 1)); return
    fi
    local spec column value actual ok=1
    for spec in "$@"; do
        column=${spec%%=*}; value=${spec#*=}
        actual=$(printf '%s\n' "$row" | cut -f"$column")
        if [ "$actual" != "$value" ]; then
            echo "FAIL: $what: $table row $key column $column is '$actual', expected '$value'"
            ok=0; failures=$((failures + 1))
        fi
    done
    if [ $ok -eq 1 ]; then echo "PASS: $what"; fi
}

POLICY='SOFTWARE\Policies\Conversa\Conversa'
# Registry: Root 2 is HKLM; the policy values ManagedSettings reads.
check_registry() { # NAME VALUE COMPONENT CONDITION DESCRIPTION
    local name=$1 value=$2 component=$3 condition=$4 what=$5
    if awk -F'\t' -v n="$name" -v v="$value" -v c="$component" -v k="$POLICY" \
            'NR > 3 && $2 == "2" && $3 == k && $4 == n && $5 == v && $6 == c {found=1} END {exit !found}' \
            "$WORK/Registry.idt"; then
        echo "PASS: registry HKLM\\$POLICY $name = $value ($what)"
    else
        echo "FAIL: registry HKLM\\$POLICY $name = $value ($what) not written by component $component"
        sed 's/^/    /' "$WORK/Registry.idt"; failures=$((failures + 1))
    fi
    # Attributes 260 = 64-bit (msidbComponentAttributes64bit, so not under WOW6432Node)
    #                  + registry key path.
    expect_row Component "$component" "component $component: condition '$condition', 64-bit" \
        4=260 "5=$condition"
}
check_registry ServerUrl '[SERVERURL]' PolicyServerUrl 'SERVERURL' 'SERVERURL'
check_registry AllowServerUrlChange '#0' PolicyLockServerUrl 'LOCKSERVERURL AND LOCKSERVERURL <> "0"' \
    'LOCKSERVERURL=1 locks it'
check_registry ProxyUrl '[PROXYURL]' PolicyProxyUrl 'PROXYURL' 'PROXYURL'
check_registry ProxyMode '[PROXYMODE]' PolicyProxyMode 'PROXYMODE' 'PROXYMODE'
check_registry ProxyMode 'socks5' PolicyProxyModeSocks 'PROXYURL AND NOT PROXYMODE AND (PROXYURL ~<< "socks")' \
    'socks5 from a socks URL'
check_registry ProxyMode 'http' PolicyProxyModeHttp 'PROXYURL AND NOT PROXYMODE AND NOT (PROXYURL ~<< "socks")' \
    'http from any other URL'
# Nothing but the policy components writes to the policy key.
policy_rows=$(awk -F'\t' -v k="$POLICY" 'NR > 3 && $3 == k' "$WORK/Registry.idt" | wc -l)
if [ "$policy_rows" -eq 6 ]; then echo "PASS: six policy registry rows"; else
    echo "FAIL: expected 6 rows under $POLICY, found $policy_rows"; failures=$((failures + 1)); fi

# Shortcuts: Start menu always, desktop unless NODESKTOPSHORTCUT.
expect_row Shortcut StartMenuConversa "Start-menu shortcut to bin\\conversa.exe" \
    2=ProgramMenuFolder 3=Conversa 4=StartMenuShortcut '5=[INSTALL_ROOT]bin\conversa.exe'
expect_row Shortcut DesktopConversa "desktop shortcut to bin\\conversa.exe" \
    2=DesktopFolder 3=Conversa 4=DesktopShortcut '5=[INSTALL_ROOT]bin\conversa.exe'
expect_row Component StartMenuShortcut "Start-menu shortcut unconditional" 5=
expect_row Component DesktopShortcut "desktop shortcut only without NODESKTOPSHORTCUT" \
    '5=NOT NODESKTOPSHORTCUT OR NODESKTOPSHORTCUT = "0"'

# LAUNCH=1: set the path (type 51), run it without waiting (50 + 192), after InstallFinalize.
expect_row CustomAction SetConversaExePath "LAUNCH: path property" 2=51 3=ConversaExePath \
    '4=[INSTALL_ROOT]bin\conversa.exe'
expect_row CustomAction LaunchConversa "LAUNCH: start without waiting" 2=242 3=ConversaExePath
launch_condition='LAUNCH = "1" AND NOT (REMOVE ~= "ALL")'
expect_row InstallExecuteSequence SetConversaExePath "LAUNCH: SetConversaExePath only when LAUNCH=1" \
    "2=$launch_condition"
expect_row InstallExecuteSequence LaunchConversa "LAUNCH: LaunchConversa only when LAUNCH=1" \
    "2=$launch_condition"
finalize=$(row_where InstallExecuteSequence InstallFinalize | cut -f3)
launch=$(row_where InstallExecuteSequence LaunchConversa | cut -f3)
if [ -n "$finalize" ] && [ -n "$launch" ] && [ "$launch" -gt "$finalize" ]; then
    echo "PASS: LAUNCH runs after InstallFinalize"
else
    echo "FAIL: LaunchConversa ($launch) must come after InstallFinalize ($finalize)"
    failures=$((failures + 1))
fi

# Properties: per machine, all admin properties secure (passed to the elevated install).
expect Property "per-machine (ALLUSERS=1)" "ALLUSERS${TAB}1"
expect Property "upgrade code is CPACK_WIX_UPGRADE_GUID" "UpgradeCode${TAB}{$UPGRADE_GUID}"
secure=$(row_where Property SecureCustomProperties | cut -f2)
for prop in SERVERURL LOCKSERVERURL PROXYMODE PROXYURL NODESKTOPSHORTCUT LAUNCH; do
    if [[ ";$secure;" == *";$prop;"* ]]; then echo "PASS: $prop is a secure public property"
    else echo "FAIL: $prop missing from SecureCustomProperties ($secure)"; failures=$((failures + 1)); fi
done

# Upgrade: a newer MSI with the same upgrade code replaces this one; an older one refuses.
expect Upgrade "major upgrade of older versions" \
    "{$UPGRADE_GUID}${TAB}${TAB}${VERSION}${TAB}${TAB}1${TAB}${TAB}WIX_UPGRADE_DETECTED"
expect Upgrade "downgrade detection" \
    "{$UPGRADE_GUID}${TAB}${VERSION}${TAB}${TAB}${TAB}2${TAB}${TAB}WIX_DOWNGRADE_DETECTED"

# Summary information: an x64 package.
if grep -q '^Template: x64;1033$' "$WORK/suminfo.txt"; then echo "PASS: suminfo template x64;1033"
else echo "FAIL: suminfo template is not x64;1033:"; sed 's/^/    /' "$WORK/suminfo.txt"
    failures=$((failures + 1)); fi

# The CPack WIX patch: conversa-product.wxi's elements into <Product>, the policy components
# into the root feature.
patch_is_complete() {
    python3 - "$WIX_PATCH" "$SOURCE_DIR/installer/windows/conversa-product.wxi" <<'PY'
import sys
import xml.etree.ElementTree as ET
patch = ET.parse(sys.argv[1]).getroot()
wxi = ET.parse(sys.argv[2]).getroot()
fragments = {f.get("Id"): f for f in patch.findall("CPackWiXFragment")}
assert patch.tag == "CPackWiXPatch", patch.tag
assert set(fragments) == {"#PRODUCT", "#PRODUCTFEATURE"}, set(fragments)
local = lambda tag: tag.split("}")[-1]
want = [(local(e.tag), e.get("Id") or e.get("Action")) for e in wxi]
got = [(local(e.tag), e.get("Id") or e.get("Action")) for e in fragments["#PRODUCT"]]
assert got == want, f"#PRODUCT has {got}, the .wxi has {want}"
customs = [c.text for c in fragments["#PRODUCT"].iter() if local(c.tag) == "Custom"]
assert customs and all(c and "LAUNCH" in c for c in customs), customs
refs = [e.get("Id") for e in fragments["#PRODUCTFEATURE"] if local(e.tag) == "ComponentGroupRef"]
assert refs == ["ConversaPolicy"], refs
PY
}
if [ -n "$WIX_PATCH" ]; then
    if out=$(patch_is_complete 2>&1); then echo "PASS: CPack WIX patch ${WIX_PATCH##*/} carries the product part and the feature reference"
    else echo "FAIL: CPack WIX patch $WIX_PATCH:"; printf '%s\n' "$out" | sed 's/^/    /'; failures=$((failures + 1)); fi
fi

# The exe and Add/Remove Programs icon (installer/windows/make-ico.sh): an ICO from 16 to 256 px.
ico_is_complete() {
    python3 - "$SOURCE_DIR/installer/windows/conversa.ico" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
reserved, kind, count = struct.unpack_from("<HHH", data)
assert (reserved, kind) == (0, 1), "not an ICO file"
sizes = set()
for i in range(count):
    width, height, _, _, _, _, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
    assert offset + length <= len(data), f"entry {i} runs past the end"
    sizes.add(width or 256)
missing = {16, 24, 32, 48, 256} - sizes
assert not missing, f"sizes {sorted(sizes)}, missing {sorted(missing)}"
PY
}
if out=$(ico_is_complete 2>&1); then echo "PASS: conversa.ico has 16 to 256 px images"
else echo "FAIL: installer/windows/conversa.ico: $out"; failures=$((failures + 1)); fi

[ "$failures" -eq 0 ] || { echo "$failures MSI check(s) failed"; exit 1; }
echo "all MSI checks passed"

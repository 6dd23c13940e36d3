#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
"""Checks the example admin policies and the macOS bundle plist against what the app reads.

Usage: check-policy-files.py SOURCE_DIR

core/ManagedSettings.h is the one place that names the policy keys and the macOS preference
domain; every file an admin deploys must use exactly those names:
  installer/macos/conversa.mobileconfig  well-formed plist, a configuration profile that forces
                                         ServerUrl and AllowServerUrlChange=false for the domain
  installer/macos/Info.plist.in          well-formed plist whose CFBundleIdentifier is the domain
  installer/linux/Conversa.conf          [General] ServerUrl and AllowServerUrlChange=false
  installer/windows/conversa-policy.wxs  registry value names under the policy key
"""
import configparser
import plistlib
import re
import sys
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

failures = 0


def check(name, ok, detail=""):
    global failures
    if ok:
        print(f"PASS: {name}")
    else:
        print(f"FAIL: {name}" + (f": {detail}" if detail else ""))
        failures += 1


def main():
    root = Path(sys.argv[1])
    header = (root / "core" / "ManagedSettings.h").read_text(encoding="utf-8")
    keys = dict(re.findall(r'static inline const QString (\w+) = QStringLiteral\("([^"]+)"\)', header))
    domain = keys.pop("kMacDomain", None)
    check("ManagedSettings.h names the macOS domain", domain is not None)
    for needed in ("ServerUrl", "AllowServerUrlChange", "ProxyMode", "ProxyUrl", "ExtraCaFile"):
        check(f"ManagedSettings.h has the key {needed}", keys.get(needed) == needed, str(keys))
    known = set(keys.values())

    # macOS configuration profile.
    path = root / "installer" / "macos" / "conversa.mobileconfig"
    try:
        profile = plistlib.loads(path.read_bytes())
    except Exception as error:  # noqa: BLE001 - any parse error is the finding
        check(f"{path.name} is a well-formed plist", False, str(error))
        return
    check(f"{path.name} is a well-formed plist", True)
    check("profile: PayloadType Configuration", profile.get("PayloadType") == "Configuration")
    uuids = [profile.get("PayloadUUID")]
    payloads = profile.get("PayloadContent", [])
    settings = [p for p in payloads if p.get("PayloadType") == "com.apple.ManagedClient.preferences"]
    check("profile: one custom-preferences payload", len(settings) == 1,
          f"{[p.get('PayloadType') for p in payloads]}")
    for payload in payloads:
        uuids.append(payload.get("PayloadUUID"))
        for key in ("PayloadIdentifier", "PayloadVersion", "PayloadType"):
            check(f"profile payload has {key}", key in payload)
    valid = True
    for value in uuids:
        try:
            uuid.UUID(value)
        except (TypeError, ValueError):
            valid = False
    check("profile: PayloadUUIDs valid and distinct", valid and len(set(uuids)) == len(uuids), str(uuids))
    if settings:
        content = settings[0].get("PayloadContent", {})
        check(f"profile: preferences for domain {domain}", list(content) == [domain], str(list(content)))
        forced = content.get(domain, {}).get("Forced", [])
        values = {}
        for entry in forced:
            values.update(entry.get("mcx_preference_settings", {}))
        check("profile: forces only keys ManagedSettings reads", set(values) <= known,
              str(set(values) - known))
        server = values.get("ServerUrl")
        check("profile: forces ServerUrl (wss://)", isinstance(server, str) and server.startswith("wss://"),
              repr(server))
        check("profile: forces AllowServerUrlChange = false (a boolean)",
              values.get("AllowServerUrlChange") is False, repr(values.get("AllowServerUrlChange")))

    # The bundle's Info.plist template: well-formed once CMake fills it in, id = domain.
    path = root / "installer" / "macos" / "Info.plist.in"
    text = re.sub(r"\$\{(\w+)\}", "X", path.read_text(encoding="utf-8"))
    try:
        info = plistlib.loads(text.encode("utf-8"))
        check(f"{path.name} is a well-formed plist", True)
        check(f"{path.name}: CFBundleIdentifier is {domain}", info.get("CFBundleIdentifier") == domain,
              repr(info.get("CFBundleIdentifier")))
        for key in ("CFBundleExecutable", "CFBundleIconFile", "CFBundleShortVersionString",
                    "CFBundleVersion", "CFBundlePackageType"):
            check(f"{path.name} has {key}", key in info)
    except Exception as error:  # noqa: BLE001
        check(f"{path.name} is a well-formed plist", False, str(error))

    # Linux example policy: QSettings reads top-level INI keys from [General].
    path = root / "installer" / "linux" / "Conversa.conf"
    ini = configparser.ConfigParser(comment_prefixes=(";",), interpolation=None)
    ini.optionxform = str
    ini.read(path, encoding="utf-8")
    general = dict(ini["General"]) if ini.has_section("General") else {}
    check(f"{path.name}: [General] keys are ones ManagedSettings reads", general and set(general) <= known,
          str(general))
    check(f"{path.name}: presets ServerUrl", general.get("ServerUrl", "").startswith("wss://"))
    check(f"{path.name}: locks it (AllowServerUrlChange=false)",
          general.get("AllowServerUrlChange") == "false")
    check(f"{path.name}: comments start with ';' as QSettings INI expects",
          not any(line.lstrip().startswith("#") for line in path.read_text(encoding="utf-8").splitlines()))

    # MSI: registry value names under the policy key.
    path = root / "installer" / "windows" / "conversa-policy.wxs"
    ns = {"w": "http://schemas.microsoft.com/wix/2006/wi"}
    names = {value.get("Name") for value in ET.parse(path).getroot().iterfind(".//w:RegistryValue", ns)
             if value.get("Key") == r"SOFTWARE\Policies\Conversa\Conversa" and value.get("Root") == "HKLM"}
    check(f"{path.name}: policy value names are ones ManagedSettings reads", names and names <= known,
          str(names - known))
    check(f"{path.name}: writes ServerUrl and AllowServerUrlChange",
          {"ServerUrl", "AllowServerUrlChange"} <= names, str(names))

    if failures:
        print(f"{failures} policy file check(s) failed")
        sys.exit(1)
    print("all policy file checks passed")


if __name__ == "__main__":
    main()

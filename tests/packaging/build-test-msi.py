#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
"""Builds a test MSI with msitools' wixl from the WiX sources in installer/windows/.

Usage: build-test-msi.py SOURCE_DIR WORK_DIR UPGRADE_GUID VERSION

The product around the sources mirrors what CPack WIX generates (TARGETDIR > ProgramFiles64Folder >
INSTALL_ROOT, a MajorUpgrade with the fixed upgrade code, the root feature ProductFeature) with a
stand-in bin/conversa.exe. wixl 0.101 (Debian 12) lacks two WiX 3 features the sources use; this
script does for them what WiX would, so the tables can be checked as Windows will see them:
  - <Condition> inside <Component>: removed before wixl, then written to the Component table's
    Condition column with msibuild;
  - Property/@Secure: removed before wixl, then appended to SecureCustomProperties.
Prints the path of the MSI.
"""
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

WIX_NS = "http://schemas.microsoft.com/wix/2006/wi"
ET.register_namespace("", WIX_NS)


def q(tag):
    return f"{{{WIX_NS}}}{tag}"


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    source_dir, work_dir, upgrade_guid, version = sys.argv[1:5]
    windows = Path(source_dir) / "installer" / "windows"
    work = Path(work_dir)
    (work / "payload").mkdir(parents=True, exist_ok=True)
    (work / "payload" / "conversa.exe").write_bytes(b"MZ stand-in for the test MSI\n")

    # The fragment: take the component conditions out.
    fragment = ET.parse(windows / "conversa-policy.wxs")
    conditions = {}
    for component in fragment.iter(q("Component")):
        for condition in component.findall(q("Condition")):
            text = (condition.text or "").strip()
            if not text or "'" in text:
                fail(f"component {component.get('Id')}: condition {text!r} is empty or has a '")
            conditions[component.get("Id")] = text
            component.remove(condition)
    fragment.write(work / "conversa-policy.wxs", xml_declaration=True, encoding="utf-8")

    # The product-level include: take Secure out. ElementTree needs a root, and <Include> is one.
    include = ET.parse(windows / "conversa-product.wxi")
    secure = []
    for prop in include.iter(q("Property")):
        if prop.attrib.pop("Secure", "no") == "yes":
            secure.append(prop.get("Id"))
    include.write(work / "conversa-product.wxi", xml_declaration=True, encoding="utf-8")

    product = f"""<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="{WIX_NS}">
  <Product Id="*" Name="Conversa" Language="1033" Version="{version}"
           Manufacturer="Conversa developers" UpgradeCode="{upgrade_guid}">
    <Package InstallerVersion="301" Compressed="yes" Description="Conversa test MSI"/>
    <Media Id="1" Cabinet="media1.cab" EmbedCab="yes"/>
    <MajorUpgrade DowngradeErrorMessage="A later version of [ProductName] is already installed."/>
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFiles64Folder">
        <Directory Id="INSTALL_ROOT" Name="Conversa">
          <Directory Id="CM_DP_bin" Name="bin">
            <Component Id="CM_C_conversa_exe" Guid="F0B48C20-C72B-4FB8-BBA6-171112090969" Win64="yes">
              <File Id="CM_FP_bin.conversa.exe" Name="conversa.exe" Source="payload/conversa.exe" KeyPath="yes"/>
            </Component>
          </Directory>
        </Directory>
      </Directory>
    </Directory>
    <?include conversa-product.wxi?>
    <Feature Id="ProductFeature" Title="Conversa" Level="1">
      <ComponentRef Id="CM_C_conversa_exe"/>
      <ComponentGroupRef Id="ConversaPolicy"/>
    </Feature>
  </Product>
</Wix>
"""
    (work / "product.wxs").write_text(product, encoding="utf-8")
    msi = work / "Conversa-test.msi"
    subprocess.run(["wixl", "-a", "x64", "-I", str(work), "-o", str(msi),
                    str(work / "product.wxs"), str(work / "conversa-policy.wxs")],
                   cwd=work, check=True)

    queries = [f"UPDATE `Component` SET `Condition` = '{text}' WHERE `Component` = '{cid}'"
               for cid, text in conditions.items()]
    existing = subprocess.run(["msiinfo", "export", str(msi), "Property"], check=True,
                              capture_output=True, text=True).stdout
    current = next((line.split("\t", 1)[1] for line in existing.splitlines()
                    if line.startswith("SecureCustomProperties\t")), "")
    merged = ";".join([p for p in current.split(";") if p] + secure)
    if current:
        queries.append(f"UPDATE `Property` SET `Value` = '{merged}' "
                       "WHERE `Property` = 'SecureCustomProperties'")
    else:
        queries.append("INSERT INTO `Property` (`Property`, `Value`) "
                       f"VALUES ('SecureCustomProperties', '{merged}')")
    for query in queries:
        subprocess.run(["msibuild", str(msi), "-q", query], check=True)
    print(msi)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Adds to an MSI built by wixl from credworkbench.wxs what wixl cannot express
# (msibuild from msitools edits the tables in place):
#  1. The PATH entry of the PathEntry feature: an Environment row and the two
#     standard actions that write it on install and take it out on uninstall,
#     the rows WiX writes for <Environment Name="PATH" Value="[INSTALLDIR]"
#     Part="last" System="yes" Permanent="no"/>. Name "=-*PATH": = set on
#     install, - remove on uninstall, * system variable; "[~];X" appends X.
#  2. Upgrades between builds of one version: Windows compares only the first
#     three fields of ProductVersion, so 1.2.0.41 -> 1.2.0.42 counts as the same
#     version, which wixl's <MajorUpgrade> does not replace (two entries in
#     "Installed apps"). Attribute 513 = MigrateFeatures (1) + VersionMaxInclusive
#     (512), what WiX writes for AllowSameVersionUpgrades="yes".
# Usage: packaging/windows/msi-fixup.sh FILE.msi
set -euo pipefail
msi=$(cd "$(dirname "${1:?usage: $0 FILE.msi}")" && pwd)/$(basename "$1")
command -v msibuild >/dev/null || { echo "msi-fixup: msibuild missing (Debian: apt-get install msitools)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
q() { msibuild "$msi" -q "$1" || { echo "msi-fixup: query failed: $1" >&2; exit 1; }; }

# An .idt file: column names, column types, table name and key, then rows.
# msibuild takes the table from the file name, relative to the current directory.
printf 'Environment\tName\tValue\tComponent_\ns72\tl255\tL255\ts72\nEnvironment\tEnvironment\nCredctlPath\t=-*PATH\t[~];[INSTALLDIR]\tPathEntry\n' \
  >"$tmp/Environment.idt"
(cd "$tmp" && msibuild "$msi" -i Environment.idt)
q "INSERT INTO \`InstallExecuteSequence\` (\`Action\`, \`Condition\`, \`Sequence\`) VALUES ('RemoveEnvironmentStrings', '', 3300)"
q "INSERT INTO \`InstallExecuteSequence\` (\`Action\`, \`Condition\`, \`Sequence\`) VALUES ('WriteEnvironmentStrings', '', 5200)"

# Attributes is part of the Upgrade table's key: replace the row, do not update it.
row=$(msiinfo export "$msi" Upgrade | tr -d '\r' | awk -F'\t' '$7 == "WIX_UPGRADE_DETECTED" {print $1 "\t" $3}')
code=${row%%$'\t'*} max=${row#*$'\t'}
[ -n "$code" ] && [ -n "$max" ] || { echo "msi-fixup: no WIX_UPGRADE_DETECTED row in $msi (is <MajorUpgrade> gone?)" >&2; exit 1; }
q "DELETE FROM \`Upgrade\` WHERE \`ActionProperty\` = 'WIX_UPGRADE_DETECTED'"
q "INSERT INTO \`Upgrade\` (\`UpgradeCode\`, \`VersionMax\`, \`Attributes\`, \`ActionProperty\`) VALUES ('$code', '$max', 513, 'WIX_UPGRADE_DETECTED')"

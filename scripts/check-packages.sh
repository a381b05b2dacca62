#!/usr/bin/env bash
# Verifies the packages that make package-linux / package-windows wrote to
# dist/ (make package-check). Every check prints "ok" or "FAIL"; the script
# exits non-zero if any failed.
# Usage: scripts/check-packages.sh [linux] [windows] [darwin]   (default: linux windows)
# Env: VERSION (as the Makefile computes it), DIST (default dist), ARCH (linux, default amd64).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD

VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null | sed 's/^v//' || true)}
VERSION=${VERSION:-dev}
DIST=$(cd "${DIST:-dist}" 2>/dev/null && pwd) || { echo "package-check: no ${DIST:-dist}/ directory: run make package-linux package-windows first" >&2; exit 1; }
ARCH=${ARCH:-amd64}
APP_ID=io.github.credworkbench
# The numeric version the package metadata carries (see packaging/package.sh).
PKG_VERSION=$(grep -oE '^[0-9]+\.[0-9]+\.[0-9]+' <<<"$VERSION" ||
  sed -nE 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"([0-9]+\.[0-9]+\.[0-9]+)".*/\1/p' FyneApp.toml)

passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*" >&2; failed=$((failed + 1)); }
skip() { echo "skip $*"; }
# check DESCRIPTION COMMAND...: ok if the command succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
# file_has FILE PATTERN: `file -b` of FILE matches the extended regex.
file_has() { file -b "$1" | grep -qE "$2"; }
libs_resolve() { ! ldd "$1" | grep -q "not found"; }
manifest_is_ours() { grep -qa 'level="asInvoker"' "$1" && grep -qa PerMonitorV2 "$1"; }
# The version resource holds x.y.z.build as UTF-16 strings. grep reads all
# of strings' output (no -q): with pipefail, a grep -q that stops at the
# first match makes strings die of SIGPIPE and the check fail at random.
version_resource_is() { strings -el "$1" | grep -E "^${PKG_VERSION//./\\.}\.[0-9]+\$" >/dev/null; }
sums_verify() { (cd "$DIST" && sha256sum --quiet -c SHA256SUMS); }

# has_version OBJCOPY SECTION BINARY: VERSION (set with -X) is in the binary's
# read-only data. -trimpath keeps -ldflags out of the build info, and the GUI
# has no --version, so look at the data itself; the lookarounds skip module
# versions like "@v1.2.0" (PE keeps file names in .rdata too).
has_version() {
  local out=$TMP/section.bin
  "$1" -O binary --only-section="$2" "$3" "$out" 2>/dev/null &&
    grep -qaP "(?<![v@0-9.])\Q$VERSION\E(?![0-9])" "$out"
}

for tool in file tar xz unzip sha256sum objcopy dpkg-deb lintian appstreamcli rpm msiinfo; do
  command -v "$tool" >/dev/null || fail "tool $tool missing (scripts/deps.sh package installs the package tools)"
done

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

check_linux() {
  local tarball=$DIST/credworkbench-$VERSION-linux-$ARCH.tar.xz
  echo "--- $tarball"
  if [ ! -f "$tarball" ]; then
    fail "missing $tarball (run make package-linux)"
    return
  fi
  local list
  list=$(tar -tJf "$tarball") || { fail "$tarball is not a readable tar.xz"; return; }
  local want
  for want in '^credworkbench/Makefile$' '^credworkbench/usr/(local/)?bin/credworkbench$' \
    "^credworkbench/usr/(local/)?share/applications/$APP_ID\\.desktop\$" \
    "^credworkbench/usr/(local/)?share/pixmaps/$APP_ID\\.png\$"; do
    check "tarball lists $want" grep -qE "$want" <<<"$list"
  done

  mkdir -p "$TMP/linux"
  tar -C "$TMP/linux" -xJf "$tarball" || { fail "unpacking $tarball"; return; }
  local pkg=$TMP/linux/credworkbench
  local bin desktop icon
  bin=$(find "$pkg/usr" -path '*/bin/credworkbench' -type f | head -1)
  desktop=$(find "$pkg/usr" -name "$APP_ID.desktop" | head -1)
  icon=$(find "$pkg/usr" -name "$APP_ID.png" | head -1)
  if [ -z "$bin" ] || [ -z "$desktop" ] || [ -z "$icon" ]; then
    fail "unpacked tarball lacks binary, .desktop or icon"
    return
  fi

  if command -v desktop-file-validate >/dev/null; then
    check ".desktop passes desktop-file-validate" desktop-file-validate "$desktop"
  else
    fail "desktop-file-validate missing (Debian: desktop-file-utils)"
  fi
  check ".desktop names the app, binary and icon" grep -qxF "Name=Credential Workbench" "$desktop"
  check ".desktop Exec=credworkbench" grep -qxF "Exec=credworkbench" "$desktop"
  check ".desktop Icon=$APP_ID" grep -qxF "Icon=$APP_ID" "$desktop"
  check ".desktop Categories from FyneApp.toml" grep -qx "Categories=Development;Network;Security;" "$desktop"
  check "icon is a 512x512 PNG" file_has "$icon" '^PNG image data, 512 x 512'
  check "binary is an x86-64 ELF executable" file_has "$bin" '^ELF 64-bit LSB .*x86-64'
  check "binary carries version $VERSION in its data" has_version objcopy .rodata "$bin"
  if command -v ldd >/dev/null; then
    check "binary's shared libraries all resolve" libs_resolve "$bin"
  fi

  # The Makefile in the tarball: system-wide into a DESTDIR, per user, and PREFIX=~/.local.
  local root=$TMP/root home=$TMP/home
  if (cd "$pkg" && make -s install DESTDIR="$root" PREFIX=/usr >/dev/null); then
    check "make install puts binary, .desktop and icon under PREFIX" test -x "$root/usr/bin/credworkbench" \
      -a -f "$root/usr/share/applications/$APP_ID.desktop" -a -f "$root/usr/share/pixmaps/$APP_ID.png"
  else
    fail "make install DESTDIR=… PREFIX=/usr in the unpacked tarball"
  fi
  mkdir -p "$home"
  if (cd "$pkg" && make -s user-install HOME="$home" >/dev/null); then
    check "make user-install puts the app in ~/.local" test -x "$home/.local/bin/credworkbench" \
      -a -f "$home/.local/share/icons/$APP_ID.png"
    check "user-installed .desktop runs ~/.local/bin/credworkbench" \
      grep -qxF "Exec=$home/.local/bin/credworkbench" "$home/.local/share/applications/$APP_ID.desktop"
    command -v desktop-file-validate >/dev/null &&
      check "user-installed .desktop passes desktop-file-validate" \
        desktop-file-validate "$home/.local/share/applications/$APP_ID.desktop"
    (cd "$pkg" && make -s user-uninstall HOME="$home" >/dev/null 2>&1)
    check "make user-uninstall removes the binary" test ! -e "$home/.local/bin/credworkbench"
  else
    fail "make user-install in the unpacked tarball"
  fi
  if (cd "$pkg" && make -s install PREFIX="$home/prefix/.local" >/dev/null); then
    check "make install PREFIX=~/.local works without root" test -x "$home/prefix/.local/bin/credworkbench"
  else
    fail "make install PREFIX=~/.local in the unpacked tarball"
  fi

  check_credctl_tarball
  check_deb
  check_rpm
}

# The files both Linux packages must carry.
PKG_PATHS=(/usr/bin/credworkbench /usr/bin/credctl "/usr/share/applications/$APP_ID.desktop"
  "/usr/share/metainfo/$APP_ID.metainfo.xml" "/usr/share/icons/hicolor/256x256/apps/$APP_ID.png"
  "/usr/share/icons/hicolor/scalable/apps/$APP_ID.svg" /usr/share/man/man1/credctl.1.gz
  /usr/share/bash-completion/completions/credctl /usr/share/fish/vendor_completions.d/credctl.fish)

check_deb() {
  local deb=$DIST/credworkbench_${VERSION}_$ARCH.deb
  echo "--- $deb"
  if [ ! -f "$deb" ]; then
    fail "missing $deb (run make package-linux)"
    return
  fi
  local list fields p
  list=$(dpkg-deb -c "$deb" | awk '{print substr($6, 2)}') || { fail "$deb is not a readable .deb"; return; }
  for p in "${PKG_PATHS[@]}" /usr/share/zsh/vendor-completions/_credctl /usr/share/doc/credworkbench/copyright; do
    check ".deb holds $p" grep -qxF "$p" <<<"$list"
  done
  fields=$(dpkg-deb -f "$deb")
  check ".deb Package: credworkbench" grep -qx 'Package: credworkbench' <<<"$fields"
  check ".deb Version: $PKG_VERSION-BUILD" grep -qE "^Version: ${PKG_VERSION//./\\.}-[0-9]+\$" <<<"$fields"
  check ".deb recommends gnome-keyring" grep -qE '^Recommends:.*gnome-keyring' <<<"$fields"

  mkdir -p "$TMP/deb"
  dpkg-deb -x "$deb" "$TMP/deb" || { fail "unpacking $deb"; return; }
  # Every library the GUI links (its NEEDED entries) must come from a package
  # in Depends. (The X libraries GLFW loads at run time are listed in
  # packaging/linux/nfpm.yaml; no tool can see those.)
  local depends so path pkg
  depends=$(sed -n 's/^Depends: //p' <<<"$fields" | tr -d ' ' | tr ',' '\n' | sed 's/(.*//')
  for so in $(objdump -p "$TMP/deb/usr/bin/credworkbench" | awk '$1 == "NEEDED" {print $2}'); do
    path=$(ldconfig -p | awk -v so="$so" '$1 == so && /x86-64/ {print $NF; exit}')
    pkg=""
    if [ -n "$path" ]; then
      pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1)
      [ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1)
    fi
    check ".deb Depends covers $so (${pkg:-no package found})" grep -qxF "${pkg:-?}" <<<"$depends"
  done
  check "installed .desktop passes desktop-file-validate" desktop-file-validate "$TMP/deb/usr/share/applications/$APP_ID.desktop"
  # --no-net: the screenshot and homepage URLs are not reachable from CI.
  check "metainfo passes appstreamcli validate" appstreamcli validate --no-net "$TMP/deb/usr/share/metainfo/$APP_ID.metainfo.xml"
  check "metainfo has screenshots" grep -q '<screenshot type="default">' "$TMP/deb/usr/share/metainfo/$APP_ID.metainfo.xml"
  check "metainfo release is $PKG_VERSION" grep -q "<release version=\"$PKG_VERSION\" date=\"[0-9-]*\"" "$TMP/deb/usr/share/metainfo/$APP_ID.metainfo.xml"
  check "256x256 icon is a 256x256 PNG" file_has "$TMP/deb/usr/share/icons/hicolor/256x256/apps/$APP_ID.png" '^PNG image data, 256 x 256'
  check "credctl man page is a gzipped page" zgrep -q '^\.TH CREDCTL 1' "$TMP/deb/usr/share/man/man1/credctl.1.gz"
  check "the man page names every credctl command" man_covers_commands "$TMP/deb/usr/share/man/man1/credctl.1.gz" "$TMP/deb/usr/bin/credctl"
  local out
  # The package's own lintian overrides (packaging/linux/lintian-overrides) say
  # which tags do not apply, and why.
  lintian --fail-on error "$deb" >"$TMP/lintian.txt" 2>&1
  local rc=$?
  grep -v '^running with root privileges' "$TMP/lintian.txt" | sed 's/^/     lintian: /'
  if [ $rc -eq 0 ]; then ok "lintian reports no errors"; else fail "lintian reports errors"; fi
}

# man_covers_commands PAGE CREDCTL: every command `credctl help` lists has an
# entry in the man page.
man_covers_commands() {
  local page cmd missing=""
  page=$(zcat "$1")
  for cmd in $("$2" help 2>&1 | sed -n '/^Commands:/,/^$/ s/^  \([a-z-]*\) .*/\1/p'); do
    grep -qE "^\.BR? ${cmd//-/\\\\-}( |\$)" <<<"$page" || missing+=" $cmd"
  done
  [ -z "$missing" ] || echo "     credctl.1 lacks:$missing" >&2
  [ -z "$missing" ]
}

check_rpm() {
  local rpm=$DIST/credworkbench-$VERSION.x86_64.rpm
  echo "--- $rpm"
  if [ ! -f "$rpm" ]; then
    fail "missing $rpm (run make package-linux)"
    return
  fi
  command -v rpm >/dev/null || { fail "rpm missing (Debian: apt-get install rpm) to read the .rpm"; return; }
  local list p
  list=$(rpm -qpl "$rpm" 2>/dev/null) || { fail "$rpm is not a readable .rpm"; return; }
  for p in "${PKG_PATHS[@]}" /usr/share/zsh/site-functions/_credctl; do
    check ".rpm holds $p" grep -qxF "$p" <<<"$list"
  done
  check ".rpm is version $PKG_VERSION" grep -qxF "$PKG_VERSION" <<<"$(rpm -qp --qf '%{VERSION}' "$rpm" 2>/dev/null)"
  check ".rpm is for x86_64" grep -qxF x86_64 <<<"$(rpm -qp --qf '%{ARCH}' "$rpm" 2>/dev/null)"
  check ".rpm requires libGL.so.1" grep -qF 'libGL.so.1()(64bit)' <<<"$(rpm -qp --requires "$rpm" 2>/dev/null)"
}

# check_darwin: credctl cross-built for both Mac architectures.
check_darwin() {
  local arch want tarball name
  for arch in amd64 arm64; do
    name=credctl-$VERSION-darwin-$arch
    tarball=$DIST/$name.tar.gz
    echo "--- $tarball"
    if [ ! -f "$tarball" ]; then
      fail "missing $tarball (run make package-darwin-cli)"
      continue
    fi
    mkdir -p "$TMP/darwin"
    tar -C "$TMP/darwin" -xzf "$tarball" || { fail "unpacking $tarball"; continue; }
    case $arch in amd64) want='^Mach-O 64-bit x86_64 executable' ;; arm64) want='^Mach-O 64-bit arm64 executable' ;; esac
    check "$name/credctl is a Mach-O $arch executable" file_has "$TMP/darwin/$name/credctl" "$want"
    check "$name/credctl carries version $VERSION" grep -qaF -- "$VERSION" "$TMP/darwin/$name/credctl"
  done
}

check_credctl_tarball() {
  local tarball=$DIST/credctl-$VERSION-linux-$ARCH.tar.gz name=credctl-$VERSION-linux-$ARCH
  echo "--- $tarball"
  if [ ! -f "$tarball" ]; then
    fail "missing $tarball (run make package-linux)"
    return
  fi
  local list want
  list=$(tar -tzf "$tarball") || { fail "$tarball is not a readable tar.gz"; return; }
  for want in credctl README.md completions/credctl.bash completions/_credctl completions/credctl.fish; do
    check "credctl tarball lists $name/$want" grep -qxF "$name/$want" <<<"$list"
  done
  mkdir -p "$TMP/credctl"
  tar -C "$TMP/credctl" -xzf "$tarball" || { fail "unpacking $tarball"; return; }
  local dir=$TMP/credctl/$name
  check "credctl is a statically linked x86-64 ELF" file_has "$dir/credctl" '^ELF 64-bit LSB .*x86-64.*statically linked'
  local out
  # A fresh HOME/XDG dir: `version` must not need (or touch) a real profile store.
  if out=$(cd "$TMP" && HOME=$TMP/credctl-home XDG_CONFIG_HOME=$TMP/credctl-home/.config \
    timeout 20 "$dir/credctl" version 2>&1); then
    echo "     credctl version: $out"
    check "credctl version prints $VERSION" grep -qF -- "$VERSION" <<<"$out"
  else
    fail "credctl version exited non-zero: $out"
  fi
  check "bash completion parses (bash -n)" bash -n "$dir/completions/credctl.bash"
  check "bash completion mentions credctl" grep -q credctl "$dir/completions/credctl.bash"
  check "zsh completion is a #compdef script" grep -q '^#compdef credctl' "$dir/completions/_credctl"
  check "fish completion completes credctl" grep -q 'complete -c credctl' "$dir/completions/credctl.fish"
  check "credctl README names the version" grep -qF "credctl $VERSION" "$dir/README.md"
}

# pe_resource_types EXE: the numeric resource types in the .rsrc section.
# objdump -p prints the root directory's entries as "OFF   Entry: ID: 0xN,"
# (three spaces; deeper levels are indented further).
pe_resource_types() {
  x86_64-w64-mingw32-objdump -p "$1" |
    sed -n '/^The \.rsrc Resource Directory section/,/^ Resources start/ s/^[0-9a-f]\{3,\}   Entry: ID: \(0x[0-9a-f]*\),.*/\1/p' |
    while read -r id; do printf '%d\n' "$id"; done
}

check_windows() {
  local name=credworkbench-$VERSION-windows-amd64
  local zipfile=$DIST/$name.zip
  echo "--- $zipfile"
  if [ ! -f "$zipfile" ]; then
    fail "missing $zipfile (run make package-windows)"
    return
  fi
  local list want
  list=$(unzip -Z1 "$zipfile") || { fail "$zipfile is not a readable zip"; return; }
  for want in "Credential Workbench.exe" credctl.exe README.txt; do
    check "zip lists $name/$want" grep -qxF "$name/$want" <<<"$list"
  done
  mkdir -p "$TMP/win"
  unzip -q "$zipfile" -d "$TMP/win" || { fail "unpacking $zipfile"; return; }
  local dir=$TMP/win/$name gui=$TMP/win/$name/"Credential Workbench.exe" cli=$TMP/win/$name/credctl.exe
  if [ ! -f "$gui" ] || [ ! -f "$cli" ]; then
    fail "unpacked zip lacks the executables"
    return
  fi

  check "Credential Workbench.exe is a PE32+ GUI x86-64 binary" file_has "$gui" '^PE32\+ executable \(GUI\) x86-64'
  check "credctl.exe is a PE32+ console x86-64 binary" file_has "$cli" '^PE32\+ executable \(console\) x86-64'
  if command -v x86_64-w64-mingw32-objcopy >/dev/null; then
    check "Credential Workbench.exe carries version $VERSION in its data" \
      has_version x86_64-w64-mingw32-objcopy .rdata "$gui"
    check "credctl.exe carries version $VERSION in its data" has_version x86_64-w64-mingw32-objcopy .rdata "$cli"
  fi
  if command -v x86_64-w64-mingw32-objdump >/dev/null; then
    local types
    types=$(pe_resource_types "$gui" | tr '\n' ' ')
    echo "     resource types in Credential Workbench.exe: ${types:-none}"
    # 3 RT_ICON, 14 RT_GROUP_ICON, 16 RT_VERSION, 24 RT_MANIFEST
    check "exe has an icon resource (RT_ICON + RT_GROUP_ICON)" grep -qE '(^| )3 .*14( |$)' <<<"$types"
    check "exe has a version resource (RT_VERSION)" grep -qE '(^| )16( |$)' <<<"$types"
    check "exe has a manifest resource (RT_MANIFEST)" grep -qE '(^| )24( |$)' <<<"$types"
  else
    fail "x86_64-w64-mingw32-objdump missing (Debian: binutils-mingw-w64-x86-64) to read the resources"
  fi
  check "embedded manifest is ours (asInvoker, PerMonitorV2)" manifest_is_ours "$gui"
  check "version resource says $PKG_VERSION.BUILD" version_resource_is "$gui"
  check "README.txt has Windows line endings" grep -q $'\r$' "$dir/README.txt"
  check_msi

  if command -v osslsigncode >/dev/null; then
    local exe label
    for exe in "$gui" "$cli"; do
      label=$(basename "$exe")
      if osslsigncode extract-signature -in "$exe" -out "$TMP/$label.sig" >/dev/null 2>&1; then
        ok "$label carries an Authenticode signature"
      elif [ -n "${SIGN_PKCS12:-}${SIGN_CERT:-}${SIGN_CERT_SHA1:-}" ]; then
        fail "$label is not signed although SIGN_* is set"
      else
        echo "     $label is unsigned (no SIGN_PKCS12 / SIGN_CERT given)"
      fi
    done
    check_signing_path "$cli"
  else
    fail "osslsigncode missing (Debian: osslsigncode) to test the signing path"
  fi
}

check_msi() {
  local msi=$DIST/credworkbench-$VERSION-windows-amd64.msi
  echo "--- $msi"
  if [ ! -f "$msi" ]; then
    fail "missing $msi (run make package-windows)"
    return
  fi
  command -v msiinfo >/dev/null || { fail "msiinfo missing (Debian: msitools)"; return; }
  local props upgrade files env
  props=$(msiinfo export "$msi" Property 2>/dev/null | tr -d '\r')
  check "MSI ProductName is Credential Workbench" grep -qxF $'ProductName\tCredential Workbench' <<<"$props"
  check "MSI ProductVersion is $PKG_VERSION.BUILD" grep -qE "^ProductVersion\s${PKG_VERSION//./\\.}\.[0-9]+\$" <<<"$props"
  check "MSI keeps the fixed UpgradeCode" grep -qxF $'UpgradeCode\t{51CDCF57-0957-47E2-873D-AB2C6487DFD2}' <<<"$props"
  check "MSI installs per machine (ALLUSERS=1)" grep -qxF $'ALLUSERS\t1' <<<"$props"
  upgrade=$(msiinfo export "$msi" Upgrade 2>/dev/null | tr -d '\r')
  check "MSI upgrades older builds of the same version (Attributes 513)" grep -qE $'\t513\t\tWIX_UPGRADE_DETECTED$' <<<"$upgrade"
  files=$(msiinfo export "$msi" File 2>/dev/null | tr -d '\r')
  for f in "Credential Workbench.exe" credctl.exe README.txt; do
    check "MSI installs $f" grep -qF "$f" <<<"$files"
  done
  env=$(msiinfo export "$msi" Environment 2>/dev/null | tr -d '\r')
  check "MSI appends the install dir to the system PATH" grep -qF $'=-*PATH\t[~];[INSTALLDIR]\tPathEntry' <<<"$env"
  check "MSI has a Start-menu shortcut with the icon" grep -qE $'^StartMenuShortcut\tProgramMenuFolder\tCredential Workbench\tApp\t.*credworkbench\.ico' \
    <<<"$(msiinfo export "$msi" Shortcut 2>/dev/null | tr -d '\r')"
}

sign_quietly() {
  env -u SIGN_PASSWORD_FILE -u SIGN_CERT -u SIGN_CERT_SHA1 CHECK_PFX_PASS=throwaway-$$ SIGN_PKCS12="$1" \
    SIGN_PASSWORD_ENV=CHECK_PFX_PASS "$ROOT/packaging/windows/sign.sh" "$2" >/dev/null
}
verifies() { osslsigncode verify -CAfile "$1" -in "$2" >/dev/null 2>&1; }
not() { ! "$@"; }

# check_signing_path EXE: sign a copy with a throwaway self-signed certificate
# through packaging/windows/sign.sh, exactly as package-windows would.
check_signing_path() {
  command -v openssl >/dev/null || { fail "openssl missing to make a throwaway signing certificate"; return; }
  local d=$TMP/sign
  mkdir -p "$d"
  if ! openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/key.pem" -out "$d/cert.pem" -days 1 \
    -subj "/CN=credworkbench package-check throwaway" -addext "extendedKeyUsage=codeSigning" \
    >/dev/null 2>&1 ||
    ! CHECK_PFX_PASS=throwaway-$$ openssl pkcs12 -export -inkey "$d/key.pem" -in "$d/cert.pem" \
      -out "$d/cert.pfx" -passout env:CHECK_PFX_PASS >/dev/null 2>&1; then
    fail "creating a throwaway certificate with openssl"
    return
  fi
  cp "$1" "$d/signed.exe"
  cp "$1" "$d/unsigned.exe"
  check "sign.sh signs with a PKCS#12 file and SIGN_PASSWORD_ENV" sign_quietly "$d/cert.pfx" "$d/signed.exe"
  check "the signature verifies against the throwaway certificate" verifies "$d/cert.pem" "$d/signed.exe"
  check "an unsigned copy does not verify (the check can fail)" not verifies "$d/cert.pem" "$d/unsigned.exe"
  check "signed credctl.exe is still a PE32+ console binary" file_has "$d/signed.exe" '^PE32\+ executable \(console\) x86-64'
}

check_sums() {
  echo "--- $DIST/SHA256SUMS"
  if [ ! -f "$DIST/SHA256SUMS" ]; then
    fail "missing $DIST/SHA256SUMS"
    return
  fi
  check "sha256sum -c SHA256SUMS" sums_verify
  local f
  for f in "$DIST"/credworkbench-"$VERSION"-* "$DIST"/credctl-"$VERSION"-* "$DIST"/credworkbench_"$VERSION"_*.deb "$DIST"/credworkbench-"$VERSION".*.rpm; do
    [ -f "$f" ] || continue
    check "SHA256SUMS covers $(basename "$f")" grep -qE "^[0-9a-f]{64}  $(basename "$f" | sed 's/[.+]/\\&/g')\$" "$DIST/SHA256SUMS"
  done
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(linux windows)
echo "package-check: version $VERSION in $DIST"
[ "$VERSION" != dev ] || echo "     (VERSION=dev is also the built-in default: the version checks prove little)"
for t in "${targets[@]}"; do
  case "$t" in
    linux) check_linux ;;
    windows) check_windows ;;
    darwin) check_darwin ;;
    *) echo "usage: $0 [linux] [windows] [darwin]" >&2; exit 2 ;;
  esac
done
check_sums

if [ "$failed" -gt 0 ]; then
  echo "package-check: $failed check(s) FAILED, $passed passed" >&2
  exit 1
fi
echo "package-check: all $passed checks passed"

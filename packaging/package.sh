#!/usr/bin/env bash
# Builds the installable packages into dist/ (issue 7). Run through make:
#   make package-linux | package-windows | package-macos
# which passes VERSION (git tag without "v", or what the Makefile computes).
#
# fyne package is run on a copy of the source tree in dist/.stage, because it
# rewrites FyneApp.toml (Build+1), deletes a binary named like the app and
# drops fyne.syso / fyne_metadata_init.go into the main package while it
# builds: none of that may touch the working tree others build from.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

FYNE_TOOL_VERSION=v1.7.4
GO=${GO:-go}
FYNE=${FYNE:-$ROOT/bin/tools/fyne-$FYNE_TOOL_VERSION/fyne$($GO env GOEXE)}
NFPM_VERSION=v2.45.2
NFPM=${NFPM:-$ROOT/bin/tools/nfpm-$NFPM_VERSION/nfpm}
APP_NAME="Credential Workbench"
APP_ID=io.github.credworkbench
VERSION_VAR=github.com/credworkbench/credworkbench/internal/version.Version
DIST=$ROOT/dist
STAGE=$DIST/.stage
MAIN_DIR=$STAGE/cmd/credworkbench

die() { echo "package: $*" >&2; exit 1; }
say() { echo "==> $*"; }

VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null | sed 's/^v//' || true)}
VERSION=${VERSION:-dev}
# VERSION ends up in file names and in GOFLAGS (space separated): keep it plain.
[[ $VERSION =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]] ||
  die "VERSION '$VERSION' may only contain letters, digits and . _ + - (e.g. 1.2.0)"
# Package metadata (Windows file version, macOS bundle version, manifest) must
# be numeric x.y.z: the tag's numbers, otherwise FyneApp.toml's Version. The
# binaries themselves still report $VERSION (e.g. "dev" or a commit).
PKG_VERSION=$(grep -oE '^[0-9]+\.[0-9]+\.[0-9]+' <<<"$VERSION" || true)
if [ -z "$PKG_VERSION" ]; then
  PKG_VERSION=$(sed -nE 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"([0-9]+\.[0-9]+\.[0-9]+)".*/\1/p' FyneApp.toml)
fi
[ -n "$PKG_VERSION" ] || die "FyneApp.toml has no Version = \"x.y.z\" to use for an untagged build"
# Build number: CI passes its run number; locally the commit count only grows.
BUILD_NUMBER=${BUILD_NUMBER:-$(git rev-list --count HEAD 2>/dev/null || echo 1)}
if ! [[ $BUILD_NUMBER =~ ^[0-9]+$ ]] || [ "$BUILD_NUMBER" -lt 1 ] || [ "$BUILD_NUMBER" -gt 65535 ]; then
  die "BUILD_NUMBER '$BUILD_NUMBER' must be a number from 1 to 65535 (Windows version field)"
fi

ensure_nfpm() {
  [ -x "$NFPM" ] && return
  say "installing nfpm $NFPM_VERSION into $(dirname "$NFPM")"
  CGO_ENABLED=0 GOBIN=$(dirname "$NFPM") "$GO" install "github.com/goreleaser/nfpm/v2/cmd/nfpm@$NFPM_VERSION"
}

ensure_fyne() {
  [ -x "$FYNE" ] && return
  say "installing the fyne tool $FYNE_TOOL_VERSION into $(dirname "$FYNE")"
  CGO_ENABLED=0 GOBIN=$(dirname "$FYNE") "$GO" install "fyne.io/tools/cmd/fyne@$FYNE_TOOL_VERSION"
}

# stage copies the sources (not .git, build output or node_modules) and puts
# FyneApp.toml next to the main package, where fyne package looks for it.
stage() {
  [ -f cmd/credworkbench/main.go ] || die "cmd/credworkbench/main.go is missing: nothing to package"
  rm -rf "$STAGE"
  mkdir -p "$STAGE"
  tar -cf - --exclude=./.git --exclude=./bin --exclude=./dist --exclude=./tmp \
    --exclude=node_modules --exclude=./credworkbench --exclude=./credctl . | tar -C "$STAGE" -xf -
  sed -E 's#^([[:space:]]*Icon[[:space:]]*=).*#\1 "../../assets/icon.png"#' FyneApp.toml >"$MAIN_DIR/FyneApp.toml"
}

# fyne_package OS [ENV=VALUE...] [-- FYNE_ARGS...] runs fyne package in the
# staged main package. fyne passes -ldflags found in GOFLAGS on to go build
# (GOFLAGS is space separated, hence -X=name=value).
fyne_package() {
  local os=$1 envs=() goflags
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
  [ $# -eq 0 ] || shift
  goflags=$("$GO" env GOFLAGS)
  (cd "$MAIN_DIR" && env ${envs[@]+"${envs[@]}"} GOFLAGS="${goflags:+$goflags }-ldflags=-X=$VERSION_VAR=$VERSION" \
    "$FYNE" package -os "$os" --release --app-version "$PKG_VERSION" --app-build "$BUILD_NUMBER" \
    --icon "$STAGE/assets/icon.png" "$@")
}

# build_credctl GOOS GOARCH OUT: credctl is pure Go, so it is static and
# cross-compiles without a C toolchain.
build_credctl() {
  (cd "$STAGE" && CGO_ENABLED=0 GOOS=$1 GOARCH=$2 "$GO" build -trimpath \
    -ldflags "-s -w -X=$VERSION_VAR=$VERSION" -o "$3" ./cmd/credctl)
}

# credctl_tarball GOOS GOARCH: credctl, a README and shell completions.
credctl_tarball() {
  local name=credctl-$VERSION-$1-$2
  local dir=$STAGE/out/$name
  rm -rf "$dir"
  mkdir -p "$dir/completions"
  build_credctl "$1" "$2" "$dir/credctl"
  sed "s/@VERSION@/$VERSION/g" packaging/credctl-README.md >"$dir/README.md"
  # The completion scripts come from the binary itself; generate them with a
  # host build when the target binary cannot run here.
  local gen=$dir/credctl
  if [ "$1" != "$($GO env GOHOSTOS)" ] || [ "$2" != "$($GO env GOHOSTARCH)" ]; then
    gen=$STAGE/out/credctl-host
    build_credctl "$($GO env GOHOSTOS)" "$($GO env GOHOSTARCH)" "$gen"
  fi
  "$gen" completion bash >"$dir/completions/credctl.bash"
  "$gen" completion zsh >"$dir/completions/_credctl"
  "$gen" completion fish >"$dir/completions/credctl.fish"
  "$gen" completion powershell >"$dir/completions/credctl.ps1"
  mkdir -p "$DIST"
  tar -C "$STAGE/out" -czf "$DIST/$name.tar.gz" "$name"
  say "wrote dist/$name.tar.gz"
}

# sums lists every archive of this VERSION in dist/SHA256SUMS (macOS has
# shasum rather than sha256sum; the output format is the same).
sums() {
  (
    cd "$DIST"
    shopt -s nullglob
    files=(credworkbench-"$VERSION"-* credctl-"$VERSION"-* credworkbench_"$VERSION"_*.deb credworkbench-"$VERSION".*.rpm)
    [ ${#files[@]} -gt 0 ] || die "no packages of version $VERSION in dist/ to checksum"
    if command -v sha256sum >/dev/null; then
      sha256sum "${files[@]}" >SHA256SUMS
    else
      shasum -a 256 "${files[@]}" >SHA256SUMS
    fi
  )
  say "wrote dist/SHA256SUMS"
}

linux() {
  [ "$(uname -s)" = Linux ] || die "package-linux runs on Linux (fyne needs the host's X11/GL headers)"
  local arch
  arch=$($GO env GOARCH)
  ensure_fyne
  stage
  say "fyne package -os linux ($VERSION, metadata $PKG_VERSION build $BUILD_NUMBER)"
  fyne_package linux
  mkdir -p "$DIST"
  mv "$MAIN_DIR/$APP_NAME.tar.xz" "$DIST/credworkbench-$VERSION-linux-$arch.tar.xz"
  say "wrote dist/credworkbench-$VERSION-linux-$arch.tar.xz"
  credctl_tarball linux "$arch"
  linux_packages "$arch"
  sums
}

# linux_packages ARCH: the .deb and .rpm, made by nfpm from the binaries just
# built (the GUI out of the tarball, credctl and its completions out of the
# credctl tarball's staging dir), so each binary is compiled once.
linux_packages() {
  local arch=$1 root=$STAGE/out/pkgroot date
  [ "$arch" = amd64 ] || die "the .deb/.rpm are set up for amd64 only (packaging/linux/nfpm.yaml), not $arch"
  ensure_nfpm
  rm -rf "$root"
  mkdir -p "$root"
  date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}" +%Y-%m-%d)
  local gui=$STAGE/out/gui
  rm -rf "$gui" && mkdir -p "$gui"
  tar -C "$gui" -xJf "$DIST/credworkbench-$VERSION-linux-$arch.tar.xz"
  local cli=$STAGE/out/credctl-$VERSION-linux-$arch
  # Where Debian and Fedora look for each kind of file.
  install -Dm 0755 "$(find "$gui" -path '*/bin/credworkbench' -type f | head -1)" "$root/usr/bin/credworkbench"
  install -Dm 0755 "$cli/credctl" "$root/usr/bin/credctl"
  install -Dm 0644 "$(find "$gui" -name "$APP_ID.desktop" | head -1)" "$root/usr/share/applications/$APP_ID.desktop"
  mkdir -p "$root/usr/share/metainfo"
  sed "s/@VERSION@/$PKG_VERSION/; s/@DATE@/$date/" "packaging/linux/$APP_ID.metainfo.xml" \
    >"$root/usr/share/metainfo/$APP_ID.metainfo.xml"
  install -Dm 0644 assets/icon-256.png "$root/usr/share/icons/hicolor/256x256/apps/$APP_ID.png"
  install -Dm 0644 assets/icon.png "$root/usr/share/icons/hicolor/512x512/apps/$APP_ID.png"
  install -Dm 0644 assets/icon.svg "$root/usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"
  mkdir -p "$root/usr/share/man/man1"
  local page
  for page in credctl credworkbench; do
    sed "s/@VERSION@/$VERSION/; s/@DATE@/$date/" "packaging/linux/$page.1" | gzip -9n >"$root/usr/share/man/man1/$page.1.gz"
  done
  install -Dm 0644 "$cli/completions/credctl.bash" "$root/usr/share/bash-completion/completions/credctl"
  install -Dm 0644 "$cli/completions/_credctl" "$root/usr/share/zsh/vendor-completions/_credctl"
  install -Dm 0644 "$cli/completions/credctl.fish" "$root/usr/share/fish/vendor_completions.d/credctl.fish"
  install -Dm 0644 packaging/linux/copyright "$root/usr/share/doc/credworkbench/copyright"
  install -Dm 0644 packaging/linux/lintian-overrides "$root/usr/share/lintian/overrides/credworkbench"
  # Debian policy wants a changelog in the package; one entry per build.
  printf 'credworkbench (%s-%s) unstable; urgency=medium\n\n  * Build %s of Credential Workbench %s.\n\n -- %s  %s\n' \
    "$PKG_VERSION" "$BUILD_NUMBER" "$BUILD_NUMBER" "$VERSION" \
    "Credential Workbench contributors <credworkbench@users.noreply.github.com>" \
    "$(date -u -R -d "$date")" | gzip -9n >"$root/usr/share/doc/credworkbench/changelog.Debian.gz"

  local deb=$DIST/credworkbench_${VERSION}_$arch.deb rpm=$DIST/credworkbench-$VERSION.x86_64.rpm
  rm -f "$deb" "$rpm"
  local format out
  for format in deb rpm; do
    out=$deb && [ $format = deb ] || out=$rpm
    # nfpm reads the sources relative to the working directory: the staged root.
    (cd "$root" && PKG_VERSION=$PKG_VERSION PKG_RELEASE=$BUILD_NUMBER "$NFPM" package \
      -f "$ROOT/packaging/linux/nfpm.yaml" -p $format -t "$out" >/dev/null)
    say "wrote dist/$(basename "$out")"
  done
}

# darwin_cli: credctl for both Mac architectures, cross-built here (pure Go);
# the .app needs a Mac (package-macos).
darwin_cli() {
  stage
  credctl_tarball darwin amd64
  credctl_tarball darwin arm64
  sums
}

windows() {
  local cc
  # Built on Linux only: the MSI comes from wixl (msitools).
  [ "$(uname -s)" = Linux ] || die "package-windows cross-builds on Linux (MinGW-w64 and wixl)"
  cc=${WINDOWS_CC:-x86_64-w64-mingw32-gcc}
  command -v "$cc" >/dev/null || die "C compiler $cc not found (Debian: apt-get install gcc-mingw-w64-x86-64)"
  ensure_fyne
  stage
  # fyne embeds NAME.exe.manifest when it exists instead of its minimal one.
  sed "s/@VERSION@/$PKG_VERSION.$BUILD_NUMBER/" packaging/windows/credworkbench.exe.manifest \
    >"$MAIN_DIR/credworkbench.exe.manifest"
  say "fyne package -os windows ($VERSION, metadata $PKG_VERSION build $BUILD_NUMBER, CC=$cc)"
  # fyne builds a Windows app twice (plain, then again with the resources)
  # and loses the GOFLAGS -ldflags after the first build, so the version would
  # be missing. With an existing --executable it skips the first build: the
  # placeholder is overwritten by the only, complete build.
  : >"$MAIN_DIR/credworkbench.exe"
  fyne_package windows CC="$cc" CGO_ENABLED=1 GOOS=windows GOARCH=amd64 -- --executable "$MAIN_DIR/credworkbench.exe"
  local name=credworkbench-$VERSION-windows-amd64
  local dir=$STAGE/out/$name
  rm -rf "$dir"
  mkdir -p "$dir"
  mv "$MAIN_DIR/$APP_NAME.exe" "$dir/"
  build_credctl windows amd64 "$dir/credctl.exe"
  sed "s/@VERSION@/$VERSION/g" packaging/windows/README.txt | sed 's/$/\r/' >"$dir/README.txt"
  if [ -n "${SIGN_PKCS12:-}${SIGN_CERT:-}${SIGN_CERT_SHA1:-}" ]; then
    packaging/windows/sign.sh "$dir/$APP_NAME.exe" "$dir/credctl.exe"
  else
    say "not signing (set SIGN_PKCS12 or SIGN_CERT+SIGN_KEY; see make package-help)"
  fi
  mkdir -p "$DIST"
  rm -f "$DIST/$name.zip"
  if command -v zip >/dev/null; then
    (cd "$STAGE/out" && zip -q -r -X "$DIST/$name.zip" "$name")
  else
    die "zip not found (Debian: apt-get install zip)"
  fi
  say "wrote dist/$name.zip"
  msi "$dir" "$DIST/$name.msi"
  sums
}

# msi PAYLOAD_DIR OUT: the Windows installer from the zip's files, with wixl
# (packaging/windows/credworkbench.wxs; msi-fixup.sh adds what wixl cannot).
msi() {
  local dir=$1 out=$2 build=$STAGE/out/msi
  command -v wixl >/dev/null || die "wixl not found (Debian: apt-get install wixl msitools)"
  rm -rf "$build" && mkdir -p "$build"
  # wixl reads sources relative to the working directory only (absolute paths fail).
  cp "$dir/$APP_NAME.exe" "$dir/credctl.exe" "$dir/README.txt" packaging/windows/credworkbench.ico "$build/"
  rm -f "$out"
  # The "unknown Platform attribute" warning is wixl's; -a x64 is what counts.
  (cd "$build" && wixl -a x64 -D PayloadDir=. -D Version="$PKG_VERSION" -D Build="$BUILD_NUMBER" \
    -D IconFile=credworkbench.ico -o "$out" "$ROOT/packaging/windows/credworkbench.wxs" 2>&1 |
    { grep -v -e "has no property named 'Platform'" -e '^$' -e 'builder.vala:[0-9]*: unimplemented' || true; })
  [ -s "$out" ] || die "wixl wrote no $out"
  packaging/windows/msi-fixup.sh "$out"
  if [ -n "${SIGN_PKCS12:-}${SIGN_CERT:-}" ]; then
    packaging/windows/sign.sh "$out"
  fi
  say "wrote dist/$(basename "$out")"
}

macos() {
  [ "$(uname -s)" = Darwin ] || die "package-macos needs a Mac: fyne package -os darwin uses clang and the macOS SDK (Xcode command line tools). See packaging/macos/README.md."
  local arch
  arch=$($GO env GOARCH)
  ensure_fyne
  stage
  say "fyne package -os darwin ($VERSION, metadata $PKG_VERSION build $BUILD_NUMBER)"
  fyne_package darwin
  local name=credworkbench-$VERSION-darwin-$arch app="$MAIN_DIR/$APP_NAME.app"
  [ -f "$app/Contents/Resources/icon.icns" ] || die "fyne package made no $app/Contents/Resources/icon.icns"
  mkdir -p "$DIST"
  rm -f "$DIST/$name.zip" "$DIST/$name.pkg"
  # Developer ID signing (outside the App Store): hardened runtime, no
  # sandbox, so go-keyring may run /usr/bin/security for the login keychain.
  if [ -n "${MACOS_APP_IDENTITY:-}" ]; then
    say "codesign with $MACOS_APP_IDENTITY"
    codesign --force --options runtime --timestamp --sign "$MACOS_APP_IDENTITY" "$app"
    codesign --verify --strict --verbose=2 "$app"
  fi
  # ditto keeps the bundle's symlinks, permissions and extended attributes.
  (cd "$MAIN_DIR" && ditto -c -k --keepParent "$APP_NAME.app" "$DIST/$name.zip")
  say "wrote dist/$name.zip"
  if [ -n "${MACOS_INSTALLER_IDENTITY:-}" ]; then
    productbuild --component "$app" /Applications --sign "$MACOS_INSTALLER_IDENTITY" "$DIST/$name.pkg"
    say "wrote dist/$name.pkg"
    if [ -n "${MACOS_NOTARY_PROFILE:-}" ]; then
      say "notarizing (keychain profile $MACOS_NOTARY_PROFILE)"
      xcrun notarytool submit "$DIST/$name.pkg" --keychain-profile "$MACOS_NOTARY_PROFILE" --wait
      xcrun stapler staple "$DIST/$name.pkg"
    fi
  fi
  credctl_tarball darwin amd64
  credctl_tarball darwin arm64
  sums
}

case "${1:-}" in
  linux | windows | macos | darwin_cli)
    "$1" # not in an && list: that would switch off set -e inside it
    rm -rf "$STAGE" # only on success (set -e): kept after a failure to look into
    ;;
  sums) sums ;;
  # tools: nfpm and the fyne tool only (make tools builds them ahead of time).
  tools) ensure_nfpm && ensure_fyne ;;
  *) die "usage: $0 linux|windows|macos|darwin_cli|sums|tools" ;;
esac

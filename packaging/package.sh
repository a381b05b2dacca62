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
# On Git Bash, D:/a/... rather than /d/a/...: Go and iscc are Windows programs.
ROOT=$(pwd -W 2>/dev/null || pwd)

FYNE_TOOL_VERSION=v1.7.4
GO=${GO:-go}
FYNE=${FYNE:-$ROOT/bin/tools/fyne-$FYNE_TOOL_VERSION/fyne$($GO env GOEXE)}
APP_NAME="Credential Workbench"
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

ensure_fyne() {
  [ -x "$FYNE" ] && return
  say "installing the fyne tool $FYNE_TOOL_VERSION into $(dirname "$FYNE")"
  GOBIN=$(dirname "$FYNE") "$GO" install "fyne.io/tools/cmd/fyne@$FYNE_TOOL_VERSION"
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
    files=(credworkbench-"$VERSION"-* credctl-"$VERSION"-*)
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
  sums
}

windows() {
  local cc
  case "$(uname -s)" in
    Linux) cc=${WINDOWS_CC:-x86_64-w64-mingw32-gcc} ;;
    MINGW* | MSYS* | CYGWIN*) cc=${WINDOWS_CC:-gcc} ;;
    *) die "package-windows cross-builds on Linux (MinGW-w64) or builds natively on Windows" ;;
  esac
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
  else # Windows runners have 7-Zip but no zip
    (cd "$STAGE/out" && 7z a -tzip -bso0 "$DIST/$name.zip" "$name")
  fi
  say "wrote dist/$name.zip"
  local iscc=${ISCC:-$(command -v iscc || command -v ISCC || true)}
  if [ -n "$iscc" ]; then
    say "building the installer with $iscc"
    # Git Bash would turn the /options into paths without MSYS_NO_PATHCONV.
    MSYS_NO_PATHCONV=1 MSYS2_ARG_CONV_EXCL='*' "$iscc" /Qp "/DAppVersion=$PKG_VERSION" "/DAppBuild=$BUILD_NUMBER" "/DVersionLabel=$VERSION" \
      "/DPayloadDir=$(win_path "$dir")" "/DOutputDir=$(win_path "$DIST")" \
      "$(win_path "$ROOT/packaging/windows/credworkbench.iss")"
    if [ -n "${SIGN_PKCS12:-}${SIGN_CERT:-}${SIGN_CERT_SHA1:-}" ]; then
      packaging/windows/sign.sh "$DIST/$name-setup.exe"
    fi
  else
    say "Inno Setup (iscc) not found: installer skipped (see packaging/windows/README.md)"
  fi
  sums
}

# win_path turns an MSYS path into one iscc understands; unchanged elsewhere.
win_path() { if command -v cygpath >/dev/null; then cygpath -w "$1"; else echo "$1"; fi; }

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
  linux | windows | macos)
    "$1" # not in an && list: that would switch off set -e inside it
    rm -rf "$STAGE" # only on success (set -e): kept after a failure to look into
    ;;
  sums) sums ;;
  *) die "usage: $0 linux|windows|macos|sums" ;;
esac

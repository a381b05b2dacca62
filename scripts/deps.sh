#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages make targets need, only those missing.
# Usage: scripts/deps.sh build|demo|test|package|package-test ...
# Several targets at once (.ci/run names every one) install their union in one
# apt-get update and one apt-get install: each apt round costs an index
# download and a dpkg trigger pass (man-db, icon caches) on a fresh machine.
# As root it runs apt-get; with password-less sudo it uses sudo; otherwise it
# prints the exact command to run and fails.
set -euo pipefail

build=(gcc libc6-dev pkg-config libgl1-mesa-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev)
[ $# -gt 0 ] || set -- build
want=()
for target in "$@"; do
case "$target" in
  build)   want+=("${build[@]}") ;;
  demo)    want+=("${build[@]}" nodejs npm) ;;
  test)    want+=("${build[@]}" dbus gnome-keyring libsecret-tools xvfb xauth xdotool imagemagick tesseract-ocr libgl1-mesa-dri tinyproxy chromium nodejs npm curl
           git kubernetes-client) ;; # the real clients of credctl's git/kubectl helpers
  # nfpm and actionlint are pinned Go modules (packaging/package.sh, packaging.mk);
  # wixl/msitools build and read the MSI; lintian, appstream and rpm check the packages.
  package) want+=("${build[@]}" gcc-mingw-w64-x86-64 desktop-file-utils xz-utils zip unzip file osslsigncode openssl
                 wixl msitools lintian appstream rpm) ;;
  # The installed packages under test: the .deb with apt, the MSI under Wine
  # (64-bit only: our build is x64), windows found and read under Xvfb.
  package-test) want+=(gcc-mingw-w64-x86-64 wine wine64 msitools desktop-file-utils appstream dbus gnome-keyring libsecret-tools
                      xvfb xauth xdotool imagemagick tesseract-ocr libgl1-mesa-dri nodejs npm) ;;
  *) echo "usage: $0 build|demo|test|package|package-test ..." >&2; exit 2 ;;
esac
done

missing=()
# Each package once, in the order first named.
mapfile -t want < <(printf '%s\n' "${want[@]}" | awk '!seen[$0]++')
for p in "${want[@]}"; do
  # nodejs/npm may come from elsewhere (nodesource, nvm): a working command counts.
  case "$p" in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;;
    kubernetes-client) command -v kubectl >/dev/null && continue ;; # any kubectl (e.g. the kubectl package) counts
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
check_node() {
  # The test IdP (oidc-provider 9) and Playwright need Node.js 20 or later;
  # Debian 12's own nodejs is 18.
  local target need=
  for target in "$@"; do case "$target" in demo|test|package-test) need=1 ;; esac; done
  [ -n "$need" ] || return 0
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 20 ]; then
    echo "Node.js 20 or later is needed (found: $(node --version 2>/dev/null || echo none))." >&2
    echo "Install it from https://nodejs.org or NodeSource, then run make again." >&2
    exit 1
  fi
}

if [ ${#missing[@]} -eq 0 ]; then check_node "$@"; exit 0; fi

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" = 0 ]; then
  echo "Installing missing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  echo "Installing missing packages with sudo: ${missing[*]}"
  sudo env DEBIAN_FRONTEND=noninteractive sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends ${missing[*]} >/dev/null"
else
  echo "These packages are missing: ${missing[*]}" >&2
  echo "Install them with:" >&2
  echo "  sudo sh -c '$cmd'" >&2
  exit 1
fi
check_node "$@"

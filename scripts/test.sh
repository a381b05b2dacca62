#!/usr/bin/env bash
# Runs `go test ARGS` the way CI does: a private D-Bus session with a
# real gnome-keyring unlocked non-interactively, and an Xvfb display for the
# real-window smoke test. HOME points to a throw-away directory so no keyring
# or config lands in the user's home; Go's caches stay where they are.
set -euo pipefail
cd "$(dirname "$0")/.."

export GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)" GOPATH="$(go env GOPATH)"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
tmp_home="$(mktemp -d)"
trap 'rm -rf "$tmp_home"' EXIT
export HOME="$tmp_home" XDG_CONFIG_HOME="$tmp_home/.config" XDG_DATA_HOME="$tmp_home/.local/share" XDG_CACHE_HOME="$tmp_home/.cache"
export LANG=en_US.UTF-8 CREDWB_KEYRING=real

# Xvfb runs with -noreset: by default it resets when its last client
# disconnects, and a window opened during that reset fails ("X11: Failed to
# open display") — one test's workbench exiting as the next one starts.
# Not exec: the trap above must still remove the throw-away HOME.
# shellcheck disable=SC2016 # expanded by the inner shell
dbus-run-session -- sh -c '
  echo -n credworkbench-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
  exec xvfb-run -a -s "-screen 0 1280x800x24 -noreset" go test "$@"
' sh "$@"

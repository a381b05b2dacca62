#!/usr/bin/env bash
# Measures the resident memory (VmRSS) of the running workbench with 1,000
# profiles against a bare Fyne window (one label), both under Xvfb, after
# the window has been shown for a few seconds. Figures go to
# docs/benchmarks.md ("Workbench GUI"). Usage: scripts/gui-memory.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != "--inner" ]]; then
  bin="${1:-bin/credworkbench}"
  [[ -x "$bin" ]] || { mkdir -p "$(dirname "$bin")"; go build -o "$bin" ./cmd/credworkbench; }
  MEM_TMP="$(mktemp -d)"
  # The bare window: the same Fyne version, built from a throw-away module
  # that reuses this module's go.sum and the local module cache.
  mkdir -p "$MEM_TMP/bare"
  cat >"$MEM_TMP/bare/main.go" <<'EOF'
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("io.github.credworkbench.bare")
	w := a.NewWindow("Bare Fyne window")
	w.SetContent(widget.NewLabel("Hello"))
	w.Resize(fyne.NewSize(1280, 780))
	w.ShowAndRun()
}
EOF
  sed 's/^module .*/module bare/' go.mod >"$MEM_TMP/bare/go.mod" # the same versions as the app
  cp go.sum "$MEM_TMP/bare/go.sum"
  (cd "$MEM_TMP/bare" && GOFLAGS=-mod=mod GOPROXY=off go build -o bare .)
  export MEM_TMP HOME="$MEM_TMP" XDG_CONFIG_HOME="$MEM_TMP/config" XDG_DATA_HOME="$MEM_TMP/data" LANG=en_US.UTF-8
  exec dbus-run-session -- sh -c 'echo -n mem | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"' \
    sh xvfb-run -a -s "-screen 0 1280x800x24 -noreset" "$0" --inner "$(realpath "$bin")"
fi

bin="$2"
trap 'rm -rf "$MEM_TMP"' EXIT
mkdir -p "$XDG_CONFIG_HOME/credworkbench"
{
  echo '{"schemaVersion": 1, "profiles": ['
  for i in $(seq 1 1000); do
    sep=","; [[ $i == 1000 ]] && sep=""
    printf '{"id":"id%04d","name":"Profile %04d","type":"application","grantType":"client_credentials","tokenUrl":"https://idp%d.example.com/oauth2/token","clientId":"client-%04d","scope":"api:read","proxy":{},"tls":{},"revision":1,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z","lastStatus":"Untested"}%s\n' "$i" "$i" $((i % 37)) "$i" "$sep"
  done
  echo ']}'
} >"$XDG_CONFIG_HOME/credworkbench/profiles.json"

# rss NAME CMD… — start CMD, wait for its window, settle, print VmRSS in MiB.
# The milliseconds from the start to the window being mapped (polled every
# ~10 ms: xdotool's own --sync polls only twice a second) go to $MEM_TMP/start-ms.
rss() {
  local title="$1"; shift
  local t0 t1
  t0="$(date +%s%N)"
  "$@" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 6000); do
    xdotool search --onlyvisible --name "$title" >/dev/null 2>&1 && break
    sleep 0.01
  done
  t1="$(date +%s%N)"
  echo $(( (t1 - t0) / 1000000 )) >"$MEM_TMP/start-ms"
  sleep 5
  local kb
  kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in 1 2 3 4 5; do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  awk -v kb="$kb" 'BEGIN { printf "%.1f", kb / 1024 }'
}

runs="${GUI_RUNS:-3}"
for i in $(seq 1 "$runs"); do
  bare="$(rss "Bare Fyne window" "$MEM_TMP/bare/bare")"; bare_ms="$(cat "$MEM_TMP/start-ms")"
  wb="$(rss "Credential Workbench" "$bin")"; wb_ms="$(cat "$MEM_TMP/start-ms")"
  awk -v i="$i" -v b="$bare" -v w="$wb" -v bm="$bare_ms" -v wm="$wb_ms" 'BEGIN {
    printf "run %d: RSS bare %.1f MiB, workbench (1,000 profiles) %.1f MiB: %.2fx (target <= 1.15x)\n", i, b, w, w / b
    printf "run %d: start to window bare %d ms, workbench %d ms: %.2fx (target <= 1.25x)\n", i, bm, wm, wm / bm }'
done

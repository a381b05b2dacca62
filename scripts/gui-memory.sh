#!/usr/bin/env bash
# Measures the resident memory (VmRSS) of the running workbench with 1,000
# profiles and its start to a mapped window against a bare Fyne window (one
# label: the same Fyne version, toolkit defaults), all under Xvfb. Every run
# starts each program once; the ratios are taken within the run. Figures go
# to docs/benchmarks.md. Usage:
#
#   scripts/gui-memory.sh [BINARY [BEFORE]]
#
# BEFORE (optional, e.g. main's binary built into /tmp) is measured in the
# same runs, interleaved, for before/after comparisons. GUI_RUNS (default 5)
# sets the number of runs, GUI_SHOTS=DIR keeps a screenshot of each window.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != "--inner" ]]; then
  bin="${1:-bin/credworkbench}"
  before="${2:-}"
  [[ -x "$bin" ]] || { mkdir -p "$(dirname "$bin")"; go build -o "$bin" ./cmd/credworkbench; }
  [[ -z "$before" || -x "$before" ]] || { echo "gui-memory: $before is not an executable" >&2; exit 2; }
  MEM_TMP="$(mktemp -d)"
  # The bare window: the same Fyne version, built from a throw-away module
  # that reuses this module's go.sum and the local module cache.
  mkdir -p "$MEM_TMP/bare"
  cat >"$MEM_TMP/bare/main.go" <<'GO'
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
GO
  sed 's/^module .*/module bare/' go.mod >"$MEM_TMP/bare/go.mod" # the same versions as the app
  cp go.sum "$MEM_TMP/bare/go.sum"
  (cd "$MEM_TMP/bare" && GOFLAGS=-mod=mod GOPROXY=off go build -o bare .)
  [[ -z "$before" ]] || before="$(realpath "$before")"
  export MEM_TMP HOME="$MEM_TMP" XDG_CONFIG_HOME="$MEM_TMP/config" XDG_DATA_HOME="$MEM_TMP/data" \
    XDG_CACHE_HOME="$MEM_TMP/cache" LANG=en_US.UTF-8
  exec dbus-run-session -- sh -c 'echo -n mem | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"' \
    sh xvfb-run -a -s "-screen 0 1280x800x24 -noreset" "$0" --inner "$(realpath "$bin")" "$before"
fi

bin="$2"
before="${3:-}"
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

# stop PID — TERM, then KILL after 5 s.
stop() {
  kill -TERM "$1" 2>/dev/null || true
  for _ in 1 2 3 4 5; do kill -0 "$1" 2>/dev/null || break; sleep 1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# measure LABEL TITLE CMD… — start CMD, wait for its window to be mapped,
# settle 5 s, and append "LABEL start-ms rss-MiB" to $MEM_TMP/results. The
# mapping is polled every ~10 ms (xdotool's own --sync polls only twice a
# second).
measure() {
  local label="$1" title="$2"; shift 2
  local t0 t1 pid kb
  t0="$(date +%s%N)"
  "$@" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 6000); do
    xdotool search --onlyvisible --name "$title" >/dev/null 2>&1 && break
    sleep 0.01
  done
  t1="$(date +%s%N)"
  sleep 5
  kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")"
  if [[ -n "${GUI_SHOTS:-}" ]]; then
    mkdir -p "$GUI_SHOTS"
    import -window root "$GUI_SHOTS/$label-$run.png" 2>/dev/null || true
  fi
  stop "$pid"
  awk -v l="$label" -v ms=$(( (t1 - t0) / 1000000 )) -v kb="$kb" 'BEGIN { printf "%s %d %.1f\n", l, ms, kb / 1024 }' >>"$MEM_TMP/results"
}

subjects=(workbench)
[[ -z "$before" ]] || subjects+=(before)
run_one() { # run_one SUBJECT
  case "$1" in
  bare) measure bare "Bare Fyne window" "$MEM_TMP/bare/bare" ;;
  workbench) measure workbench "Credential Workbench" "$bin" ;;
  before) measure before "Credential Workbench" "$before" ;;
  esac
}

# Warm-up, not counted: each binary's pages come from the disk once and
# Fyne's system font index (in XDG_CACHE_HOME) is built once, so the first
# measured program does not pay for the others.
run=warmup
for s in bare "${subjects[@]}"; do run_one "$s"; done
: >"$MEM_TMP/results"

runs="${GUI_RUNS:-5}"
order=(bare "${subjects[@]}")
for run in $(seq 1 "$runs"); do
  # The order rotates from run to run, so a slow spell of a shared machine
  # does not always fall on the same program.
  n=${#order[@]}
  for k in $(seq 0 $((n - 1))); do run_one "${order[$(( (k + run - 1) % n ))]}"; done
  awk -v run="$run" '
    { ms[$1] = $2; rss[$1] = $3 }
    END {
      for (s in ms) if (s != "bare") {
        printf "run %d %-9s RSS %.1f / %.1f MiB = %.2fx (target <= 1.15x); start %d / %d ms = %.2fx (target <= 1.2x)\n",
          run, s, rss[s], rss["bare"], rss[s] / rss["bare"], ms[s], ms["bare"], ms[s] / ms["bare"]
      }
    }' "$MEM_TMP/results" | sort -k3,3r | tee -a "$MEM_TMP/report"
  : >"$MEM_TMP/results"
done

# The verdict per program: each row's target holds in how many runs.
awk -v runs="$runs" '
  {
    s = $3; n[s]++
    r = $5 / $7; st = $15 / $17 # the exact ratios, not the rounded ones
    if (r <= 1.15) okr[s]++
    if (st <= 1.2) oks[s]++
    if (!(s in minr) || r < minr[s]) minr[s] = r; if (r > maxr[s]) maxr[s] = r
    if (!(s in mins) || st < mins[s]) mins[s] = st; if (st > maxs[s]) maxs[s] = st
  }
  END {
    for (s in n) {
      printf "%s: RSS %.2f-%.2fx, <= 1.15x in %d of %d runs; start %.2f-%.2fx, <= 1.2x in %d of %d runs: %s\n",
        s, minr[s], maxr[s], okr[s] + 0, n[s], mins[s], maxs[s], oks[s] + 0, n[s], (oks[s] == runs ? "met" : "not met")
    }
  }' "$MEM_TMP/report" | sort -r

#!/usr/bin/env bash
# Makes the README screenshots from the real binary under Xvfb:
#   docs/screenshot-main.png   the table with Active and Failed rows, a failure's details
#   docs/screenshot-add.png    the Add form
#   docs/screenshot-login.png  a login waiting for the browser
# The profiles' states are seeded into a throw-away config (the table shows
# the recorded status); nothing touches your real config or keyring.
# Needs: xvfb xdotool imagemagick (import). Usage: scripts/screenshots.sh [BINARY]
# SHOTS_SIZE=800x600 (default 1280x800) sets the window size and
# SHOTS_DIR=/tmp/x (default docs) where the pictures go, to check other sizes.
# SHOTS_PAUSE=2 waits longer after each key or click on a busy machine.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != "--inner" ]]; then
  bin="${1:-bin/credworkbench}"
  if [[ ! -x "$bin" ]]; then
    mkdir -p "$(dirname "$bin")"
    go build -o "$bin" ./cmd/credworkbench
  fi
  for tool in xvfb-run xdotool import; do
    command -v "$tool" >/dev/null || { echo "screenshots.sh: $tool is missing: apt-get install -y xvfb xdotool imagemagick" >&2; exit 1; }
  done
  # HOME is a throw-away dir before the keyring daemon starts, so it makes a
  # fresh keyring there instead of touching yours.
  SHOTS_TMP="$(mktemp -d)"
  export SHOTS_SIZE="${SHOTS_SIZE:-1280x800}" SHOTS_DIR="${SHOTS_DIR:-docs}"
  export SHOTS_TMP HOME="$SHOTS_TMP" XDG_CONFIG_HOME="$SHOTS_TMP/config" XDG_DATA_HOME="$SHOTS_TMP/data" LANG=en_US.UTF-8
  inner=(xvfb-run -a -s "-screen 0 2560x1440x24 -noreset" "$0" --inner "$(realpath "$bin")")
  if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
    # A private Secret Service, so the shots show no keyring banner.
    exec dbus-run-session -- sh -c 'echo -n screenshots | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"' sh "${inner[@]}"
  fi
  exec "${inner[@]}"
fi

bin="$2"
tmp="$SHOTS_TMP"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in 1 2 3 4 5; do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$pid" 2>/dev/null || true # Fyne sometimes hangs on shutdown (PLATFORM.md)
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
# A browser that "opens" without showing anything, so the login dialog waits.
mkdir -p "$tmp/bin" "$XDG_CONFIG_HOME/credworkbench" "$XDG_CONFIG_HOME/fyne/io.github.credworkbench"
# The shots show the seeded states: no test of every profile at start.
echo '{"startup.testApplications": false}' >"$XDG_CONFIG_HOME/fyne/io.github.credworkbench/preferences.json"
printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/xdg-open"
chmod +x "$tmp/bin/xdg-open"
export PATH="$tmp/bin:$PATH"

ts() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
now="$(ts now)"
cat >"$XDG_CONFIG_HOME/credworkbench/profiles.json" <<EOF
{"schemaVersion": 1, "profiles": [
 {"id": "p1", "name": "Billing API", "type": "application", "grantType": "client_credentials",
  "tokenUrl": "https://login.example.com/oauth2/token", "clientId": "billing-svc", "scope": "billing:read billing:write",
  "proxy": {}, "tls": {}, "revision": 1, "createdAt": "$now", "updatedAt": "$now", "hasSecret": true, "secretSetAt": "$(ts '-30 days')",
  "lastStatus": "Active", "lastChecked": "$(ts '-2 min')", "tokenExpiry": "$(ts '+57 min')"},
 {"id": "p2", "name": "CI deploy bot", "type": "application", "grantType": "client_credentials",
  "tokenUrl": "https://idp.corp.example/realms/ci/protocol/openid-connect/token", "clientId": "deploy-bot", "scope": "deploy",
  "proxy": {"mode": "url", "url": "http://proxy.corp.example:3128"}, "tls": {}, "revision": 1, "createdAt": "$now", "updatedAt": "$now",
  "hasSecret": true, "secretSetAt": "$(ts '-3 days')", "lastStatus": "Active", "lastChecked": "$(ts '-1 min')", "tokenExpiry": "$(ts '+4 min')"},
 {"id": "p3", "name": "Customer portal", "type": "user", "grantType": "authorization_code",
  "issuerUrl": "https://login.example.com", "clientId": "portal-web", "scope": "openid profile api:read",
  "proxy": {}, "tls": {}, "revision": 1, "createdAt": "$now", "updatedAt": "$now",
  "lastStatus": "Active", "loggedInAs": "alice", "lastChecked": "$(ts '-5 min')", "tokenExpiry": "$(ts '+25 min')"},
 {"id": "p4", "name": "Legacy reports", "type": "application", "grantType": "client_credentials",
  "tokenUrl": "https://reports.example.net/oauth/token", "clientId": "reports-batch", "scope": "reports:read",
  "proxy": {}, "tls": {}, "revision": 1, "createdAt": "$now", "updatedAt": "$now", "hasSecret": true, "secretSetAt": "$(ts '-400 days')",
  "lastStatus": "Failed", "lastCategory": "credentials", "lastChecked": "$(ts '-3 min')",
  "lastError": "The IdP rejected the client credentials (IdP said: invalid_client: client authentication failed)"},
 {"id": "p5", "name": "Partner sandbox", "type": "application", "grantType": "client_credentials",
  "tokenUrl": "https://sandbox.partner.example/token", "clientId": "sbx-7781", "scope": "orders:read",
  "proxy": {}, "tls": {}, "revision": 1, "createdAt": "$now", "updatedAt": "$now", "hasSecret": true, "secretSetAt": "$now",
  "lastStatus": "Failed", "lastCategory": "network", "lastChecked": "$(ts '-8 min')",
  "lastError": "cannot reach sandbox.partner.example: connection refused"},
 {"id": "p6", "name": "Staff login", "type": "user", "grantType": "authorization_code",
  "authUrl": "https://login.example.com/oauth2/authorize", "tokenUrl": "https://login.example.com/oauth2/token",
  "clientId": "staff-desktop", "scope": "profile api:read", "proxy": {}, "tls": {}, "revision": 1,
  "createdAt": "$now", "updatedAt": "$now", "lastStatus": "Untested"}
]}
EOF

"$bin" >"$tmp/app.log" 2>&1 &
pid=$!
wid="$(timeout 60 xdotool search --sync --name "Credential Workbench" | head -1)"
[[ -n "$wid" ]] || { echo "screenshots.sh: the window did not appear" >&2; cat "$tmp/app.log" >&2; exit 1; }
xdotool windowsize "$wid" "${SHOTS_SIZE%x*}" "${SHOTS_SIZE#*x}" windowfocus --sync "$wid" 2>/dev/null || true
sleep 2
# Fyne may miss a resize while it starts up: nudge the size and set it again,
# so a real change reaches it.
w="${SHOTS_SIZE%x*}" h="${SHOTS_SIZE#*x}"
xdotool windowsize --sync "$wid" $((w - 1)) $((h - 1)) 2>/dev/null || true
sleep 1
xdotool windowsize --sync "$wid" "$w" "$h" 2>/dev/null || true
sleep 2
key() { xdotool key --window "$wid" --clearmodifiers "$@"; sleep "${SHOTS_PAUSE:-0.7}"; }
shot() { import -window "$wid" "$SHOTS_DIR/$1"; echo "wrote $SHOTS_DIR/$1"; }
mkdir -p "$SHOTS_DIR"

# Main: select "Legacy reports" (4th row) so the details show its failure.
# A click, as the navigation tree may hold the keyboard focus at start.
click() { xdotool mousemove --window "$wid" "$1" "$2" click 1; sleep "${SHOTS_PAUSE:-0.7}"; }
click 330 253
sleep 1
shot screenshot-main.png

# Add form: Ctrl+N, type a few fields.
key ctrl+n
xdotool type --window "$wid" --delay 30 "Inventory sync"
sleep 0.5
key Tab Tab Tab
xdotool type --window "$wid" --delay 20 "http://idp.example.com/token"
sleep 1
shot screenshot-add.png
key Escape Escape # the first Escape on a changed form only warns

# Login: select "Staff login" (last row) and press Ctrl+L.
click 330 332
key ctrl+l
sleep 2
shot screenshot-login.png

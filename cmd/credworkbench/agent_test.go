package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// TestAgentKeepsRenewingWhileHidden runs the real workbench as the quiet
// agent under Xvfb against the test IdP, on the real Secret Service:
//   - started with --hidden it shows no window, yet renews the Application
//     profile's token (the IdP's token count grows) and credctl token is
//     served from the shared store (no IdP request);
//   - a second start hands over (exits 0) and the first shows its window;
//   - closing the window (WM_DELETE_WINDOW, as a window manager sends it)
//     hides it, the process lives on and keeps renewing, and credctl token
//     is still served without a request.
func TestAgentKeepsRenewingWhileHidden(t *testing.T) {
	testenv.RequireDisplay(t)
	testenv.RequireKeyring(t)
	startWatcher(t) // a panel shows the tray icon: closing the window hides it
	for _, tool := range []string{"xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: apt-get install -y xdotool imagemagick", tool)
		}
	}
	// Tokens live 30 s, so the agent renews every 15 s (at half their
	// lifetime), and a stored token always has more than the 10 s left that
	// credctl needs to hand it out.
	idp := testidp.Start(t, testidp.WithTLS(), testidp.WithAccessTokenTTL(30*time.Second))
	dir := t.TempDir()
	bin := filepath.Join(dir, "credworkbench")
	ctlBin := filepath.Join(dir, "credctl")
	for out, pkg := range map[string]string{bin: ".", ctlBin: "../credctl"} {
		if b, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, b)
		}
	}
	home := filepath.Join(dir, "home")
	run := filepath.Join(dir, "run")
	for _, d := range []string{home, run} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "XDG_RUNTIME_DIR="+run, "LANG=en_US.UTF-8")
	credctl := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(ctlBin, args...)
		cmd.Env, cmd.Stdin = env, strings.NewReader(stdin)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("credctl %v: %v\n%s%s", args, err, out.String(), errOut.String())
		}
		return out.String()
	}
	credctl(testidp.AppClientSecret+"\n", "add", "--name", "agent app", "--type", "application",
		"--token-url", idp.TokenURL, "--ca-file", idp.CAFile, "--client-id", testidp.AppClientID,
		"--scope", testidp.AppScopes, "--client-secret-stdin", "--no-test")
	t.Cleanup(func() {
		cmd := exec.Command(ctlBin, "delete", "--yes", "agent app")
		cmd.Env = env
		_ = cmd.Run()
	})
	// Answered before: closing keeps running, without the question.
	prefDir := filepath.Join(home, ".config", "fyne", "io.github.credworkbench")
	if err := os.MkdirAll(prefDir, 0o700); err != nil {
		t.Fatal(err)
	}
	prefs, _ := json.Marshal(map[string]any{"agent.closeAsked": true, "agent.keepRunning": true})
	if err := os.WriteFile(filepath.Join(prefDir, "preferences.json"), prefs, 0o600); err != nil {
		t.Fatal(err)
	}

	_, exited, log := startApp(t, bin, env, "--hidden")
	alive := func(when string) {
		t.Helper()
		select {
		case err := <-exited:
			t.Fatalf("%s: the workbench exited: %v\n%s", when, err, log.String())
		default:
		}
	}
	visible := func() string {
		out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^Credential Workbench$").Output()
		return strings.TrimSpace(string(out))
	}
	tokens := func() int { return idp.Stats(t).Token }
	// waitRenewals waits until the IdP has issued n more tokens.
	waitRenewals := func(what string, n int) {
		t.Helper()
		start := tokens()
		deadline := time.Now().Add(60 * time.Second)
		for tokens() < start+n {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the IdP saw %d token requests in 60 s, want %d\n%s", what, tokens()-start, n, log.String())
			}
			alive(what)
			time.Sleep(200 * time.Millisecond)
		}
	}
	cachedToken := func(what string) {
		t.Helper()
		var out struct {
			AccessToken string `json:"accessToken"`
			Cached      bool   `json:"cached"`
		}
		if err := json.Unmarshal([]byte(credctl("", "token", "--json", "agent app")), &out); err != nil {
			t.Fatal(err)
		}
		if !out.Cached || out.AccessToken == "" {
			t.Errorf("%s: credctl token asked the IdP (cached %v); the agent's stored token should serve it", what, out.Cached)
		}
	}

	// Hidden from the start, renewing.
	waitRenewals("started hidden", 2)
	if v := visible(); v != "" {
		t.Fatalf("--hidden showed a window (%s)", v)
	}
	cachedToken("started hidden")

	// A second start hands over and exits 0; the window comes up.
	second := exec.Command(bin)
	second.Env = env
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	secondDone := make(chan error, 1)
	go func() { out, err := second.CombinedOutput(); secondDone <- errors.Join(err, errorIf(ctx, string(out))) }()
	select {
	case err := <-secondDone:
		if err != nil {
			t.Fatalf("second start: %v", err)
		}
	case <-ctx.Done():
		_ = second.Process.Kill()
		t.Fatal("the second start did not exit within 30 s")
	}
	var wid string
	for deadline := time.Now().Add(30 * time.Second); wid == ""; time.Sleep(200 * time.Millisecond) {
		if wid = visible(); wid == "" && time.Now().After(deadline) {
			t.Fatalf("the second start did not bring the window up\n%s", log.String())
		}
	}
	wid = strings.Fields(wid)[0]
	// The first frames: look until the window shows more than a blank fill.
	shot := filepath.Join(dir, "agent-shown.png")
	if n := waitForFrames(t, shot, 30*time.Second); n < 8 {
		t.Errorf("the shown window looks blank (%d colours)", n)
	}
	if dst := os.Getenv("CREDWB_AGENT_SCREENSHOT"); dst != "" {
		b, _ := os.ReadFile(shot) // #nosec G304 -- the test's own file
		_ = os.WriteFile(dst, b, 0o644)
	}

	// Closed by the window manager's close button: hidden, still renewing.
	closeWindow(t, wid)
	for deadline := time.Now().Add(10 * time.Second); visible() != ""; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the window is still shown after closing it\n%s", log.String())
		}
	}
	alive("after closing the window")
	waitRenewals("window closed", 1)
	cachedToken("window closed")
	alive("at the end")
	t.Logf("workbench output:\n%s", log.String())
}

// testenv.LockedBuffer is the child's output, read by the test while written.
// startApp starts the workbench binary with env and args; its output
// collects in log, exited receives its end, and the test's cleanup stops it
// (SIGTERM, then kill after 5 s). A test that takes the end from exited
// puts it back for that cleanup.
func startApp(t *testing.T, bin string, env []string, args ...string) (cmd *exec.Cmd, exited chan error, log *testenv.LockedBuffer) {
	t.Helper()
	cmd = exec.Command(bin, args...) // #nosec G204 -- the binary this test built
	cmd.Env = env
	log = &testenv.LockedBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited = make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	return cmd, exited, log
}

// errorIf reports the second start's output when its context ran out.
func errorIf(ctx context.Context, out string) error {
	if ctx.Err() != nil {
		return errors.New("timed out: " + out)
	}
	return nil
}

// closeWindow sends WM_DELETE_WINDOW to the window, which is what a window
// manager's close button does (Xvfb has no window manager, and xdotool's
// windowclose destroys the window instead).
func closeWindow(t *testing.T, wid string) {
	t.Helper()
	id, err := strconv.ParseUint(wid, 10, 32)
	if err != nil {
		t.Fatal(err)
	}
	X, err := xgb.NewConn()
	if err != nil {
		t.Fatalf("connecting to the X display: %v", err)
	}
	defer X.Close()
	atom := func(name string) xproto.Atom {
		r, err := xproto.InternAtom(X, false, uint16(len(name)), name).Reply()
		if err != nil {
			t.Fatal(err)
		}
		return r.Atom
	}
	win := xproto.Window(id)
	ev := xproto.ClientMessageEvent{Format: 32, Window: win, Type: atom("WM_PROTOCOLS"),
		Data: xproto.ClientMessageDataUnionData32New([]uint32{uint32(atom("WM_DELETE_WINDOW")), uint32(xproto.TimeCurrentTime), 0, 0, 0})}
	if err := xproto.SendEventChecked(X, false, win, xproto.EventMaskNoEvent, string(ev.Bytes())).Check(); err != nil {
		t.Fatalf("sending WM_DELETE_WINDOW: %v", err)
	}
}

//go:build installtest

package installtest

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const windowTitle = "Credential Workbench"

// startGUI starts a GUI program; stop ends it (SIGTERM, then SIGKILL:
// Fyne sometimes hangs while shutting down).
func startGUI(t *testing.T, env []string, name string, args ...string) (stop func()) {
	t.Helper()
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("no DISPLAY: run under scripts/test.sh (Xvfb)")
	}
	cmd := exec.Command(name, args...) // #nosec G204 -- test harness starting the installed program
	cmd.Env = append(os.Environ(), env...)
	log, err := os.CreateTemp(t.TempDir(), "gui-*.log")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			if b, err := os.ReadFile(log.Name()); err == nil {
				t.Logf("%s output:\n%s", name, b)
			}
		}
	}
	t.Cleanup(stop)
	return stop
}

// checkWindow waits for the window titled windowTitle, takes a screenshot of
// the screen into shot and reads it with tesseract until every word of want
// shows (the window draws its rows a moment after it maps).
func checkWindow(t *testing.T, wait time.Duration, shot string, want ...string) {
	t.Helper()
	r := run(t, cmdSpec{timeout: wait + 10*time.Second}, "timeout", strconv.Itoa(int(wait.Seconds())),
		"xdotool", "search", "--sync", "--name", "^"+windowTitle+"$")
	if r.code != 0 || strings.TrimSpace(r.stdout) == "" {
		t.Fatalf("no window titled %q within %v: %s", windowTitle, wait, r)
	}
	deadline := time.Now().Add(60 * time.Second)
	var text string
	for {
		mustRun(t, cmdSpec{timeout: 30 * time.Second}, "import", "-window", "root", shot)
		text = run(t, cmdSpec{timeout: 60 * time.Second}, "tesseract", shot, "stdout").stdout
		missing := ""
		for _, w := range want {
			if !strings.Contains(ocrFold(text), ocrFold(w)) {
				missing = w
				break
			}
		}
		if missing == "" {
			t.Logf("window shows %q (screenshot %s)", want, shot)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the window never showed %q; screenshot %s; text read:\n%s", missing, shot, text)
		}
		time.Sleep(3 * time.Second)
	}
}

// ocrFold lower-cases s and folds the letters tesseract mixes up in this
// UI font (I, l, 1 and | read for one another: "Billing API" came back as
// "Billing APL" from the Windows build's window), for both sides of a match.
func ocrFold(s string) string {
	return strings.NewReplacer("i", "l", "1", "l", "|", "l").Replace(strings.ToLower(s))
}

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// windowTitle is the workbench window's title (ui.Title).
const windowTitle = "Credential Workbench"

// Window is a running bin/credworkbench and its window on the X display.
type Window struct {
	h      *H
	t      *testing.T
	cmd    *exec.Cmd
	exited chan error
	log    *testenv.LockedBuffer
	// ID is the X window id (as xdotool prints it).
	ID string

	shots    int
	lastShot string // the newest screenshot, kept when the test fails
}

// StartWorkbench starts bin/credworkbench with args (e.g. "--hidden") and,
// unless it was started hidden, waits for its window. The process is
// stopped at the end of the test (SIGTERM, 5 s, SIGKILL: Fyne sometimes
// hangs on shutdown); on failure the last screenshot is kept.
func (h *H) StartWorkbench(args ...string) *Window {
	h.t.Helper()
	w := h.startWorkbenchProcess(args...)
	for _, a := range args {
		if a == "--hidden" || a == "--tray" {
			return w
		}
	}
	w.WaitWindow(90 * time.Second)
	return w
}

func (h *H) startWorkbenchProcess(args ...string) *Window {
	h.t.Helper()
	cmd := exec.Command(workbenchBin, args...) // #nosec G204 -- the binary under test
	cmd.Env = h.Environ()
	w := &Window{h: h, t: h.t, cmd: cmd, exited: make(chan error, 1), log: &testenv.LockedBuffer{}}
	cmd.Stdout, cmd.Stderr = w.log, w.log
	if err := cmd.Start(); err != nil {
		h.t.Fatalf("starting credworkbench: %v", err)
	}
	go func() { w.exited <- cmd.Wait() }()
	h.t.Cleanup(w.Stop)
	// Runs before Stop (cleanups run last-in first-out): the window as it
	// was when the test failed.
	h.t.Cleanup(w.keepEvidence)
	return w
}

// RunWorkbench runs bin/credworkbench with args to its end (a second start
// that hands over) and returns its output and exit code.
func (h *H) RunWorkbench(timeout time.Duration, args ...string) (output string, code int) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, workbenchBin, args...) // #nosec G204 -- the binary under test
	cmd.Env = h.Environ()
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		h.t.Fatalf("credworkbench %v did not end within %s:\n%s", args, timeout, out)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		h.t.Fatalf("credworkbench %v: %v", args, err)
	}
	return string(out), 0
}

// Pid is the workbench's process id.
func (w *Window) Pid() int { return w.cmd.Process.Pid }

// Output is what the workbench printed so far.
func (w *Window) Output() string { return w.log.String() }

// Exited reports whether the process has ended (and how).
func (w *Window) Exited() (bool, error) {
	select {
	case err := <-w.exited:
		w.exited <- err
		return true, err
	default:
		return false, nil
	}
}

// WaitWindow waits until the workbench's window is mapped and remembers it.
func (w *Window) WaitWindow(timeout time.Duration) {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		// --pid keeps to this process's windows (Fyne sets _NET_WM_PID);
		// --onlyvisible skips the hidden GL window Fyne makes for the tray.
		out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--pid", fmt.Sprint(w.Pid()), "--name", "^"+windowTitle+"$").Output()
		if ids := strings.Fields(string(out)); len(ids) > 0 {
			w.ID = ids[0]
			break
		}
		if done, err := w.Exited(); done {
			w.t.Fatalf("the workbench exited before showing its window: %v\n%s", err, w.Output())
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("no workbench window within %s\n%s", timeout, w.Output())
		}
		time.Sleep(250 * time.Millisecond)
	}
	// The first frames may take a while on a busy machine.
	w.WaitText("Credentials", uiWait)
}

// xdo runs xdotool and fails the test when it fails.
func (w *Window) xdo(args ...string) {
	w.t.Helper()
	if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
		w.t.Fatalf("xdotool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// Resize sets the window's size in pixels and waits for the new frame.
func (w *Window) Resize(width, height int) {
	w.t.Helper()
	w.xdo("windowmove", w.ID, "0", "0")
	w.xdo("windowsize", "--sync", w.ID, fmt.Sprint(width), fmt.Sprint(height))
	time.Sleep(700 * time.Millisecond)
}

// focus gives the window the keyboard (there is no window manager on Xvfb
// to do it); keys then go through XTEST, as a real keyboard's do (GLFW
// ignores synthetic events sent to a window).
func (w *Window) focus() {
	w.t.Helper()
	w.xdo("windowfocus", "--sync", w.ID)
}

// Key presses keys in xdotool's notation ("ctrl+t", "Return", "Delete",
// "Down", "Escape"), one after the other.
func (w *Window) Key(keys ...string) {
	w.t.Helper()
	w.focus()
	for _, k := range keys {
		w.xdo("key", "--clearmodifiers", k)
		time.Sleep(250 * time.Millisecond) // one frame for Fyne to act
	}
}

// Type types text into the focused widget.
func (w *Window) Type(text string) {
	w.t.Helper()
	w.focus()
	w.xdo("type", "--delay", "40", text)
	time.Sleep(250 * time.Millisecond)
}

// Click clicks the left button at (x, y) in window coordinates.
func (w *Window) Click(x, y int) {
	w.t.Helper()
	w.focus()
	w.xdo("mousemove", "--window", w.ID, fmt.Sprint(x), fmt.Sprint(y))
	time.Sleep(100 * time.Millisecond)
	w.xdo("click", "1")
	time.Sleep(300 * time.Millisecond)
}

// Stop ends the workbench: SIGTERM, then SIGKILL after 5 s.
func (w *Window) Stop() {
	if done, _ := w.Exited(); done {
		return
	}
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-w.exited:
		w.exited <- err
	case <-time.After(5 * time.Second):
		_ = w.cmd.Process.Kill()
		err := <-w.exited
		w.exited <- err
	}
}

// keepEvidence, when the test failed, takes a last screenshot and keeps it
// and the workbench's output where they survive the test's temp dir.
func (w *Window) keepEvidence() {
	if !w.t.Failed() {
		return
	}
	if w.ID != "" {
		if done, _ := w.Exited(); !done {
			if p, err := w.screenshot(); err == nil {
				w.lastShot = p
			}
		}
	}
	w.t.Logf("workbench output:\n%s", w.Output())
	if w.lastShot == "" {
		return
	}
	name := strings.NewReplacer("/", "_", " ", "_").Replace(w.t.Name()) + ".png"
	// t.ArtifactDir is kept with `go test -artifacts`; $E2E_ARTIFACTS is
	// for CI jobs that collect a folder; else a folder that stays.
	dirs := []string{w.t.ArtifactDir()}
	if d := os.Getenv("E2E_ARTIFACTS"); d != "" {
		dirs = append(dirs, d)
	} else if d, err := os.MkdirTemp("", "e2e-failed-"); err == nil {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if err := copyFile(w.lastShot, filepath.Join(d, name)); err != nil {
			w.t.Logf("keeping the screenshot: %v", err)
			continue
		}
		w.t.Logf("screenshot of the failure: %s", filepath.Join(d, name))
	}
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src) // #nosec G304 -- the harness's own screenshot
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o600)
}

// visibleWindows lists the mapped windows of process pid.
func visibleWindows(pid int) []string {
	out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--pid", fmt.Sprint(pid), "--name", ".").Output()
	return strings.Fields(string(out))
}

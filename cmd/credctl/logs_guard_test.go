//go:build !windows

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/logfile"
	"github.com/credworkbench/credworkbench/internal/testenv"
)

// logsCLI is a credctl whose log lives in its own XDG_STATE_HOME; it
// returns the log's path (its directory not created yet).
func logsCLI(t *testing.T) (*cli, string) {
	t.Helper()
	c := newCLI(t)
	state := filepath.Join(c.home, "state")
	c.env = append(c.env, "XDG_STATE_HOME="+state)
	return c, filepath.Join(state, "credworkbench", logfile.FileName)
}

// start runs credctl in the background; the result says how it ended.
func (c *cli) start(ctx context.Context, args ...string) (*os.Process, <-chan outcome) {
	c.t.Helper()
	cmd, stdout, stderr := c.command(ctx, "", args...)
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	done := make(chan outcome, 1)
	go func() {
		_ = cmd.Wait()
		done <- outcome{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
	}()
	return cmd.Process, done
}

// ended waits up to d for the process to end.
func ended(done <-chan outcome, d time.Duration) (outcome, bool) {
	select {
	case o := <-done:
		return o, true
	case <-time.After(d):
		return outcome{}, false
	}
}

// A FIFO at the log's place (issue #23.5): `credctl logs` and `logs
// --follow` end at once with an error naming it; before, both hung in
// open(2), where not even SIGTERM reached them.
func TestLogsFIFO(t *testing.T) {
	c, path := logsCLI(t)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"logs"}, {"logs", "--follow"}} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		p, done := c.start(ctx, args...)
		o, ok := ended(done, time.Second)
		if !ok {
			_ = p.Signal(syscall.SIGTERM)
			if _, ok := ended(done, 2*time.Second); !ok {
				t.Errorf("credctl %s hangs on a FIFO and does not end on SIGTERM", strings.Join(args, " "))
			} else {
				t.Errorf("credctl %s hung on a FIFO until SIGTERM", strings.Join(args, " "))
			}
			cancel()
			continue
		}
		cancel()
		if o.code == 0 || !strings.Contains(o.stderr, "FIFO") || !strings.Contains(o.stderr, path) {
			t.Errorf("credctl %s with a FIFO as the log:\n%s", strings.Join(args, " "), o)
		}
	}
}

// `credctl logs --follow` ends promptly on SIGTERM (and Ctrl-C).
func TestLogsFollowEndsOnSIGTERM(t *testing.T) {
	c, path := logsCLI(t)
	w, err := logfile.OpenWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	log := logfile.NewLogger(w, "credworkbench")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd, _, _ := c.command(ctx, "", "logs", "--follow")
	cmd.Stdout = nil
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	// Following for sure once a line written now is printed.
	printed := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "followed") {
				close(printed)
				break
			}
		}
		_, _ = io.Copy(io.Discard, pipe)
		done <- cmd.Wait()
	}()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for waiting := true; waiting; {
		log.Info("followed")
		select {
		case <-printed:
			waiting = false
		case <-tick.C:
		case <-ctx.Done():
			t.Fatal("logs --follow printed nothing")
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("credctl logs --follow did not end within 2s of SIGTERM")
	}
}

// Lines planted in the log print escaped (issue #23.5): OSC 52 would set
// the clipboard, CSI 2J clear the screen, U+202E reorder the line.
func TestLogsEscapesPlantedLines(t *testing.T) {
	c, path := logsCLI(t)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	msg := "planted \x1b]52;c;aGk=\x07 \x1b[2J \u009b2J \u202etxt.exe"
	line, err := json.Marshal(map[string]string{"time": "2026-12-07T10:00:00Z", "level": "INFO", "msg": msg, "profile": "p\x1b[8m"})
	if err != nil {
		t.Fatal(err)
	}
	text := `time=2026-12-07T10:00:01Z level=WARN msg="text \x1b[2J \u009b"` + "\n"
	if err := os.WriteFile(path, append(append(line, '\n'), text...), 0o600); err != nil {
		t.Fatal(err)
	}
	raw := "\x1b\x07\u009b\u202e"
	o := c.must(0, "", "logs")
	if strings.ContainsAny(o.stdout, raw) || strings.ContainsAny(o.stderr, raw) {
		t.Fatalf("raw control characters reached the terminal: %q", o.stdout)
	}
	contains(t, "logs", o.stdout, `\x1b]52;c;aGk=\x07`, `\x1b[2J`, `\u009b2J`, `\u202etxt.exe`, `text \x1b[2J \u009b`)
	o = c.must(0, "", "logs", "--json")
	if strings.ContainsAny(o.stdout, raw) {
		t.Fatalf("raw control characters in --json: %q", o.stdout)
	}
	var e logfile.Entry
	if err := json.Unmarshal([]byte(strings.SplitN(o.stdout, "\n", 2)[0]), &e); err != nil || e.Msg != msg {
		t.Fatalf("--json does not carry the message unchanged: %q %v", e.Msg, err)
	}
}

// A log directory that is a link or belongs to another user is refused
// with the path and the fix (as root too: the check compares with our uid).
func TestLogsUnsafeDirectory(t *testing.T) {
	t.Run("link", func(t *testing.T) {
		c, path := logsCLI(t)
		real := t.TempDir()
		if err := os.WriteFile(filepath.Join(real, logfile.FileName), []byte(`level=INFO msg="from elsewhere"`+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Dir(path)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(real, filepath.Dir(path)); err != nil {
			t.Fatal(err)
		}
		o := c.run("", "logs")
		if o.code == 0 || strings.Contains(o.stdout, "from elsewhere") || !strings.Contains(o.stderr, "symbolic link") {
			t.Fatalf("logs in a linked directory:\n%s", o)
		}
	})
	t.Run("another user", func(t *testing.T) {
		uid, gid := testenv.Nobody(t)
		c, path := logsCLI(t)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(`level=INFO msg="planted"`+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(filepath.Dir(path), uid, gid); err != nil {
			t.Fatal(err)
		}
		o := c.run("", "logs")
		if o.code == 0 || strings.Contains(o.stdout, "planted") || !strings.Contains(o.stderr, "another user") {
			t.Fatalf("logs in a directory of another user:\n%s", o)
		}
	})
}

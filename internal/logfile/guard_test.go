//go:build !windows

package logfile

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/fileguard"
	"github.com/credworkbench/credworkbench/internal/testenv"
)

func follow(path string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return Follow(ctx, path, Filter{}, 10*time.Millisecond, func(Entry) {})
}

// The log is read and written through the guards (issue #23.5): a FIFO at
// its place fails at once, a link is never followed, and a log directory
// that is a link or another user's is refused.
func TestLogThroughGuards(t *testing.T) {
	t.Run("fifo", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), FileName)
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Fatal(err)
		}
		for name, fn := range map[string]func() error{
			"Read":       func() error { _, err := Read(path, Filter{}); return err },
			"Follow":     func() error { return follow(path) },
			"OpenWriter": func() error { _, err := OpenWriter(path); return err },
		} {
			if err := testenv.Within(t, time.Second, fn); err == nil || !strings.Contains(err.Error(), "FIFO") {
				t.Errorf("%s of a FIFO: %v", name, err)
			}
		}
	})
	t.Run("rotated file is a fifo", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), FileName)
		if err := syscall.Mkfifo(path+".2", 0o600); err != nil {
			t.Fatal(err)
		}
		if err := testenv.Within(t, time.Second, func() error { _, err := Read(path, Filter{}); return err }); err == nil {
			t.Error("a FIFO as a rotated file was read")
		}
	})
	t.Run("symlink", func(t *testing.T) {
		dir := t.TempDir()
		victim := filepath.Join(t.TempDir(), "victim")
		if err := os.WriteFile(victim, []byte("theirs\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, FileName)
		if err := os.Symlink(victim, path); err != nil {
			t.Fatal(err)
		}
		if _, err := OpenWriter(path); err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("OpenWriter through a link: %v", err)
		}
		if _, err := Read(path, Filter{}); err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("Read through a link: %v", err)
		}
		if b, _ := os.ReadFile(victim); string(b) != "theirs\n" {
			t.Errorf("the link's target was written: %q", b)
		}
	})
	t.Run("linked directory", func(t *testing.T) {
		real := t.TempDir()
		dir := filepath.Join(t.TempDir(), "credworkbench")
		if err := os.Symlink(real, dir); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, FileName)
		var ue *fileguard.UnsafePathError
		if _, err := OpenWriter(path); !errors.As(err, &ue) {
			t.Errorf("OpenWriter in a linked directory: %v", err)
		}
		if _, err := Read(path, Filter{}); !errors.As(err, &ue) {
			t.Errorf("Read in a linked directory: %v", err)
		}
		if err := testenv.Within(t, time.Second, func() error { return follow(path) }); !errors.As(err, &ue) {
			t.Errorf("Follow in a linked directory: %v", err)
		}
		if entries, _ := os.ReadDir(real); len(entries) != 0 {
			t.Errorf("written through the linked directory: %v", entries)
		}
	})
	t.Run("directory of another user", func(t *testing.T) {
		uid, gid := testenv.Nobody(t)
		dir := filepath.Join(t.TempDir(), "credworkbench")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, FileName)
		w, err := OpenWriter(path)
		if err != nil {
			t.Fatal(err)
		}
		NewLogger(w, "test").Info("planted")
		_ = w.Close()
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(path, Filter{}); err == nil || !strings.Contains(err.Error(), "another user") {
			t.Errorf("Read in a foreign directory: %v", err)
		}
		if _, err := OpenWriter(path); err == nil || !strings.Contains(err.Error(), "another user") {
			t.Errorf("OpenWriter in a foreign directory: %v", err)
		}
	})
	t.Run("too large", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), FileName)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(MaxRead + 1); err != nil {
			t.Fatal(err)
		}
		_ = f.Close()
		if _, err := Read(path, Filter{}); err == nil || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("Read of a huge file: %v", err)
		}
	})
}

// Planted escape sequences are shown escaped, never raw (issue #23.5).
func TestFormatEscapesControlAndBidi(t *testing.T) {
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("clip\x1b]52;c;aGk=\x07 clear\x1b[2J c1\u009b2J rlo\u202egnp.exe",
		"detail", "a\x1b[31mred", "profile", "p\u202e1")
	e, ok := Parse([]byte(b.String()))
	if !ok {
		t.Fatalf("not parsed: %s", b.String())
	}
	got := Format(e)
	if strings.ContainsAny(got, "\x1b\x07\u009b\u202e") {
		t.Fatalf("raw control characters in %q", got)
	}
	for _, want := range []string{`clip\x1b]52;c;aGk=\x07`, `clear\x1b[2J`, `c1\u009b2J`, `rlo\u202egnp.exe`, `detail=a\x1b[31mred`} {
		if !strings.Contains(got, want) {
			t.Errorf("%q does not show %q", got, want)
		}
	}
	if Escape("plain text, ünïcode ✓") != "plain text, ünïcode ✓" {
		t.Error("plain text changed")
	}
	if got := Escape("bad\xffbyte"); got != `bad\xffbyte` {
		t.Errorf("invalid UTF-8: %q", got)
	}
	if got := string(EscapeJSON([]byte("{\"m\":\"a\u009bb\u202ec\"}\n"))); got != "{\"m\":\"a\\u009bb\\u202ec\"}\n" {
		t.Errorf("EscapeJSON: %q", got)
	}
}

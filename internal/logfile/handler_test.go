package logfile

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Problems lets through the warnings that are not a profile's event: those
// the front ends print or show themselves.
func TestProblemsKeepsWarningsThatAreNotEvents(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(Problems(slog.NewTextHandler(&buf, nil))).With("app", "credctl")
	log.Warn("profile failed", "profile", "api", EventKey, "failed", "error", "unreachable")
	log.Info("profile tested", "profile", "api", EventKey, "tested")
	log.Info("transport run", "transport", "orders")
	log.Warn("cannot store the token for other processes", "profile", "api", "error", "keyring locked")
	out := buf.String()
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, "cannot store the token") || !strings.Contains(out, "app=credctl") {
		t.Fatalf("want only the warning that is not an event:\n%s", out)
	}
	var r slog.Record
	r = slog.NewRecord(r.Time, slog.LevelWarn, "cannot store the token for other processes", 0)
	r.AddAttrs(slog.String("profile", "api"), slog.String("error", "keyring locked"))
	if got := Text(r); got != `cannot store the token for other processes (profile "api"): keyring locked` {
		t.Fatalf("Text: %q", got)
	}
}

func TestWrittenSeesRotatedFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if Written(path) {
		t.Fatal("an empty directory has a log")
	}
	if msg := NotWrittenYet(path); !strings.Contains(msg, path) || !strings.Contains(msg, "No log has been written yet") {
		t.Fatalf("NotWrittenYet: %q", msg)
	}
	if err := os.WriteFile(path+".2", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if !Written(path) {
		t.Fatal("a rotated file is not seen")
	}
}

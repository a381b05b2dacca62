package logfile

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestParseJSONAndTextRecords(t *testing.T) {
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Warn("profile failed", "profile", "api", "error", "invalid_client", "status", 401)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("transport run", "transport", "Orders list", "status", 200, "note", `say "hi"`)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	j, ok := Parse([]byte(lines[0]))
	if !ok || j.Level != slog.LevelWarn || j.Profile != "api" || j.Error != "invalid_client" || j.Attrs["status"] != "401" || j.Time.IsZero() {
		t.Fatalf("json: %+v", j)
	}
	x, ok := Parse([]byte(lines[1]))
	if !ok || x.Level != slog.LevelInfo || x.Transport != "Orders list" || x.Attrs["note"] != `say "hi"` {
		t.Fatalf("text: %+v", x)
	}
	for _, junk := range []string{"", "garbage line", "{not json", `level=LOUD msg=x`} {
		if _, ok := Parse([]byte(junk)); ok {
			t.Errorf("%q parsed", junk)
		}
	}
}

func TestWriterRotatesAndReadKeepsOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	w, err := OpenWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	log := NewLogger(w)
	pad := strings.Repeat("x", 64<<10)
	n := int(MaxSize/(64<<10)) * 2
	for i := range n {
		log.Info("event", "i", i, "pad", pad)
	}
	w.Close()
	if _, err := os.Stat(path + ".1"); err != nil {
		t.Fatal("no rotated file")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode())
	}
	got, err := Read(path, Filter{})
	if err != nil || len(got) != n {
		t.Fatalf("read %d of %d: %v", len(got), n, err)
	}
	for i, e := range got {
		if e.Attrs["i"] != strconv.Itoa(i) {
			t.Fatalf("entry %d is %s", i, e.Attrs["i"])
		}
	}
}

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/internal/logfile"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// A failed `transport run` is said once, by the command; its log record goes
// to the log file and not also to stderr as a slog line (README, "credctl").
func TestTransportRunFailureSaidOnce(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	addApp(t, c, idp, "backend")
	down := "http://127.0.0.1:" + strconv.Itoa(closedPort(t))
	c.must(0, "", "transport", "add", "--name", "Down", "--type", "http", "--url", down, "--credential", "backend")

	o := c.must(6, "", "transport", "run", "Down")
	if strings.Contains(o.stderr, "level=WARN") || strings.Contains(o.stderr, `msg="transport run"`) {
		t.Fatalf("credctl transport run says the failure twice (a slog line besides the error):\n%s", o)
	}
	contains(t, "the failure", o.stderr, `transport "Down"`)

	path := filepath.Join(c.home, ".local", "state", "credworkbench", logfile.FileName)
	b, err := os.ReadFile(path) // #nosec G304 -- the test's own file
	if err != nil {
		t.Fatalf("no log file after credctl transport run: %v", err)
	}
	if !strings.Contains(string(b), `msg="transport run"`) || !strings.Contains(string(b), "transport=Down") {
		t.Fatalf("the log lacks the failed run:\n%s", b)
	}
}

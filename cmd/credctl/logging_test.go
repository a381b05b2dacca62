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

// credctl writes its events to the log the workbench shares, says a failure
// once (the table row and the error, not also a slog line on stderr; that
// only with CREDCTL_LOG), and `credctl logs` before any log says so.
func TestCredctlWritesTheSharedLog(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	path := filepath.Join(c.home, ".local", "state", "credworkbench", logfile.FileName)

	o := c.must(0, "", "logs")
	contains(t, "logs before any log", o.stderr, "No log has been written yet", path)
	if strings.Contains(o.stderr, "No log events") {
		t.Fatalf("logs answers as if the filter matched nothing:\n%s", o)
	}
	c.must(0, "", "list") // reads only: no log yet
	if _, err := os.Stat(path); err == nil {
		t.Fatal("credctl list created the log")
	}

	addApp(t, c, idp, "good", "--client-id", testidp.AppClientID)
	c.must(0, "", "test", "good")
	unreachable := "http://127.0.0.1:" + strconv.Itoa(closedPort(t)) + "/token"
	o = c.must(0, "a-secret-LOGCANARY\n", "add", "--name", "down", "--type", "application",
		"--token-url", unreachable, "--client-id", "x", "--client-secret-stdin")
	if strings.Contains(o.stderr, "level=WARN") || strings.Contains(o.stderr, `msg="profile failed"`) {
		t.Fatalf("credctl add says the failure twice (a slog line besides the error):\n%s", o)
	}
	contains(t, "add of an unreachable IdP", o.stdout+o.stderr, "down")

	b, err := os.ReadFile(path) // #nosec G304 -- the test's own file
	if err != nil {
		t.Fatalf("no log file after credctl test: %v", err)
	}
	log := string(b)
	for _, want := range []string{`msg="profile tested" app=credctl profile=good`, `msg="profile failed" app=credctl profile=down`, "category=network"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "LOGCANARY") || strings.Contains(log, testidp.AppClientSecret) {
		t.Fatalf("the log holds a secret:\n%s", log)
	}

	o = c.must(0, "", "logs", "--profile", "down")
	contains(t, "credctl logs", o.stdout, "profile failed", `profile="down"`, "app=credctl")

	// CREDCTL_LOG asks for the records on stderr too.
	c.env = append(c.env, "CREDCTL_LOG=info")
	o = c.must(exitNetwork, "", "test", "down")
	contains(t, "CREDCTL_LOG=info", o.stderr, `msg="profile failed"`, "profile=down")
}

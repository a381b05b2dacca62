package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// BenchmarkTargetCLITokenAgent: `credctl token` (a valid token the running
// workbench holds) against `credctl --version`, the process start alone.
// Target ≤ 1.1×. The workbench is the shipped bin/credworkbench (`make
// bench` builds it first) under the Xvfb of scripts/test.sh; credctl's
// D-Bus session points nowhere, so every answer must come from the
// workbench's socket (a fallback to the keyring would fail the run).
func BenchmarkTargetCLITokenAgent(b *testing.B) {
	requireKeyring(b)
	testenv.RequireDisplay(b)
	bin, err := filepath.Abs(filepath.Join("..", "..", "bin", "credworkbench"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		testenv.Unavailable(b, "bin/credworkbench is missing: run `make build` (make bench does)")
	}
	idp := testidp.Start(b)
	c := newCLI(b)
	c.t = b
	c.env = append(c.env, "XDG_RUNTIME_DIR="+b.TempDir()) // its own instance socket
	addApp(b, c, idp, "api")
	startWorkbench(b, c, bin)
	c.env = append(c.env, "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(c.home, "no-bus"))
	for deadline := time.Now().Add(90 * time.Second); c.run("", "token", "api").code != 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("the workbench never answered: %s", c.run("", "token", "api"))
		}
	}
	testenv.Ratio(b, 1.1, func() {
		c.must(0, "", "token", "api")
	}, func() {
		c.must(0, "", "--version")
	})
}

// startWorkbench runs bin (hidden: the tray, or a window without a tray
// host) with c's HOME and runtime folder until the benchmark ends.
func startWorkbench(b *testing.B, c *cli, bin string) {
	cmd := exec.Command(bin, "--hidden") // #nosec G204 -- the binary under test
	cmd.Env = c.environ()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
}

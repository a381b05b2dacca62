package main

// End-to-end tests: the credctl binary (built once, CGO_ENABLED=0) runs as a
// subprocess against the real Secret Service and the real test IdP
// (internal/testidp). Run them with `make test` or
//   scripts/test.sh ./cmd/credctl/
// which provide a D-Bus session with an unlocked gnome-keyring and set
// CREDWB_KEYRING=real.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// credctlBin is the binary under test, built by TestMain.
var credctlBin string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "credctl-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	credctlBin = filepath.Join(dir, "credctl")
	build := exec.Command("go", "build", "-o", credctlBin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building credctl: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// requireKeyring skips outside the project's test environment, where no
// Secret Service is guaranteed; `make test` sets CREDWB_KEYRING=real, so
// there these tests always run.
func requireKeyring(t testing.TB) {
	t.Helper()
	testenv.RequireKeyring(t)
}

// cli is one isolated credctl installation: its own config directory and
// HOME, sharing the session's keyring.
type cli struct {
	t       testing.TB
	home    string
	binDir  string   // put first on PATH (stand-in programs such as xdg-open)
	env     []string // extra variables, last wins
	timeout time.Duration
}

func newCLI(t testing.TB) *cli {
	t.Helper()
	home := t.TempDir()
	bin := filepath.Join(home, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	return &cli{t: t, home: home, binDir: bin, timeout: 90 * time.Second}
}

type outcome struct {
	stdout, stderr string
	code           int
}

func (o outcome) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", o.code, o.stdout, o.stderr)
}

func (c *cli) environ() []string {
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "CREDCTL_LOG", "PATH", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy":
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"HOME="+c.home,
		"XDG_CONFIG_HOME="+filepath.Join(c.home, ".config"),
		"PATH="+c.binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
	)
	return append(env, c.env...)
}

func (c *cli) command(ctx context.Context, stdin string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.CommandContext(ctx, credctlBin, args...)
	cmd.Env = c.environ()
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	return cmd, &stdout, &stderr
}

// run runs credctl to the end with stdin as its standard input.
func (c *cli) run(stdin string, args ...string) outcome {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	cmd, stdout, stderr := c.command(ctx, stdin, args...)
	err := cmd.Run()
	o := outcome{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		o.code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("credctl %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		c.t.Fatalf("credctl %s did not finish within %s:\n%s", strings.Join(args, " "), c.timeout, o)
	}
	return o
}

// must runs credctl and fails the test unless it exits with want.
func (c *cli) must(want int, stdin string, args ...string) outcome {
	c.t.Helper()
	o := c.run(stdin, args...)
	if o.code != want {
		c.t.Fatalf("credctl %s: want exit %d, got\n%s", strings.Join(args, " "), want, o)
	}
	return o
}

// noSecret fails when any of the secrets appears in the outcome.
func noSecret(t testing.TB, o outcome, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(o.stdout, s) || strings.Contains(o.stderr, s) {
			t.Fatalf("secret %q appears in the output:\n%s", s, o)
		}
	}
}

func contains(t testing.TB, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Fatalf("%s does not contain %q:\n%s", what, sub, s)
		}
	}
}

func decode[T any](t testing.TB, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not the expected JSON (%v):\n%s", err, s)
	}
	return v
}

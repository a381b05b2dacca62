//go:build installtest

package installtest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// repoRoot is the module root (two levels above this file).
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the source file")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// distFile finds the one package in dist/ matching pattern; VERSION (as make
// passes it) narrows the choice when several builds lie there.
func distFile(t *testing.T, pattern string) string {
	t.Helper()
	dist := filepath.Join(repoRoot(t), "dist")
	if v := os.Getenv("VERSION"); v != "" {
		pattern = strings.ReplaceAll(pattern, "VERSION", v)
	} else {
		pattern = strings.ReplaceAll(pattern, "VERSION", "*")
	}
	matches, err := filepath.Glob(filepath.Join(dist, pattern))
	if err != nil || len(matches) != 1 {
		t.Fatalf("want exactly one dist/%s, found %v (run make package first, with the same VERSION)", pattern, matches)
	}
	return matches[0]
}

func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found on PATH: scripts/deps.sh package-test installs it", tool)
		}
	}
}

// result is what a finished command left.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return "exit " + itoa(r.code) + "\nstdout:\n" + r.stdout + "\nstderr:\n" + r.stderr
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// cmdSpec runs one program with a deadline.
type cmdSpec struct {
	env     []string // added to the environment
	stdin   string
	timeout time.Duration
	dir     string
}

// run runs name args; a start failure or the deadline fails the test, an exit
// code does not (callers check it).
func run(t *testing.T, c cmdSpec, name string, args ...string) result {
	t.Helper()
	if c.timeout == 0 {
		c.timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...) // #nosec G204 -- test harness running the installed programs
	cmd.Env = append(os.Environ(), c.env...)
	cmd.Dir = c.dir
	cmd.Stdin = strings.NewReader(c.stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("%s %s: no answer within %v\n%s", name, strings.Join(args, " "), c.timeout, r)
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	t.Logf("%s %s: exit %d in %v", filepath.Base(name), strings.Join(args, " "), r.code, time.Since(start).Round(100*time.Millisecond))
	return r
}

// mustRun is run that also wants exit 0.
func mustRun(t *testing.T, c cmdSpec, name string, args ...string) result {
	t.Helper()
	r := run(t, c, name, args...)
	if r.code != 0 {
		t.Fatalf("%s %s: %s", name, strings.Join(args, " "), r)
	}
	return r
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// artifactDir keeps screenshots where CI and people can look at them.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "dist", "installtest")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	return dir
}

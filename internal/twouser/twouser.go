// Package twouser is the second local user of the security tests: a real
// other uid (65534, through setpriv) that attacks a login or logout
// listener over IPv4 or over an AF_INET6 socket connected to
// ::ffff:127.0.0.1, the way a local attacker would. The attacker itself is
// the program in ./attacker (Linux), built by Build and run by Run or Argv.
package twouser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// UID is the attacker's uid and gid ("nobody").
const UID = 65534

// Families are the two ways to reach a tcp4 listener on 127.0.0.1.
var Families = []string{"ipv4", "ipv6"}

// Require fails (under CI) or skips unless the tests can run a second uid,
// and builds the attacker.
func Require(t testing.TB) {
	t.Helper()
	if runtime.GOOS != "linux" || os.Getuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("this test runs an attacker as another user (setpriv) and needs root on Linux; CI must run it so")
		}
		t.Skip("needs root on Linux to run the attacker as another user")
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Fatalf("setpriv (util-linux) is needed: %v", err)
	}
	Build(t) // now, not while a login's timeout runs
}

// startEnv and goBin are from before any test changed HOME or PATH (the
// service tests point HOME at a temporary directory, where the go command
// would find no build or module cache and rebuild everything).
var (
	startEnv = os.Environ()
	goBin, _ = exec.LookPath("go")
)

var (
	buildOnce sync.Once
	built     string
	buildErr  error
)

// Build compiles the attacker into a directory every user can read (once
// per test binary) and returns its path.
func Build(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cwb-attacker-")
		if err != nil {
			buildErr = err
			return
		}
		if err := os.Chmod(dir, 0o755); err != nil { // #nosec G302 -- the other uid runs the attacker from here
			buildErr = err
			return
		}
		built = filepath.Join(dir, "attacker")
		if goBin == "" {
			buildErr = errors.New("the go command is needed to build the attacker")
			return
		}
		cmd := exec.Command(goBin, "build", "-o", built, "github.com/credworkbench/credworkbench/internal/twouser/attacker") // #nosec G204 -- the go command builds this module's attacker
		cmd.Env = startEnv
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building the attacker: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

// Argv is the command line that runs the attacker as the other uid.
func Argv(t testing.TB, args ...string) []string {
	t.Helper()
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprint(UID)
	return append([]string{setpriv, "--reuid=" + id, "--regid=" + id, "--clear-groups", Build(t)}, args...)
}

// Run runs the attacker as the other uid to its end and returns its output.
func Run(t testing.TB, timeout time.Duration, args ...string) string {
	t.Helper()
	argv := Argv(t, args...) // builds first: the timeout is the attack's
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...) // #nosec G204 -- the test's own attacker
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent"}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the attacker did not finish within %s:\n%s", timeout, out)
	}
	if err != nil {
		t.Fatalf("the attacker failed: %v\n%s", err, out)
	}
	return string(out)
}

package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestExecTokenInEnvironmentNotArgv: `credctl exec` gives the command the
// token in $VAR and the tenant in $VAR_TENANT, not in any process's argv
// (read from /proc of credctl's own child), and exits with its exit code.
func TestExecTokenInEnvironmentNotArgv(t *testing.T) {
	h := New(t)
	h.AddApp(nil, "Exec App", "--tenant", "acme")
	tok := strings.TrimSpace(h.MustCredctl("token", "Exec App").Stdout)

	dir := t.TempDir()
	pidFile, outFile := filepath.Join(dir, "pid"), filepath.Join(dir, "out")
	// The child writes its PID, what it got, then waits for a line.
	script := `echo $$ > "$1.tmp" && mv "$1.tmp" "$1"; printf '%s\n%s\n' "$MY_TOKEN" "$MY_TOKEN_TENANT" > "$2"; read line; exit 7`
	cmd := exec.Command(credctlBin, "exec", "Exec App", "--env", "MY_TOKEN", "--", "sh", "-c", script, "sh", pidFile, outFile)
	cmd.Env = append(h.Environ(), "MY_TOKEN_TENANT=inherited")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()

	var pid int
	for deadline := time.Now().Add(30 * time.Second); pid == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the command did not start: %s", stderr.String())
		}
		if b, err := os.ReadFile(pidFile); err == nil {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
	}
	// Only our own process tree: the shell must be credctl's child.
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:])); len(f) < 2 || f[1] != strconv.Itoa(cmd.Process.Pid) {
		t.Fatalf("pid %d is not credctl's child (stat %q)", pid, stat)
	}
	for _, p := range []int{pid, cmd.Process.Pid} {
		argv, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/cmdline")
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(argv, []byte(tok)) {
			t.Fatalf("the token is in the argv of pid %d", p)
		}
	}
	environ, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(environ, []byte("\x00MY_TOKEN="+tok+"\x00")) || bytes.Contains(environ, []byte("MY_TOKEN_TENANT=inherited")) {
		t.Fatal("the child's environment lacks MY_TOKEN, or kept the inherited MY_TOKEN_TENANT")
	}
	_, _ = stdin.Write([]byte("go\n"))
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 7 {
		t.Fatalf("credctl exec exited with %v, want the command's 7; stderr: %s", err, stderr.String())
	}
	got, _ := os.ReadFile(outFile)
	if string(got) != tok+"\nacme\n" {
		t.Fatal("the command did not get the token and tenant in MY_TOKEN and MY_TOKEN_TENANT")
	}
	if strings.Contains(stderr.String(), tok) {
		t.Fatal("the token is on stderr")
	}

	// Exit codes: 0 passes through, a command that cannot run is 127,
	// and a command line without -- is a usage error.
	if r := h.Credctl("exec", "Exec App", "--", "true"); r.Code != 0 {
		t.Fatalf("exec true: %s", r)
	}
	if r := h.Credctl("exec", "Exec App", "--", "/nonexistent/cmd"); r.Code != 127 || !strings.Contains(r.Stderr, "cannot run") {
		t.Fatalf("a missing command: %s", r)
	}
	if r := h.Credctl("exec", "Exec App", "true"); r.Code != 2 || !strings.Contains(r.Stderr, "put -- before the command") {
		t.Fatalf("no --: %s", r)
	}
	if r := h.Credctl("exec", "Exec App", "--env", "1BAD", "--", "true"); r.Code != 2 {
		t.Fatalf("a bad --env: %s", r)
	}
}

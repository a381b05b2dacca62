package instance

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// A process of another user that reaches the socket (here: one in an
// open folder) gets no answer: the peer's user ID is checked on every
// connection, token requests included.
func TestTokenOtherUserRefused(t *testing.T) {
	uid, gid := testenv.Nobody(t)
	dir, err := os.MkdirTemp("", "instance-peer-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	bin := filepath.Join(dir, "helper")
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, self, 0o755); err != nil { // #nosec G306 -- the helper must be runnable by nobody
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "instance.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, sock} {
		if err := os.Chmod(p, 0o777); err != nil { // #nosec G302 -- reachable by the other user on purpose
			t.Fatal(err)
		}
	}
	var calls atomic.Int32
	in := &Instance{ln: ln, unlock: func() {}, cleanup: func() {}, done: make(chan struct{})}
	in.OnToken(func(context.Context, TokenRequest) TokenAnswer { calls.Add(1); return okAnswer })
	go in.serve()
	t.Cleanup(func() { _ = in.Close() })

	run := func(cred *syscall.Credential) string {
		cmd := exec.Command(bin, "-test.run=^$")
		cmd.Env = append(os.Environ(), "INSTANCE_ASK_SOCK="+sock)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("helper: %v %s", err, out)
		}
		return string(out)
	}
	if out := run(&syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}); out != "reply:" {
		t.Fatalf("another user's request was answered: %q", out)
	}
	if calls.Load() != 0 {
		t.Fatal("another user's request reached the token source")
	}
	// The same request from our own user is answered (the test is sound).
	if out := run(nil); !strings.Contains(out, `"status":"ok"`) {
		t.Fatalf("our own request: %q", out)
	}
}

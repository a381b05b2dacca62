//go:build !windows

package instance

import (
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// No socket, a stale one (the workbench was killed) and a folder that is
// not ours: no agent, at once.
func TestTokenNoAgent(t *testing.T) {
	q := TokenRequest{Profile: "api", Store: "/s"}
	dir := filepath.Join(t.TempDir(), "rt")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := askToken(dir, q, 5*time.Second); !errors.Is(err, ErrNoAgent) {
		t.Fatalf("no socket: %v", err)
	}
	ln, err := net.Listen("unix", sockPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	_ = ln.Close() // the socket file stays, nobody listens: as after SIGKILL
	if _, err := askToken(dir, q, 5*time.Second); !errors.Is(err, ErrNoAgent) {
		t.Fatalf("stale socket: %v", err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := askToken(dir, q, 5*time.Second); !errors.Is(err, ErrNoAgent) {
		t.Fatalf("a folder others can write: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("finding no agent took %v", d)
	}
}

// A server that answers junk, another version, or without end is no agent.
func TestTokenBadAnswers(t *testing.T) {
	for name, answer := range map[string]string{
		"older workbench": "", // reads, does not know token/1, closes
		"junk":            "hello\n",
		"old version":     `{"v":0,"status":"ok","profile":{"id":"a","name":"a","type":"application"},"token":{"accessToken":"x"}}` + "\n",
		"no newline":      `{"v":1,"status":"declined"}`,
		"unknown":         `{"v":1,"status":"maybe"}` + "\n",
		"oversize":        `{"v":1,"status":"declined","x":"` + strings.Repeat("a", maxAnswer) + `"}` + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "rt")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("unix", sockPath(dir))
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			go func() {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
				buf := make([]byte, 4096)
				_, _ = c.Read(buf)
				_, _ = io.WriteString(c, answer)
			}()
			if a, err := askToken(dir, TokenRequest{Profile: "api", Store: "/s"}, 5*time.Second); !errors.Is(err, ErrNoAgent) {
				t.Fatalf("answer %+v, %v", a, err)
			}
		})
	}
}

// Package instance keeps one running copy of a desktop app per user: the
// first process takes a lock and listens for a "show" request; a second one
// finds the lock held, sends that request (it carries nothing else) and
// exits, so the user gets the running window instead of a second app with
// a second token manager.
//
// Linux/macOS: a unix socket in the user's runtime folder, or without one
// in the user's cache folder, never the shared temp folder (0700, ours,
// checked by internal/fileguard; the socket 0600; on Linux the peer's user
// ID is checked too). Windows: a
// loopback TCP port written with a random token to a file in the user's
// config folder; a request without the token is ignored.
package instance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/credworkbench/credworkbench/internal/fileguard"
)

// ErrOtherRunning is returned by Claim when another instance runs and was
// asked to show itself: the caller should exit (status 0).
var ErrOtherRunning = errors.New("another instance is running; it was asked to show its window")

// handoverTimeout bounds how long a second instance tries to reach the first
// (which may be between taking the lock and listening).
const handoverTimeout = 10 * time.Second

// Instance is the claim of the one running instance.
type Instance struct {
	ln      net.Listener
	unlock  func()
	cleanup func()
	mu      sync.Mutex
	onShow  func()
	onToken TokenFunc // token.go
	missed  bool      // a show request came before there was an onShow
	once    sync.Once
	done    chan struct{}
}

// Claim makes this process the app's one instance, with dir the folder for
// the lock and the socket (or port file); "" picks the user's default
// (DefaultDir). onShow (may be nil: see OnShow) runs on a goroutine of its
// own for every show request. When another process holds the claim, Claim asks it to show its
// window and returns ErrOtherRunning.
func Claim(app, dir string, onShow func()) (*Instance, error) {
	if dir == "" {
		d, err := DefaultDir(app)
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if err := fileguard.MkdirPrivate(dir, "single-instance directory"); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(handoverTimeout)
	for {
		unlock, err := tryLock(dir)
		if err == nil {
			ln, cleanup, err := listen(dir)
			if err != nil {
				unlock()
				return nil, fmt.Errorf("cannot listen for requests of a second start: %w", err)
			}
			in := &Instance{ln: ln, unlock: unlock, cleanup: cleanup, onShow: onShow, done: make(chan struct{})}
			go in.serve()
			return in, nil
		}
		if !errors.Is(err, fileguard.ErrLocked) {
			return nil, fmt.Errorf("cannot take the single-instance lock in %s: %w", dir, err)
		}
		if err := requestShow(dir); err == nil {
			return nil, ErrOtherRunning
		} else if time.Now().After(deadline) {
			return nil, fmt.Errorf("another instance holds the lock in %s but does not answer: %w", dir, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// OnShow sets what a show request does (a request that came before is
// delivered now): the app may claim the instance before its window exists.
func (in *Instance) OnShow(fn func()) {
	in.mu.Lock()
	in.onShow = fn
	missed := in.missed && fn != nil
	in.missed = false
	in.mu.Unlock()
	if missed {
		fn()
	}
}

// Close stops answering and gives up the claim.
func (in *Instance) Close() error {
	in.once.Do(func() {
		close(in.done)
		_ = in.ln.Close()
		in.cleanup()
		in.unlock()
	})
	return nil
}

func (in *Instance) serve() {
	for {
		c, err := in.ln.Accept()
		if err != nil {
			select {
			case <-in.done:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			time.Sleep(100 * time.Millisecond) // e.g. out of file descriptors: do not spin
			continue
		}
		go in.handle(c)
	}
}

// maxRequest bounds what is read from a connection: a token request
// carries a profile name and the store's path; a longer line is ignored.
const maxRequest = 8 << 10

func (in *Instance) handle(c net.Conn) {
	defer c.Close()
	if !peerAllowed(c) {
		return
	}
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReaderSize(c, maxRequest).ReadSlice('\n')
	if err != nil {
		return
	}
	msg := strings.TrimSuffix(string(line), "\n")
	if q, ok := tokenRequest(msg); ok { // token.go
		in.answerToken(c, q)
		return
	}
	if !validRequest(msg) {
		return
	}
	_, _ = c.Write([]byte("ok\n"))
	in.mu.Lock()
	fn := in.onShow
	in.missed = fn == nil
	in.mu.Unlock()
	if fn != nil {
		fn()
	}
}

// tryLock takes the instance lock through the one lock opener of every
// file lock (no link, a regular file of ours) without waiting: a held lock
// is fileguard.ErrLocked, and the holder is asked to show itself instead.
func tryLock(dir string) (func(), error) {
	return fileguard.Lock(context.Background(), filepath.Join(dir, "instance.lock"), 0)
}

// requestShow asks the running instance to show its window.
func requestShow(dir string) error {
	c, msg, err := dial(dir)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte(msg + "\n")); err != nil {
		return err
	}
	reply, err := bufio.NewReaderSize(c, 16).ReadString('\n')
	if err != nil {
		return err
	}
	if reply != "ok\n" {
		return fmt.Errorf("unexpected answer %q", reply)
	}
	return nil
}

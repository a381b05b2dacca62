//go:build !windows

package instance

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/credworkbench/credworkbench/internal/fileguard"
)

// DefaultDir is $XDG_RUNTIME_DIR/APP when that is a directory of ours;
// without one (ssh, su, desktops without systemd, macOS) it is APP/run in
// the user's cache directory. Never the shared temp directory: another
// user could create the folder there first (or a link), and the workbench
// could never claim it, nor the user remove it from the sticky directory.
func DefaultDir(app string) (string, error) {
	if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" && filepath.IsAbs(rt) && fileguard.IsOwnDir(rt) {
		return filepath.Join(rt, app), nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("there is no directory of yours for the single-instance lock (%w): set XDG_RUNTIME_DIR or HOME", err)
	}
	return filepath.Join(base, app, "run"), nil
}

func sockPath(dir string) string { return filepath.Join(dir, "instance.sock") }

// maxSockPath is the longest socket path bind accepts everywhere (macOS
// and the BSDs: 104 bytes with the NUL; Linux 108).
const maxSockPath = 103

// sockAddr is the address of dir's socket. A path too long for a socket
// address (a long home directory) is reached on Linux through the open
// directory, /proc/self/fd/N/instance.sock, which also pins the directory
// that was checked; release closes it once the socket is bound or dialled
// (a listener keeps it until it closes, to unlink the socket).
func sockAddr(dir string) (addr string, release func(), err error) {
	p := sockPath(dir)
	if len(p) <= maxSockPath {
		return p, func() {}, nil
	}
	if runtime.GOOS != "linux" {
		return "", nil, fmt.Errorf("the socket path %s is longer than the %d bytes a socket address holds: set XDG_RUNTIME_DIR "+
			"(or XDG_CACHE_HOME) to a shorter directory of yours", p, maxSockPath)
	}
	d, err := os.OpenFile(dir, os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW, 0) // #nosec G304 -- our own checked directory
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("/proc/self/fd/%d/instance.sock", d.Fd()), func() { _ = d.Close() }, nil
}

// listen is called with the lock held, so a socket file left there is from
// an instance that died: it is replaced.
func listen(dir string) (net.Listener, func(), error) {
	if err := os.Remove(sockPath(dir)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	addr, release, err := sockAddr(dir)
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("unix", addr)
	if err != nil {
		release()
		return nil, nil, err
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(true)
	if err := os.Chmod(sockPath(dir), 0o600); err != nil {
		_ = ln.Close()
		release()
		return nil, nil, err
	}
	return ln, release, nil
}

func dial(dir string) (net.Conn, string, error) {
	c, _, err := dialAgent(dir, handoverTimeout)
	return c, "show", err
}

// dialAgent connects to dir's instance; auth is what a token request
// carries before its body (nothing here: the socket's folder and the peer
// check keep others out).
func dialAgent(dir string, timeout time.Duration) (c net.Conn, auth string, err error) {
	addr, release, err := sockAddr(dir)
	if err != nil {
		return nil, "", err
	}
	defer release()
	c, err = net.DialTimeout("unix", addr, timeout)
	return c, "", err
}

func validRequest(msg string) bool { return msg == "show" }

// checkAuth returns a token request's body.
func checkAuth(rest string) (string, bool) { return rest, true }

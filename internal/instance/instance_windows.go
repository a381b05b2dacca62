//go:build windows

package instance

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/internal/fileguard"
)

// token is this instance's random secret that a show request must carry:
// other users' processes can reach a loopback port, but cannot read the
// port file in our profile.
var token string

// DefaultDir is APP in the user's config folder (%AppData%).
func DefaultDir(app string) (string, error) {
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find your config folder: %w", err)
	}
	return filepath.Join(cfg, app), nil
}

func portFile(dir string) string { return filepath.Join(dir, "instance.port") }

func listen(dir string) (net.Listener, func(), error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, nil, err
	}
	token = hex.EncodeToString(b)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	content := fmt.Sprintf("%d %s\n", ln.Addr().(*net.TCPAddr).Port, token)
	tmp := portFile(dir) + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		_ = ln.Close()
		return nil, nil, err
	}
	if err := os.Rename(tmp, portFile(dir)); err != nil {
		_ = ln.Close()
		return nil, nil, err
	}
	return ln, func() { _ = os.Remove(portFile(dir)) }, nil
}

func dial(dir string) (net.Conn, string, error) {
	c, auth, err := dialAgent(dir, handoverTimeout)
	return c, "show " + strings.TrimSuffix(auth, " "), err
}

// dialAgent connects to dir's instance; auth is the instance's random
// secret and a space, which a token request carries before its body.
func dialAgent(dir string, timeout time.Duration) (c net.Conn, auth string, err error) {
	b, err := fileguard.ReadOwn(portFile(dir), "port file", 128)
	if err != nil {
		return nil, "", err
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return nil, "", fmt.Errorf("%s is malformed", portFile(dir))
	}
	c, err = net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", f[0]), timeout)
	return c, f[1] + " ", err
}

// checkAuth returns a token request's body when it carries the secret.
func checkAuth(rest string) (string, bool) {
	secret, body, ok := strings.Cut(rest, " ")
	return body, ok && token != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(token)) == 1
}

func validRequest(msg string) bool {
	want := "show " + token
	return token != "" && subtle.ConstantTimeCompare([]byte(msg), []byte(want)) == 1
}

func peerAllowed(net.Conn) bool { return true }

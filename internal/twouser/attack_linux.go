//go:build linux

package twouser

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// DialContext connects to a "127.0.0.1:PORT" address from an AF_INET
// socket (ipv4) or an AF_INET6 one connected to ::ffff:127.0.0.1 (ipv6);
// Go's own dialer never makes the latter.
func DialContext(family string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if family != "ipv6" {
		return (&net.Dialer{}).DialContext
	}
	return func(_ context.Context, _, addr string) (net.Conn, error) {
		ap, err := netip.ParseAddrPort(addr)
		if err != nil || !ap.Addr().Is4() {
			return nil, fmt.Errorf("twouser: %q is not an IPv4 address and port", addr)
		}
		fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
		if err != nil {
			return nil, err
		}
		sa := &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()} // As16: the v4-mapped form
		if err := unix.Connect(fd, sa); err != nil {
			_ = unix.Close(fd)
			return nil, err
		}
		f := os.NewFile(uintptr(fd), "ipv6")
		defer f.Close()
		return net.FileConn(f)
	}
}

// Client is a browser-like client over family that keeps cookies in jar
// and does not follow redirects.
func Client(family string, jar http.CookieJar) *http.Client {
	return &http.Client{Jar: jar, Timeout: 20 * time.Second,
		Transport:     &http.Transport{DialContext: DialContext(family), DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Get fetches u over c and returns the status and the Location header.
func Get(ctx context.Context, c *http.Client, u string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location"), nil
}

// capture is a cookie jar that also notes the last URL asked for on host
// at path: the login callback that testidp.BrowserLogin sends (over IPv4,
// its own transport), to send it again over the attacker's family.
type capture struct {
	http.CookieJar
	host, path string
	mu         sync.Mutex
	seen       string
}

func (c *capture) Cookies(u *url.URL) []*http.Cookie {
	if u.Host == c.host && u.Path == c.path {
		c.mu.Lock()
		c.seen = u.String()
		c.mu.Unlock()
	}
	return c.CookieJar.Cookies(u)
}

// ErrRefused: the listener would not serve the attacker.
var ErrRefused = errors.New("refused by the listener")

// Login takes over a login: it opens the victim's one-time start address
// over family, signs in at the IdP as user and sends the callback (with
// the start cookie) over family.
func Login(ctx context.Context, family, startURL, user, password string) error {
	su, err := url.Parse(startURL)
	if err != nil {
		return err
	}
	inner, _ := cookiejar.New(nil)
	jar := &capture{CookieJar: inner, host: su.Host, path: "/callback"}
	c := Client(family, jar)
	status, auth, err := Get(ctx, c, startURL)
	if err != nil {
		return err
	}
	if status != http.StatusFound {
		return fmt.Errorf("%w: the start address answered %d", ErrRefused, status)
	}
	berr := testidp.BrowserLogin(ctx, auth, user, password, testidp.WithCookieJar(jar))
	if family == "ipv4" {
		if berr != nil && strings.Contains(berr.Error(), "answered HTTP 403") {
			return fmt.Errorf("%w: %v", ErrRefused, berr)
		}
		return berr
	}
	jar.mu.Lock()
	cb := jar.seen
	jar.mu.Unlock()
	if cb == "" {
		return fmt.Errorf("the IdP did not send the attacker to the callback: %v", berr)
	}
	status, _, err = Get(ctx, c, cb)
	switch {
	case err != nil:
		return err
	case status == http.StatusForbidden:
		return fmt.Errorf("%w: the callback answered %d", ErrRefused, status)
	case status/100 != 2 && status/100 != 3:
		return fmt.Errorf("the callback answered %d", status)
	}
	return nil
}

// FakeLogout pretends the IdP ended the session: it opens the logout's
// start address over family (which hands out the IdP address with the ID
// token hint and the state) and calls the post-logout address with that
// state, without visiting the IdP.
func FakeLogout(ctx context.Context, family, startURL string) error {
	c := Client(family, nil)
	status, loc, err := Get(ctx, c, startURL)
	if err != nil {
		return err
	}
	if status != http.StatusFound {
		return fmt.Errorf("%w: the start address answered %d", ErrRefused, status)
	}
	target, err := url.Parse(loc)
	if err != nil {
		return err
	}
	back, err := url.Parse(target.Query().Get("post_logout_redirect_uri"))
	if err != nil || back.Host == "" {
		return fmt.Errorf("no post_logout_redirect_uri in %q", target.Redacted())
	}
	back.RawQuery = url.Values{"state": {target.Query().Get("state")}}.Encode()
	status, _, err = Get(ctx, c, back.String())
	switch {
	case err != nil:
		return err
	case status == http.StatusForbidden:
		return fmt.Errorf("%w: the post-logout address answered %d", ErrRefused, status)
	case status != http.StatusOK:
		return fmt.Errorf("the post-logout address answered %d", status)
	}
	return nil
}

package testidp

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Proxy is a running tinyproxy forward proxy (http and CONNECT to any port).
type Proxy struct {
	// URL is http://127.0.0.1:PORT, without credentials.
	URL *url.URL
	// Username and Password are required when set (BasicAuth).
	Username, Password string
	// LogFile is tinyproxy's log.
	LogFile string
}

// ProxyOption configures StartProxy.
type ProxyOption func(*Proxy)

// WithProxyAuth requires Basic proxy authentication.
func WithProxyAuth(user, password string) ProxyOption {
	return func(p *Proxy) { p.Username, p.Password = user, password }
}

// URLWithCredentials returns URL with the proxy user and password (if any).
func (p *Proxy) URLWithCredentials() *url.URL {
	u := *p.URL
	if p.Username != "" {
		u.User = url.UserPassword(p.Username, p.Password)
	}
	return &u
}

// StartProxy runs tinyproxy on a free 127.0.0.1 port for the duration of the test.
func StartProxy(t testing.TB, opts ...ProxyOption) *Proxy {
	t.Helper()
	bin, err := exec.LookPath("tinyproxy")
	if err != nil {
		t.Fatalf("testidp: tinyproxy is not installed; run: apt-get install -y tinyproxy")
	}
	p := &Proxy{}
	for _, o := range opts {
		o(p)
	}
	dir := t.TempDir()
	p.LogFile = filepath.Join(dir, "tinyproxy.log")

	// The free port is found by listening and closing, so another process
	// may grab it in between: retry a few times.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		if lastErr = p.start(t, bin, dir, port); lastErr == nil {
			p.URL = &url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", port)}
			return p
		}
	}
	t.Fatalf("testidp: tinyproxy: %v", lastErr)
	return nil
}

func (p *Proxy) start(t testing.TB, bin, dir string, port int) error {
	// No ConnectPort lines: CONNECT is allowed to every port.
	conf := fmt.Sprintf(`Port %d
Listen 127.0.0.1
Timeout 60
LogFile %q
LogLevel Info
MaxClients 50
Allow 127.0.0.1
DisableViaHeader Yes
`, port, p.LogFile)
	if p.Username != "" {
		conf += fmt.Sprintf("BasicAuth %s %s\n", p.Username, p.Password)
	}
	confFile := filepath.Join(dir, "tinyproxy.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
		return err
	}
	_ = os.Remove(p.LogFile)

	cmd := exec.Command(bin, "-d", "-c", confFile) // #nosec G204 -- test harness: tinyproxy with its own config file
	setProcessGroup(cmd)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() { _ = killProcessGroup(cmd); <-exited }

	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			conn.Close() // #nosec G104 -- a probe connection; its Close error does not matter
			t.Cleanup(stop)
			return nil
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(p.LogFile)
			return fmt.Errorf("exited during start-up: %s%s", out.String(), log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("not listening on port %d after 10s: %s", port, out.String())
		}
	}
}

// Requests returns the request lines the proxy received so far, e.g.
// "CONNECT 127.0.0.1:8443 HTTP/1.1" or "POST http://127.0.0.1:8080/token HTTP/1.1".
// Requests later rejected (e.g. 407 for missing credentials) are included.
func (p *Proxy) Requests(t testing.TB) []string {
	t.Helper()
	const marker = "]: Request (file descriptor "
	var reqs []string
	for _, line := range p.logLines(t) {
		if _, rest, ok := strings.Cut(line, marker); ok {
			if _, req, ok := strings.Cut(rest, "): "); ok {
				reqs = append(reqs, req)
			}
		}
	}
	return reqs
}

// Forwarded returns how many upstream connections the proxy opened, i.e.
// requests that really passed through it (authenticated and allowed).
func (p *Proxy) Forwarded(t testing.TB) int {
	t.Helper()
	n := 0
	for _, line := range p.logLines(t) {
		if strings.Contains(line, "opensock: opening connection to ") {
			n++
		}
	}
	return n
}

func (p *Proxy) logLines(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile(p.LogFile)
	if err != nil {
		t.Fatalf("testidp: tinyproxy log: %v", err)
	}
	return strings.Split(string(data), "\n")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

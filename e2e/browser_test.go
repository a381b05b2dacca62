package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// Browser stands in for the user's browser behind $BROWSER: the binaries
// run a small script (the one-time local start address as its argument),
// which hands the address to the harness; the harness logs in there as the
// given user, through headless Chromium (Playwright) or, with UseQuick, the
// plain HTTP browser of internal/testidp.
type Browser struct {
	h              *H
	user, password string
	mu             sync.Mutex
	quick          bool // UseQuick
	results        chan error
	logins         int
	otp            string // UseOTP (stepup_test.go)
}

// LoginBrowser makes every later credctl and workbench of h open its
// login pages in a Browser that signs in as user (sets BROWSER in h.Env).
func (h *H) LoginBrowser(user, password string) *Browser {
	h.t.Helper()
	dir := filepath.Join(h.Home, "browser")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		h.t.Fatal(err)
	}
	// The script only queues the address and exits 0 at once, as a real
	// opener does (the login keeps waiting for the callback).
	script := filepath.Join(dir, "open")
	body := "#!/bin/sh\nf=\"" + dir + "/url.$$\"\nprintf '%s\\n' \"$1\" > \"$f.tmp\" && mv \"$f.tmp\" \"$f\"\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil { // #nosec G306 -- the opener must be executable; private dir
		h.t.Fatal(err)
	}
	b := &Browser{h: h, user: user, password: password, results: make(chan error, 16)}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); b.watch(ctx, dir) }()
	h.t.Cleanup(func() { cancel(); wg.Wait() })
	h.Env = append(h.Env, "BROWSER="+script)
	return b
}

// watch picks up each address the script queued and logs in there.
func (b *Browser) watch(ctx context.Context, dir string) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), "url.") || strings.HasSuffix(e.Name(), ".tmp") {
				continue
			}
			path := filepath.Join(dir, e.Name())
			data, err := os.ReadFile(path) // #nosec G304 -- the harness's own queue file
			_ = os.Remove(path)
			if err != nil {
				continue
			}
			b.results <- b.login(ctx, strings.TrimSpace(string(data)))
		}
	}
}

func (b *Browser) login(ctx context.Context, u string) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	b.mu.Lock()
	b.logins++
	quick, otp := b.quick, b.otp
	b.mu.Unlock()
	if otp != "" {
		return testidp.BrowserLogin(ctx, u, b.user, b.password, testidp.WithOTP(otp))
	}
	if quick {
		return testidp.BrowserLogin(ctx, u, b.user, b.password)
	}
	_, err := testidp.ChromiumLoginPage(ctx, u, b.user, b.password)
	return err
}

// UseQuick makes the browser sign in with the net/http browser instead of
// Chromium (seconds less per login), from the next login on.
func (b *Browser) UseQuick() {
	b.mu.Lock()
	b.quick = true
	b.mu.Unlock()
}

// Wait returns the outcome of the next login the browser did, or an
// error when none happened within timeout.
func (b *Browser) Wait(timeout time.Duration) error {
	select {
	case err := <-b.results:
		return err
	case <-time.After(timeout):
		return fmt.Errorf("no login page was opened in the browser within %s", timeout)
	}
}

// Logins counts the login pages the browser was sent to.
func (b *Browser) Logins() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.logins
}

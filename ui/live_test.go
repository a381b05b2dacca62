package ui

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/credentials/credtest"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// liveLimit is how soon the workbench must show another process's change:
// two seconds (the service itself publishes it within 2 s under the race
// detector too; see oauthflow's TestWatchPublishesOtherProcessChanges).
const liveLimit = 2 * time.Second * slowdown

var (
	credctlOnce sync.Once
	credctlPath string
	credctlErr  error
)

// credctlBinary builds the real credctl once for the cross-process tests.
func credctlBinary(t *testing.T) string {
	t.Helper()
	credctlOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ui-credctl-")
		if err != nil {
			credctlErr = err
			return
		}
		credctlPath = filepath.Join(dir, "credctl")
		cmd := exec.Command("go", "build", "-o", credctlPath, "../cmd/credctl")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			credctlErr = err
			credctlPath = string(out)
		}
	})
	if credctlErr != nil {
		t.Fatalf("building credctl: %v\n%s", credctlErr, credctlPath)
	}
	return credctlPath
}

// credctl runs the real credctl on the workbench's store (same config
// directory and keyring) and fails the test unless it exits 0.
func credctl(t *testing.T, home, stdin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, credctlBinary(t), args...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"))
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("credctl %v: %v\nstdout: %s\nstderr: %s", args, err, out.String(), errOut.String())
	}
	return out.String()
}

// The workbench opened on untested Application profiles shows each Active
// or Failed without a tap, and shows a profile credctl added and a session
// credctl logged out within two seconds, without a tap either.
func TestLiveWorkbenchFollowsCredctl(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithTLS())
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	repo := credtest.Repository(t, nil, credtest.InDir(filepath.Join(home, "config", "credworkbench")))
	good := saveProfile(t, repo, appProfile("good app", idp), testidp.AppClientSecret)
	bad := saveProfile(t, repo, appProfile("bad app", idp), "not-the-secret")
	user := saveProfile(t, repo, credentials.Profile{Name: "portal", Type: credentials.TypeUser, IssuerURL: idp.Issuer,
		ClientID: testidp.PublicClientID, Scope: "openid profile offline_access", TLS: credentials.TLS{CAFile: idp.CAFile}}, "")
	t.Cleanup(func() {
		for _, id := range []string{good.ID, bad.ID, user.ID} {
			_ = repo.Delete(id)
		}
	})

	h := newHarness(t, repo, loginBrowser(t, idp, testidp.Username, testidp.Password))
	if res, err := h.svc.Login(context.Background(), "portal", oauthflow.LoginOptions{Timeout: 60 * time.Second}); err != nil || !res.Active() {
		t.Fatalf("login: %v %+v", err, res.Failure)
	}
	// When the service publishes each event, to tell a slow watcher from a
	// slow table if the 2 s are missed.
	var evMu sync.Mutex
	published := map[string]time.Time{}
	defer h.svc.Subscribe(func(e oauthflow.Event) {
		evMu.Lock()
		defer evMu.Unlock()
		if k := e.Name + "/" + string(e.Kind); published[k].IsZero() {
			published[k] = time.Now()
		}
	})()
	seen := func(key string, since time.Time) time.Duration {
		evMu.Lock()
		defer evMu.Unlock()
		if at := published[key]; !at.IsZero() {
			return max(at.Sub(since), 0) // published before since: at once
		}
		return -1 // not published
	}
	h.wb.GoLive(h.svc)
	h.waitFor("the untested Application profiles to be tested at startup", func() bool {
		return strings.HasPrefix(h.statusOf("good app"), string(credentials.StatusActive)) &&
			strings.HasPrefix(h.statusOf("bad app"), string(credentials.StatusFailed))
	})

	credctl(t, home, testidp.AppClientSecret+"\n", "add", "--name", "from cli", "--type", "application",
		"--token-url", idp.TokenURL, "--ca-file", idp.CAFile, "--client-id", testidp.AppClientID,
		"--client-secret-stdin", "--no-test")
	t.Cleanup(func() {
		if p, err := repo.Get("from cli"); err == nil {
			_ = repo.Delete(p.ID)
		}
	})
	start := time.Now()
	h.waitFor("the profile credctl added", func() bool { return h.rowOf("from cli") >= 0 })
	if d := time.Since(start); d > liveLimit {
		t.Errorf("the added profile showed after %s, want within 2 s (the service published it after %s)", d, seen("from cli/saved", start))
	}

	if d := seen("from cli/saved", start); d == -1 || d > 2*time.Second {
		t.Errorf("the service published the added profile after %s, want within 2 s", d)
	}

	credctl(t, home, "", "logout", "portal")
	start = time.Now()
	h.waitFor("the logout credctl made", func() bool {
		st := h.statusOf("portal") // the table says "Not logged in" for a session that ended
		return strings.HasPrefix(st, "Not logged in") || strings.HasPrefix(st, string(credentials.StatusLoggedOut))
	})
	if d := time.Since(start); d > liveLimit {
		t.Errorf("the logout showed after %s, want within 2 s (the service published it after %s)", d, seen("portal/logged out", start))
	}
	if _, err := h.svc.Token(context.Background(), "portal"); err == nil {
		t.Error("the workbench still hands out a token of a session credctl ended")
	}
}

// With the startup preference off, the workbench opens without testing:
// the profiles stay Untested until the user asks (and the IdP sees nothing).
func TestLiveStartupTestCanBeTurnedOff(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithTLS())
	repo := newRepo(t, nil)
	p := saveProfile(t, repo, appProfile("quiet app", idp), testidp.AppClientSecret)
	t.Cleanup(func() { _ = repo.Delete(p.ID) })
	h := newHarness(t, repo, nil)
	h.app.Preferences().SetBool(PrefStartupTest, false)
	idp.Reset(t)
	lv := &countedLive{Live: h.svc, done: make(chan struct{})}
	h.wb.GoLive(lv)
	// Not a pause: bringing the profiles live has returned, and the window
	// has taken what it published.
	select {
	case <-lv.done:
	case <-time.After(time.Minute): // a hang guard, not a timing assertion
		t.Fatal("bringing the profiles live did not return")
	}
	h.q.do(func() { lv.seen.Store(true) }) // behind what BringLive queued
	h.waitFor("the start-up work's end to reach the window", func() bool { return lv.seen.Load() })
	if st := h.statusOf("quiet app"); !strings.HasPrefix(st, string(credentials.StatusUntested)) {
		t.Fatalf("status %q with the startup test turned off, want Untested", st)
	}
	if n := idp.Stats(t).Token; n != 0 {
		t.Fatalf("%d token requests with the startup test turned off", n)
	}
}

// countedLive is the service; it says when BringLive has returned.
type countedLive struct {
	Live
	done chan struct{}
	seen atomic.Bool // the window has run what was queued before it
}

func (l *countedLive) BringLive(ctx context.Context, opt oauthflow.LiveOptions) []oauthflow.Result {
	defer close(l.done)
	return l.Live.BringLive(ctx, opt)
}

package main

// Cross-process tests: the real credctl binary and a Service in the test
// process (standing in for the workbench) on one store and one real Secret
// Service, counting requests at the test IdP.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/credentials/credtest"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// workbench is a Service on c's store and the session keyring, as the
// workbench opens it.
func workbench(t testing.TB, c *cli, browser oauthflow.Browser) *oauthflow.Service {
	t.Helper()
	s, _ := workbenchRepo(t, c, browser)
	return s
}

// workbenchRepo is workbench with the repository under it, for tests that
// seed the store and keyring directly.
func workbenchRepo(t testing.TB, c *cli, browser oauthflow.Browser) (*oauthflow.Service, *credentials.Repository) {
	t.Helper()
	repo := credtest.Repository(t, nil, credtest.InDir(filepath.Join(c.home, ".config", "credworkbench")))
	s := oauthflow.NewService(repo, browser, nil)
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		cache = filepath.Join(c.home, ".cache")
	}
	s.Tokens = oauthflow.NewKeyringTokenStore(repo.Secrets, filepath.Join(cache, "credworkbench", "tokens"))
	t.Cleanup(s.Close)
	return s, repo
}

type browserFunc func(string) error

func (f browserFunc) Open(u string) error { return f(u) }

// idpBrowser logs in at the test IdP as the user would.
func idpBrowser(t testing.TB, idp *testidp.IdP) oauthflow.Browser {
	return browserFunc(func(authURL string) error {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			if err := testidp.BrowserLogin(ctx, authURL, testidp.Username, testidp.Password, testidp.WithRootCAs(idp.CAPool)); err != nil {
				t.Errorf("browser login: %v", err)
			}
		}()
		return nil
	})
}

func loginIn(t testing.TB, s *oauthflow.Service, name string) {
	t.Helper()
	res, err := s.Login(context.Background(), name, oauthflow.LoginOptions{Timeout: 60 * time.Second})
	if err != nil || !res.Active() {
		t.Fatalf("login: %v %+v", err, res.Failure)
	}
}

// A token either side fetched is served by the other without a request to
// the IdP.
func TestTokenSharedBetweenWorkbenchAndCLI(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	addApp(t, c, idp, "api", "--no-test")
	addApp(t, c, idp, "api2", "--no-test")
	wb := workbench(t, c, nil)
	ctx := context.Background()

	// Workbench first, then credctl.
	idp.Reset(t)
	tok, err := wb.Token(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	o := c.must(0, "", "token", "api", "--json")
	out := decode[tokenJSON](t, o.stdout)
	if out.AccessToken != tok.AccessToken || !out.Cached {
		t.Fatalf("credctl printed another token (cached=%v)", out.Cached)
	}
	if n := tokenRequests(t, idp); n != 1 {
		t.Fatalf("%d token requests, want 1 (the workbench's)", n)
	}

	// credctl first, then a workbench that has not seen the profile yet.
	idp.Reset(t)
	cliTok := strings.TrimSpace(c.must(0, "", "token", "api2").stdout)
	wb2 := workbench(t, c, nil)
	tok2, err := wb2.Token(ctx, "api2")
	if err != nil || tok2.AccessToken != cliTok {
		t.Fatalf("the workbench did not use credctl's token: %v", err)
	}
	if info, ok := wb2.CurrentToken("api2"); !ok || info.Username != testidp.AppUsername {
		t.Errorf("CurrentToken: %+v %v", info, ok)
	}
	if n := tokenRequests(t, idp); n != 1 {
		t.Fatalf("%d token requests, want 1 (credctl's)", n)
	}

	// An edit in credctl makes the workbench's token stale at once.
	c.must(0, "", "edit", "api", "--scope", "api:read", "--no-test")
	idp.Reset(t)
	tok3, err := wb.Token(ctx, "api")
	if err != nil || tok3.AccessToken == tok.AccessToken {
		t.Fatalf("the workbench kept the token of the old settings: %v", err)
	}
	if n := tokenRequests(t, idp); n != 1 {
		t.Fatalf("%d token requests after the edit, want 1", n)
	}
}

// Twenty `credctl token` started at once on a cold cache make one token
// request and print the same token.
func TestConcurrentColdTokensOneRequest(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	addApp(t, c, idp, "api", "--no-test")
	idp.Reset(t)
	const n = 20
	var wg sync.WaitGroup
	outs := make([]outcome, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i] = c.run("", "token", "api")
		}()
	}
	wg.Wait()
	for i, o := range outs {
		if o.code != 0 || strings.TrimSpace(o.stdout) == "" || o.stdout != outs[0].stdout {
			t.Fatalf("credctl %d: %s", i, o)
		}
	}
	if got := tokenRequests(t, idp); got != 1 {
		t.Fatalf("%d concurrent cold `credctl token` made %d token requests, want 1", n, got)
	}
}

// A logout in credctl: the workbench's Status says Logged out and its Token
// fails within 2 s.
func TestCLILogoutSeenByWorkbench(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	addUser(t, c, idp, "portal")
	wb := workbench(t, c, idpBrowser(t, idp))
	loginIn(t, wb, "portal")
	ctx := context.Background()
	if _, err := wb.Token(ctx, "portal"); err != nil {
		t.Fatal(err)
	}
	c.must(0, "", "logout", "portal")
	deadline := time.Now().Add(2 * time.Second)
	for {
		st, err := wb.Status("portal")
		_, terr := wb.Token(ctx, "portal")
		if err == nil && st.Status == credentials.StatusLoggedOut && terr != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("2 s after `credctl logout` the workbench says %s (token error %v)", st.Status, terr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The workbench and credctl renewing at the same moment redeem the refresh
// token once, and both end with the same working token.
func TestConcurrentRefreshOneRedemption(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	addUser(t, c, idp, "portal")
	first := workbench(t, c, idpBrowser(t, idp))
	loginIn(t, first, "portal")
	p, err := first.Profile("portal")
	if err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		// The access token has expired everywhere: both sides need a new one.
		if err := first.Tokens.Delete(p.ID); err != nil {
			t.Fatal(err)
		}
		wb := workbench(t, c, nil) // a workbench with nothing in memory
		idp.Reset(t)
		var wbTok string
		var wbErr error
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := wb.Token(context.Background(), "portal")
			wbErr = err
			if tok != nil {
				wbTok = tok.AccessToken
			}
		}()
		o := c.run("", "token", "portal")
		wg.Wait()
		if o.code != 0 || wbErr != nil {
			t.Fatalf("round %d: credctl %s; workbench %v", round, o, wbErr)
		}
		if strings.TrimSpace(o.stdout) != wbTok {
			t.Fatalf("round %d: the workbench and credctl ended with different tokens", round)
		}
		if g := idp.Stats(t).Grants["refresh_token"]; g != 1 {
			t.Fatalf("round %d: the refresh token was redeemed %d times, want once", round, g)
		}
	}
	// And the session still works: a forced renewal succeeds.
	c.must(0, "", "token", "portal", "--fresh")
}

// `credctl add` and `credctl edit` test an Application profile right after
// saving it and report its status; --no-test skips that.
func TestAddReportsTestedStatus(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	idp.Reset(t)
	o := c.must(0, testidp.AppClientSecret+"\n", "add", "--name", "api", "--type", "application", "--token-url", idp.TokenURL,
		"--client-id", testidp.AppClientID, "--client-secret-stdin", "--scope", testidp.AppScopes)
	contains(t, "add", o.stdout, "Added profile", "api", "Active")
	noSecret(t, o, testidp.AppClientSecret)
	contains(t, "list after add", c.must(0, "", "list").stdout, "Active")

	o = c.must(0, "wrong-secret-1\n", "add", "--name", "wrong", "--type", "application", "--token-url", idp.TokenURL,
		"--client-id", testidp.AppClientID, "--client-secret-stdin")
	contains(t, "add with a wrong secret", o.stdout, "Added profile", "Failed")
	contains(t, "add with a wrong secret", o.stderr, "Advice:")

	o = c.must(0, "", "edit", "api", "--scope", "api:read")
	contains(t, "edit", o.stdout, "Saved profile", "Active")
	before := tokenRequests(t, idp)
	o = c.must(0, "", "edit", "api", "--scope", "api:write", "--no-test")
	contains(t, "edit --no-test", o.stdout, "Saved profile")
	if strings.Contains(o.stdout, "Active") || tokenRequests(t, idp) != before {
		t.Errorf("edit --no-test tested: %s", o)
	}
	contains(t, "list after edit --no-test", c.must(0, "", "list").stdout, "Untested")
}

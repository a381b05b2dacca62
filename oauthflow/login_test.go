package oauthflow

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	idpkg "github.com/credworkbench/credworkbench/oauthflow/idp"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// loginOK runs a login that must succeed and returns its result.
func loginOK(t *testing.T, s *Service, name string, opt LoginOptions) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := s.Login(ctx, name, opt)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if !res.Active() {
		t.Fatalf("Login: status %s, failure %v, warnings %v", res.Status, res.Failure, res.Warnings)
	}
	return res
}

func assertAlice(t *testing.T, res Result) {
	t.Helper()
	if res.Token == nil || res.Token.Username != testidp.Username || !slices.Equal(res.Token.Roles, testidp.UserRoles) {
		t.Fatalf("logged in as %+v, want %s with roles %v", res.Token, testidp.Username, testidp.UserRoles)
	}
	if res.Expiry.Before(time.Now().Add(50*time.Minute)) || res.Expiry.After(time.Now().Add(61*time.Minute)) {
		t.Errorf("expiry %v, want about an hour from now", res.Expiry)
	}
}

func storedRefreshToken(t *testing.T, repo *credentials.Repository, id string) string {
	t.Helper()
	rt, err := repo.Secrets.Get(id, credentials.RefreshToken)
	if err != nil {
		t.Fatalf("refresh token in the keyring: %v", err)
	}
	return rt
}

// refreshDirect uses a refresh token at the IdP outside the service.
func refreshDirect(idp *testidp.IdP, clientID, secret, rt string) error {
	cfg := oauth2.Config{ClientID: clientID, ClientSecret: secret,
		Endpoint: oauth2.Endpoint{TokenURL: idp.TokenURL, AuthStyle: oauth2.AuthStyleInParams}}
	_, err := cfg.TokenSource(context.Background(), &oauth2.Token{RefreshToken: rt}).Token()
	return err
}

func TestLoginWithTestIdP(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)

	t.Run("issuer typed with a trailing slash", func(t *testing.T) {
		// The IdP's spelling is adopted: the ID token's iss and the RFC
		// 9207 iss parameter match it, and the login says so.
		idp.Reset(t)
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer+"/", testidp.PublicClientID, "", nil)
		s := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
		defer s.Close()
		res := loginOK(t, s, p.Name, LoginOptions{})
		assertAlice(t, res)
		if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "spells its issuer") }) {
			t.Errorf("no note on the adopted issuer: %q", res.Warnings)
		}
	})

	t.Run("public client", func(t *testing.T) {
		idp.Reset(t)
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		var gotURL string // the authorization URL the start address led to
		br := newFakeBrowser(func(ctx context.Context, startURL string) error {
			client := browserClient()
			authURL, err := openStart(ctx, client, startURL)
			if err != nil {
				return err
			}
			gotURL = authURL
			return testidp.BrowserLogin(ctx, authURL, testidp.Username, testidp.Password, testidp.WithCookieJar(client.Jar))
		})
		s := NewService(repo, br, nil)
		defer s.Close()
		events := subscribe(t, s)
		var startURL string
		res := loginOK(t, s, p.Name, LoginOptions{OnURL: func(u string, err error) {
			startURL = u
			if err != nil {
				t.Errorf("OnURL got browser error %v", err)
			}
		}})
		if err := br.browserResult(t); err != nil {
			t.Fatalf("browser: %v", err)
		}
		assertAlice(t, res)

		// The authorization request: PKCE S256, state, nonce, resource, loopback redirect.
		u, err := url.Parse(gotURL)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		for _, k := range []string{"state", "nonce", "code_challenge"} {
			if len(q.Get(k)) < 43 {
				t.Errorf("%s = %q, want a 32-byte random value", k, q.Get(k))
			}
		}
		if q.Get("code_challenge_method") != "S256" || q.Get("resource") != testidp.Resource {
			t.Errorf("auth URL query %v", q)
		}
		ru, _ := url.Parse(q.Get("redirect_uri"))
		if ru == nil || ru.Scheme != "http" || ru.Hostname() != "127.0.0.1" || ru.Port() == "" || ru.Path != "/callback" {
			t.Errorf("redirect_uri %q", q.Get("redirect_uri"))
		}
		// The browser and OnURL got the one-time local start address only.
		if su, _ := url.Parse(startURL); su == nil || su.Host != ru.Host || !strings.HasPrefix(su.Path, "/start/") ||
			len(su.Path) < len("/start/")+43 || su.RawQuery != "" {
			t.Errorf("start URL %q", startURL)
		}
		// The listener is gone after the login (once the browser loaded /done).
		for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			c, err := net.DialTimeout("tcp", ru.Host, time.Second)
			if err != nil {
				break
			}
			c.Close()
			if time.Now().After(deadline) {
				t.Error("the loopback listener is still open after the login")
				break
			}
		}

		got, _ := repo.Get(p.ID)
		if got.LastStatus != credentials.StatusActive || got.LoggedInAs != testidp.Username || got.TokenExpiry.IsZero() || got.LastChecked.IsZero() {
			t.Errorf("bookkeeping %+v", got.Bookkeeping)
		}
		if rt := storedRefreshToken(t, repo, p.ID); rt == "" {
			t.Error("empty refresh token stored")
		}
		ev := events.waitFor(t, EventLoggedIn)
		if ev.Result == nil || ev.Result.Token.Username != testidp.Username {
			t.Errorf("logged-in event %+v", ev)
		}
		// The access token is served from memory.
		before := idp.Stats(t).Token
		tok, err := s.Token(context.Background(), p.Name)
		if err != nil || tok.AccessToken == "" {
			t.Fatalf("Token: %v", err)
		}
		st := idp.Stats(t)
		if st.Token != before || st.Grants["authorization_code"] != 1 {
			t.Errorf("IdP stats after Token: %+v (token requests before: %d)", st, before)
		}
	})

	for _, method := range []credentials.AuthMethod{credentials.AuthBasic, credentials.AuthPost} {
		t.Run("confidential client "+string(method), func(t *testing.T) {
			idp.Reset(t)
			repo := loginRepo(t)
			p := saveUserProfile(t, repo, idp.Issuer, testidp.ConfidentialClientID, testidp.ConfidentialClientSecret,
				func(p *credentials.Profile) {
					p.AuthMethod = method
					p.UsernameClaim = "preferred_username"
					p.RolesClaim = "realm_access.roles"
				})
			s := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
			defer s.Close()
			res := loginOK(t, s, p.Name, LoginOptions{})
			assertAlice(t, res)
			// And a refresh with the same client authentication.
			tr, err := s.Test(context.Background(), p.Name)
			if err != nil || !tr.Active() || tr.Token.Username != testidp.Username {
				t.Fatalf("refresh: %+v %v", tr, err)
			}
			if g := idp.Stats(t).Grants; g["authorization_code"] != 1 || g["refresh_token"] != 1 {
				t.Errorf("grants %v", g)
			}
		})
	}

	t.Run("wrong client secret", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.ConfidentialClientID, "not-the-secret", nil)
		s := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
		defer s.Close()
		res, err := s.Login(context.Background(), p.Name, LoginOptions{Timeout: time.Minute})
		if err != nil || res.Failure == nil || res.Failure.Category != CatCredentials {
			t.Fatalf("login with a wrong secret: %+v %v", res, err)
		}
		if strings.Contains(res.Failure.Error(), "not-the-secret") {
			t.Fatalf("the secret leaked into the failure: %v", res.Failure)
		}
	})

	for _, tc := range []struct {
		name   string
		params url.Values
		cat    Category
		text   string
	}{
		// The test IdP advertises RFC 9207 iss: a response without it is refused.
		{"missing iss", url.Values{"code": {"x"}, "state": {"="}}, CatLogin, "no iss parameter"},
		{"wrong iss", url.Values{"code": {"x"}, "state": {"="}, "iss": {"https://other.example"}}, CatLogin, "names another issuer"},
		{"missing code", url.Values{"state": {"="}, "iss": {idp.Issuer}}, CatRedirect, "no authorization code"},
		{"access denied", url.Values{"error": {"access_denied"}, "error_description": {"The user said no"}, "state": {"="}, "iss": {idp.Issuer}}, CatLogin, "The user said no"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idp.Reset(t)
			repo := loginRepo(t)
			p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
			s := NewService(repo, newFakeBrowser(callbackWith(tc.params)), nil)
			defer s.Close()
			start := time.Now()
			res, err := s.Login(context.Background(), p.Name, LoginOptions{Timeout: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			if time.Since(start) > 10*time.Second {
				t.Errorf("the login took %v to fail", time.Since(start))
			}
			if res.Status != credentials.StatusFailed || res.Failure == nil || res.Failure.Category != tc.cat ||
				!strings.Contains(res.Failure.Error(), tc.text) {
				t.Fatalf("result %s %v, want %s failure containing %q", res.Status, res.Failure, tc.cat, tc.text)
			}
			got, _ := repo.Get(p.ID)
			if got.LastStatus != credentials.StatusFailed || got.LastCategory != string(tc.cat) || got.LastError == "" {
				t.Errorf("bookkeeping %+v", got.Bookkeeping)
			}
			if n := idp.Stats(t).Token; n != 0 {
				t.Errorf("%d token requests after a rejected callback", n)
			}
		})
	}

	t.Run("wrong verifier", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		s := NewService(repo, nil, nil)
		defer s.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		u, f := (protocol{s}).userClient(ctx, p)
		if f != nil {
			t.Fatal(f)
		}
		state, verifier := idpkg.RandomToken(), oauth2.GenerateVerifier()
		l, err := idpkg.ListenLogin(0, state, u.ep.Issuer)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		cfg := u.config(l.RedirectURI)
		l.SetAuthURL(cfg.AuthCodeURL(state, append(u.params(), oauth2.S256ChallengeOption(verifier))...))
		go func() { _ = testidp.BrowserLogin(ctx, l.StartURL(), testidp.Username, testidp.Password) }()
		cb, err := l.Wait(ctx)
		if err != nil || cb.Err != nil {
			t.Fatalf("callback: %+v %v", cb, err)
		}
		_, f = u.exchange(ctx, cfg, cb.Code, oauth2.GenerateVerifier())
		if f == nil {
			t.Fatal("the code was exchanged with a different PKCE verifier")
		}
		if f.Category != CatRedirect || f.IdPError != "invalid_grant" || !strings.Contains(f.Message, "PKCE verifier") {
			t.Fatalf("failure %v (%s)", f, f.Category)
		}
		l.Respond(f)
	})

	t.Run("browser cannot be opened", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		br := newFakeBrowser(nil)
		br.openErr = errors.New("no program to open a browser was found")
		s := NewService(repo, br, nil)
		defer s.Close()
		// The user copies the offered URL into a browser themselves.
		userDone := make(chan error, 1)
		res := loginOK(t, s, p.Name, LoginOptions{OnURL: func(u string, err error) {
			if err == nil || !strings.Contains(err.Error(), "no program") {
				t.Errorf("OnURL browser error = %v", err)
			}
			go func() { userDone <- testidp.BrowserLogin(context.Background(), u, testidp.Username, testidp.Password) }()
		}})
		assertAlice(t, res)
		if err := <-userDone; err != nil {
			t.Fatal(err)
		}
	})

	t.Run("no browser option", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		br := newFakeBrowser(nil)
		s := NewService(repo, br, nil)
		defer s.Close()
		res := loginOK(t, s, p.Name, LoginOptions{NoBrowser: true, OnURL: func(u string, err error) {
			go func() { _ = testidp.BrowserLogin(context.Background(), u, testidp.Username, testidp.Password) }()
		}})
		assertAlice(t, res)
		if br.openCount() != 0 {
			t.Fatal("the browser was opened despite NoBrowser")
		}
	})

	t.Run("favicon does not end the wait", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		login := idp.Browser(testidp.Username, testidp.Password)
		var favicon int
		br := newFakeBrowser(func(ctx context.Context, authURL string) error {
			ru, _ := url.Parse(redirectOf(authURL))
			resp, err := http.Get("http://" + ru.Host + "/favicon.ico")
			if err != nil {
				return err
			}
			resp.Body.Close()
			favicon = resp.StatusCode
			return login(ctx, authURL)
		})
		s := NewService(repo, br, nil)
		defer s.Close()
		assertAlice(t, loginOK(t, s, p.Name, LoginOptions{}))
		if err := br.browserResult(t); err != nil || favicon != http.StatusNotFound {
			t.Fatalf("browser: %v, favicon answered %d", err, favicon)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		s := NewService(repo, newFakeBrowser(nil), nil) // the user never signs in
		defer s.Close()
		var redirect string
		start := time.Now()
		res, err := s.Login(context.Background(), p.Name, LoginOptions{Timeout: 500 * time.Millisecond, OnURL: func(u string, _ error) {
			redirect = redirectOf(u)
		}})
		if err != nil || res.Failure == nil || res.Failure.Category != CatLogin || !strings.Contains(res.Failure.Message, "within 500ms") {
			t.Fatalf("timeout result %+v %v", res.Failure, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("the timeout took %v", d)
		}
		if _, err := http.Get(redirect); err == nil {
			t.Error("the listener still answers after the timeout")
		}
		if got, _ := repo.Get(p.ID); got.LastStatus != credentials.StatusFailed {
			t.Errorf("status after timeout %s", got.LastStatus)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		s := NewService(repo, newFakeBrowser(nil), nil)
		defer s.Close()
		for _, how := range []string{"context", "CancelLogin"} {
			ctx, cancel := context.WithCancel(context.Background())
			var redirect string
			done := make(chan Result, 1)
			go func() {
				res, _ := s.Login(ctx, p.Name, LoginOptions{OnURL: func(u string, _ error) {
					redirect = redirectOf(u)
					if how == "context" {
						cancel()
					} else if !s.CancelLogin(p.Name) {
						t.Error("CancelLogin found no pending login")
					}
				}})
				done <- res
			}()
			select {
			case res := <-done:
				if res.Failure == nil || res.Failure.Category != CatCancelled {
					t.Fatalf("%s: cancelled login gave %+v", how, res.Failure)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: the login did not end on cancel", how)
			}
			cancel()
			if _, err := http.Get(redirect); err == nil {
				t.Errorf("%s: the listener still answers after cancel", how)
			}
		}
		if got, _ := repo.Get(p.ID); got.LastStatus != credentials.StatusUntested {
			t.Errorf("a cancelled login changed the status to %s", got.LastStatus)
		}
	})

	t.Run("busy fixed port", func(t *testing.T) {
		busy, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer busy.Close()
		port := busy.Addr().(*net.TCPAddr).Port
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", func(p *credentials.Profile) { p.RedirectPort = port })
		br := newFakeBrowser(nil)
		s := NewService(repo, br, nil)
		defer s.Close()
		start := time.Now()
		res, err := s.Login(context.Background(), p.Name, LoginOptions{})
		if err != nil || res.Failure == nil || res.Failure.Category != CatConfig ||
			!strings.Contains(res.Failure.Message, "Port "+strconv.Itoa(port)) || !strings.Contains(res.Failure.Message, "already in use") {
			t.Fatalf("busy port: %+v %v", res.Failure, err)
		}
		if time.Since(start) > 5*time.Second || br.openCount() != 0 {
			t.Fatalf("took %v, browser opened %d times", time.Since(start), br.openCount())
		}
	})

	t.Run("fixed port", func(t *testing.T) {
		probe, _ := net.Listen("tcp4", "127.0.0.1:0")
		port := probe.Addr().(*net.TCPAddr).Port
		probe.Close()
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", func(p *credentials.Profile) { p.RedirectPort = port })
		s := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
		defer s.Close()
		var redirect string
		assertAlice(t, loginOK(t, s, p.Name, LoginOptions{OnURL: func(u string, _ error) {
			redirect = redirectOf(u)
		}}))
		if redirect != "http://127.0.0.1:"+strconv.Itoa(port)+"/callback" {
			t.Fatalf("redirect_uri %q with fixed port %d", redirect, port)
		}
	})

	t.Run("refresh after restart and rotation", func(t *testing.T) {
		idp.Reset(t)
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		s1 := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
		loginOK(t, s1, p.Name, LoginOptions{})
		rt1 := storedRefreshToken(t, repo, p.ID)
		s1.Close()

		// "Restart": a new service on the same store and keyring.
		s2 := NewService(repo, newFakeBrowser(nil), nil)
		defer s2.Close()
		if st, _ := s2.Status(p.Name); st.Status != credentials.StatusActive {
			t.Errorf("status after restart %s", st.Status)
		}
		// The login's access token is in the shared store: a restart uses it.
		if _, cached, err := s2.FetchToken(context.Background(), p.Name, TokenOptions{}); err != nil || !cached {
			t.Fatalf("Token after restart: cached=%v err=%v, want the stored token", cached, err)
		}
		// Once it is gone (expired), the session is restored with the refresh token.
		s2.mgr.Forget(p.ID)
		if err := s2.Tokens.Delete(p.ID); err != nil {
			t.Fatal(err)
		}
		tok, err := s2.Token(context.Background(), p.Name)
		if err != nil || tok.AccessToken == "" {
			t.Fatalf("Token after restart: %v", err)
		}
		st, _ := s2.Status(p.Name)
		if !st.Active() || st.Token == nil || st.Token.Username != testidp.Username {
			t.Fatalf("restored session %+v", st)
		}
		rt2 := storedRefreshToken(t, repo, p.ID)
		if rt2 == rt1 {
			t.Fatal("the rotated refresh token did not replace the stored one")
		}
		if g := idp.Stats(t).Grants; g["refresh_token"] != 1 || g["authorization_code"] != 1 {
			t.Errorf("grants %v", g)
		}
		// The old refresh token is dead at the IdP.
		if err := refreshDirect(idp, testidp.PublicClientID, "", rt1); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Fatalf("the old refresh token still works: %v", err)
		}
	})

	t.Run("logout revokes", func(t *testing.T) {
		idp.Reset(t)
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.ConfidentialClientID, testidp.ConfidentialClientSecret, nil)
		s := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
		defer s.Close()
		events := subscribe(t, s)
		loginOK(t, s, p.Name, LoginOptions{})
		rt := storedRefreshToken(t, repo, p.ID)
		if err := s.Logout(context.Background(), p.Name); err != nil {
			t.Fatalf("Logout: %v", err)
		}
		if n := idp.Stats(t).Revocation; n != 1 {
			t.Errorf("revocation requests %d, want 1", n)
		}
		if _, err := repo.Secrets.Get(p.ID, credentials.RefreshToken); !errors.Is(err, credentials.ErrSecretNotFound) {
			t.Errorf("refresh token still in the keyring: %v", err)
		}
		if _, err := repo.Secrets.Get(p.ID, credentials.ClientSecret); err != nil {
			t.Errorf("logout touched the client secret: %v", err)
		}
		got, _ := repo.Get(p.ID)
		if got.LastStatus != credentials.StatusLoggedOut || got.LoggedInAs != "" || !got.TokenExpiry.IsZero() {
			t.Errorf("bookkeeping after logout %+v", got.Bookkeeping)
		}
		if st, _ := s.Status(p.Name); st.Status != credentials.StatusLoggedOut {
			t.Errorf("Status after logout %s", st.Status)
		}
		events.waitFor(t, EventLoggedOut)
		if err := refreshDirect(idp, testidp.ConfidentialClientID, testidp.ConfidentialClientSecret, rt); err == nil {
			t.Fatal("the refresh token still works after logout")
		}
		// Without a session, a test says "not logged in" instead of failing oddly.
		res, _ := s.Test(context.Background(), p.Name)
		if res.Status != credentials.StatusLoggedOut || res.Failure == nil || !strings.Contains(res.Failure.Message, "not logged in") {
			t.Errorf("test after logout: %s %v", res.Status, res.Failure)
		}
	})

	t.Run("refresh token too big for the keyring", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		small := *repo
		small.Secrets = repo.Secrets.WithLimit(20) // like Windows' limit, but smaller than any refresh token
		s := NewService(&small, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
		defer s.Close()
		res := loginOK(t, s, p.Name, LoginOptions{})
		if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "larger than this system's keyring holds") }) {
			t.Fatalf("warnings %q", res.Warnings)
		}
		if _, err := repo.Secrets.Get(p.ID, credentials.RefreshToken); !errors.Is(err, credentials.ErrSecretNotFound) {
			t.Fatalf("keyring entry: %v", err)
		}
		// The session still renews from memory while the app runs.
		tr, err := s.Test(context.Background(), p.Name)
		if err != nil || !tr.Active() {
			t.Fatalf("refresh from memory: %+v %v", tr.Failure, err)
		}
		if err := s.Logout(context.Background(), p.Name); err != nil {
			t.Fatal(err)
		}
		if tr, _ := s.Test(context.Background(), p.Name); tr.Status != credentials.StatusLoggedOut {
			t.Fatalf("after logout the in-memory refresh token still works: %s", tr.Status)
		}
	})

	t.Run("claim path missing", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", func(p *credentials.Profile) { p.UsernameClaim = "upn" })
		s := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
		defer s.Close()
		res, _ := s.Login(context.Background(), p.Name, LoginOptions{Timeout: time.Minute})
		if res.Failure == nil || res.Failure.Category != CatClaims || !strings.Contains(res.Failure.Message, "preferred_username") {
			t.Fatalf("result %+v", res.Failure)
		}
	})

	t.Run("application profile", func(t *testing.T) {
		repo := loginRepo(t)
		p, err := repo.Save(credentials.Profile{Name: "app", Type: credentials.TypeApplication, TokenURL: idp.TokenURL,
			ClientID: testidp.AppClientID}, credentials.SecretChange{ClientSecret: credentials.Secret(testidp.AppClientSecret)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = repo.Delete(p.ID) })
		br := newFakeBrowser(nil)
		s := NewService(repo, br, nil)
		defer s.Close()
		res, err := s.Login(context.Background(), p.Name, LoginOptions{})
		if err != nil || res.Failure == nil || res.Failure.Category != CatConfig || br.openCount() != 0 {
			t.Fatalf("login of an Application profile: %+v %v", res.Failure, err)
		}
		if _, err := s.Login(context.Background(), "no such profile", LoginOptions{}); !errors.Is(err, credentials.ErrNotFound) {
			t.Fatalf("unknown profile: %v", err)
		}
	})
}

func TestLoginIDTokenChecks(t *testing.T) {
	repo := loginRepo(t)
	op := newFakeOIDC(t)
	p := saveUserProfile(t, repo, op.srv.URL, "fake-client", "", func(p *credentials.Profile) { p.Resource = "" })
	s := NewService(repo, newFakeBrowser(followRedirect), nil)
	defer s.Close()

	for _, tc := range []struct {
		name   string
		edit   func(map[string]any)
		signer bool // sign with a key the IdP does not publish
		cat    Category
		text   string
	}{
		{"valid", nil, false, "", ""},
		{"wrong nonce", func(c map[string]any) { c["nonce"] = "replayed" }, false, CatLogin, "nonce"},
		{"no nonce", func(c map[string]any) { delete(c, "nonce") }, false, CatLogin, "nonce"},
		{"wrong audience", func(c map[string]any) { c["aud"] = "someone-else" }, false, CatCredentials, "another client"},
		{"wrong issuer", func(c map[string]any) { c["iss"] = "https://evil.example" }, false, CatLogin, "failed verification"},
		{"expired", func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }, false, CatLogin, "expired"},
		{"bad signature", nil, true, CatLogin, "failed verification"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var signer = op.key
			if tc.signer {
				signer = op.wrongKey
			}
			op.set(tc.edit, signer)
			res, err := s.Login(context.Background(), p.Name, LoginOptions{Timeout: 30 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if tc.cat == "" {
				if !res.Active() || res.Token.Username != "carol" || !slices.Equal(res.Token.Roles, []string{"auditor"}) || !res.Token.Opaque {
					t.Fatalf("valid ID token: %+v %+v", res.Failure, res.Token)
				}
				return
			}
			if res.Active() || res.Failure == nil || res.Failure.Category != tc.cat || !strings.Contains(res.Failure.Message, tc.text) {
				t.Fatalf("result %s %+v, want a %s failure containing %q", res.Status, res.Failure, tc.cat, tc.text)
			}
		})
	}
}

func TestLoginIssuerParameterMismatch(t *testing.T) {
	repo := loginRepo(t)
	op := newFakeOIDC(t)
	p := saveUserProfile(t, repo, op.srv.URL, "fake-client", "", func(p *credentials.Profile) { p.Resource = "" })
	// A mix-up: the response claims to come from another IdP.
	s := NewService(repo, newFakeBrowser(callbackWith(url.Values{"code": {"c"}, "state": {"="}, "iss": {"https://evil.example"}})), nil)
	defer s.Close()
	res, _ := s.Login(context.Background(), p.Name, LoginOptions{Timeout: 30 * time.Second})
	if res.Failure == nil || !strings.Contains(res.Failure.Message, "RFC 9207") {
		t.Fatalf("result %+v", res.Failure)
	}
}

func TestLoginChromium(t *testing.T) {
	repo := loginRepo(t)
	idp := testidp.Shared(t)
	p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
	type outcome struct {
		res *testidp.ChromiumResult
		err error
	}
	done := make(chan outcome, 1)
	br := newFakeBrowser(func(ctx context.Context, authURL string) error {
		ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		r, err := testidp.ChromiumLoginPage(ctx, authURL, testidp.Username, testidp.Password)
		done <- outcome{r, err}
		return err
	})
	s := NewService(repo, br, nil)
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := s.Login(ctx, p.Name, LoginOptions{Timeout: 2 * time.Minute})
	if err != nil || !res.Active() {
		t.Fatalf("login through Chromium: %+v %v", res.Failure, err)
	}
	assertAlice(t, res)
	o := <-done
	if o.err != nil {
		t.Fatalf("chromium: %v", o.err)
	}
	if !o.res.CloseAttempted {
		t.Error("the success page did not try to close itself")
	}
	if !strings.Contains(o.res.Text, "You are logged in") || !strings.Contains(o.res.Text, "do not share") {
		t.Errorf("the page showed %q", o.res.Text)
	}
	if got, _ := repo.Get(p.ID); got.LastStatus != credentials.StatusActive || got.LoggedInAs != testidp.Username {
		t.Errorf("bookkeeping %+v", got.Bookkeeping)
	}
}

// TestUserClientAuthentication checks what goes over the wire on refresh
// and revocation for each client authentication: the profile's choice is
// used every time, never auto-detected.
func TestUserClientAuthentication(t *testing.T) {
	repo := loginRepo(t)
	type request struct {
		path       string
		form       url.Values
		user, pass string
		basic      bool
	}
	var mu sync.Mutex
	var seen []request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		u, pw, ok := r.BasicAuth()
		mu.Lock()
		seen = append(seen, request{r.URL.Path, r.PostForm, u, pw, ok})
		mu.Unlock()
		if r.URL.Path == "/token" {
			writeJSON(w, map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 60, "refresh_token": "rt-new"})
		}
	}))
	defer srv.Close()
	last := func(t *testing.T, path string) request {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		for i := len(seen) - 1; i >= 0; i-- {
			if seen[i].path == path {
				return seen[i]
			}
		}
		t.Fatalf("no request to %s", path)
		return request{}
	}
	const secret = "s3cr:et+/%"
	for _, tc := range []struct {
		name   string
		secret string
		method credentials.AuthMethod
	}{{"public", "", credentials.AuthBasic}, {"basic", secret, credentials.AuthBasic}, {"post", secret, credentials.AuthPost}} {
		t.Run(tc.name, func(t *testing.T) {
			p := saveUserProfile(t, repo, "", "client "+tc.name, tc.secret, func(p *credentials.Profile) {
				p.AuthURL, p.TokenURL, p.RevocationURL = srv.URL+"/auth", srv.URL+"/token", srv.URL+"/revoke"
				p.AuthMethod, p.Scope, p.Resource = tc.method, "api", ""
			})
			if err := repo.Secrets.Set(p.ID, credentials.RefreshToken, "rt-old"); err != nil {
				t.Fatal(err)
			}
			s := NewService(repo, newFakeBrowser(nil), nil)
			defer s.Close()
			tok, res, err := (protocol{s}).refreshUser(context.Background(), p)
			if err != nil || tok.AccessToken != "at" || !res.Active() {
				t.Fatalf("refresh: %v %+v", err, res)
			}
			check := func(r request, want url.Values) {
				t.Helper()
				for k, v := range want {
					if r.form.Get(k) != v[0] {
						t.Errorf("%s: %s = %q, want %q", r.path, k, r.form.Get(k), v[0])
					}
				}
				switch tc.name {
				case "public":
					if r.basic || r.form.Get("client_id") != p.ClientID || r.form.Has("client_secret") {
						t.Errorf("%s: public client sent basic=%v form=%v", r.path, r.basic, r.form)
					}
				case "basic":
					if !r.basic || r.user != url.QueryEscape(p.ClientID) || r.pass != url.QueryEscape(secret) || r.form.Has("client_secret") {
						t.Errorf("%s: basic auth %v %q %q, form %v", r.path, r.basic, r.user, r.pass, r.form)
					}
				case "post":
					if r.basic || r.form.Get("client_id") != p.ClientID || r.form.Get("client_secret") != secret {
						t.Errorf("%s: post auth basic=%v form=%v", r.path, r.basic, r.form)
					}
				}
			}
			check(last(t, "/token"), url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"rt-old"}})
			if rt := storedRefreshToken(t, repo, p.ID); rt != "rt-new" {
				t.Fatalf("stored refresh token %q after rotation", rt)
			}
			if err := s.Logout(context.Background(), p.Name); err != nil {
				t.Fatal(err)
			}
			check(last(t, "/revoke"), url.Values{"token": {"rt-new"}, "token_type_hint": {"refresh_token"}})
		})
	}
}

package oauthflow

import (
	"context"
	"errors"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// sessionBrowser is one browser with one cookie jar across logins and
// logouts, as the user's is; step says what the user does on the next page.
type sessionBrowser struct {
	jar  *cookiejar.Jar
	mu   sync.Mutex
	step func(ctx context.Context, u string) error
	seen []string
}

func (b *sessionBrowser) set(step func(ctx context.Context, u string) error) {
	b.mu.Lock()
	b.step = step
	b.mu.Unlock()
}

func (b *sessionBrowser) do(ctx context.Context, u string) error {
	b.mu.Lock()
	step := b.step
	b.seen = append(b.seen, u)
	b.mu.Unlock()
	return step(ctx, u)
}

// loginAs signs in as user; asked reports whether the IdP asked for the
// password (false: its session signed the user in silently). Prompt gets
// the authorization URL's prompt parameter.
func (b *sessionBrowser) loginAs(user, password string, asked *bool, prompt *string) func(context.Context, string) error {
	return func(ctx context.Context, u string) error {
		return testidp.BrowserLogin(ctx, u, user, password, testidp.WithCookieJar(b.jar),
			testidp.WithCredentialsAsked(asked), testidp.WithAuthURL(func(a *url.URL) { *prompt = a.Query().Get("prompt") }))
	}
}

// TestIdPLogoutAndAnotherUser runs against the real test IdP, in one
// browser: a second login reuses the IdP session silently; after a logout
// that ends the IdP session, the login asks for the password again; and
// "another user" lets a second user log in while the first one's IdP
// session is still there.
func TestIdPLogoutAndAnotherUser(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := loginRepo(t)
	p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
	jar, _ := cookiejar.New(nil)
	b := &sessionBrowser{jar: jar}
	fb := newFakeBrowser(b.do)
	s := NewService(repo, fb, nil)
	defer s.Close()
	ctx := context.Background()

	var asked bool
	var prompt string
	login := func(opt LoginOptions, user, password string) Result {
		t.Helper()
		b.set(b.loginAs(user, password, &asked, &prompt))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		res, err := s.Login(ctx, p.Name, opt)
		berr := fb.browserResult(t)
		if err != nil || !res.Active() || berr != nil {
			t.Fatalf("login as %s: %v %s %v; browser: %v", user, err, res.Status, res.Failure, berr)
		}
		return res
	}

	// First login asks; the second one in the same browser does not.
	login(LoginOptions{}, testidp.Username, testidp.Password)
	if !asked {
		t.Fatal("the first login did not ask for credentials")
	}
	if got, err := repo.Secrets.Get(p.ID, credentials.IDToken); err != nil || got == "" {
		t.Fatalf("the login's ID token was not kept for the logout hint: %v", err)
	}
	login(LoginOptions{}, testidp.Username, testidp.Password)
	if asked {
		t.Fatal("the IdP asked again although its session was there: the test cannot show that logout ends it")
	}

	// Another user: prompt=login (the test IdP does not advertise
	// select_account), and bob's login gives bob although alice's IdP
	// session is there.
	res := login(LoginOptions{AnotherUser: true}, testidp.Username2, testidp.Password2)
	if !asked || prompt != "login" {
		t.Fatalf("Log in as another user: asked=%v prompt=%q, want the login page and prompt=login", asked, prompt)
	}
	if res.Token == nil || res.Token.Username != testidp.Username2 {
		t.Fatalf("another user's login gave %+v, want %s", res.Token, testidp.Username2)
	}
	// Asked for: no "someone else may have completed your login" (#24.18).
	if len(res.Warnings) > 0 {
		t.Errorf("the asked-for switch raised %q", res.Warnings)
	}

	// Logout with the IdP session: the browser goes through the start
	// address to /session/end and back to our signed-out page.
	var page, logoutURL string
	b.set(func(ctx context.Context, u string) error {
		var err error
		page, err = testidp.BrowserLogout(ctx, u, jar)
		return err
	})
	before := idp.Stats(t).EndSession
	out, err := s.LogoutWith(ctx, p.Name, LogoutOptions{EndIdPSession: true, OnURL: func(u string, err error) { logoutURL = u }})
	if err != nil {
		t.Fatalf("logout: %v", err)
	}
	if berr := fb.browserResult(t); berr != nil {
		t.Fatalf("browser logout: %v", berr)
	}
	if out.IdPSession != IdPSessionEnded {
		t.Fatalf("IdP session: %q (%s), want ended", out.IdPSession, out.Message)
	}
	if !strings.Contains(page, "You are signed out") {
		t.Errorf("the post-logout page does not say so: %.300s", page)
	}
	if !strings.HasPrefix(logoutURL, "http://127.0.0.1:") || strings.Contains(logoutURL, "id_token_hint") {
		t.Errorf("the offered logout URL is not the one-time local start address: %q", logoutURL)
	}
	if idp.Stats(t).EndSession <= before {
		t.Error("the IdP's end_session_endpoint was not called")
	}
	if _, err := repo.Secrets.Get(p.ID, credentials.IDToken); !errors.Is(err, credentials.ErrSecretNotFound) {
		t.Errorf("the ID token outlived the logout: %v", err)
	}

	// The next login asks again, and gives the user who typed the password.
	res = login(LoginOptions{}, testidp.Username, testidp.Password)
	if !asked {
		t.Fatal("after the IdP logout the login did not ask for credentials again")
	}
	if res.Token == nil || res.Token.Username != testidp.Username {
		t.Fatalf("login after logout gave %+v, want %s", res.Token, testidp.Username)
	}
}

// TestIdPLogoutOutcomes: an IdP without end_session_endpoint is reported
// as such (the local logout happened), and a browser that never comes back
// ends in "unknown" after the timeout, not a hang.
func TestIdPLogoutOutcomes(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := loginRepo(t)
	ctx := context.Background()

	t.Run("no end_session_endpoint", func(t *testing.T) {
		// Typed endpoints and no issuer: nothing to discover.
		p := saveUserProfile(t, repo, "", testidp.PublicClientID, "", func(p *credentials.Profile) {
			p.AuthURL, p.TokenURL, p.Scope = idp.AuthURL, idp.TokenURL, "profile offline_access api:read"
		})
		s := NewService(repo, newFakeBrowser(nil), nil)
		defer s.Close()
		out, err := s.LogoutWith(ctx, p.Name, LogoutOptions{EndIdPSession: true, NoBrowser: true, OnURL: func(string, error) {
			t.Error("a URL was offered for an IdP without RP-initiated logout")
		}})
		if err != nil || out.IdPSession != IdPSessionUnsupported || !strings.Contains(out.Message, "another user") {
			t.Fatalf("got %+v, %v; want unsupported with advice", out, err)
		}
	})

	t.Run("browser never returns", func(t *testing.T) {
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		s := NewService(repo, newFakeBrowser(nil), nil)
		defer s.Close()
		var offered string
		out, err := s.LogoutWith(ctx, p.Name, LogoutOptions{EndIdPSession: true, NoBrowser: true, Timeout: 1500 * time.Millisecond,
			OnURL: func(u string, _ error) { offered = u }})
		if err != nil || out.IdPSession != IdPSessionUnknown || offered == "" || !strings.Contains(out.Message, "Logged out here") {
			t.Fatalf("got %+v, %v (offered %q); want unknown after the timeout", out, err, offered)
		}
	})
}

func TestAnotherUserPrompt(t *testing.T) {
	if got := anotherUserPrompt(Endpoints{}); got != "login" {
		t.Errorf("no prompt_values_supported: %q, want login", got)
	}
	if got := anotherUserPrompt(Endpoints{PromptValues: []string{"none", "login", "consent", "select_account"}}); got != "select_account" {
		t.Errorf("select_account advertised: %q", got)
	}
}

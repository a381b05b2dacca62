package oauthflow

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/oauthflow/apicall"
)

// Attacks from issue #18 on discovery, refresh, redirects and the login's
// start address.

// nonLoopbackListener listens on a non-loopback address of this machine
// (a hostile plain-http endpoint); nil when there is none.
func nonLoopbackListener(t *testing.T) net.Listener {
	t.Helper()
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && !ipn.IP.IsLoopback() {
			if ln, err := net.Listen("tcp4", net.JoinHostPort(ipn.IP.String(), "0")); err == nil {
				return ln
			}
		}
	}
	return nil
}

// A discovery document naming a plain-http token endpoint on another
// machine: the client secret is never sent there, and the failure names
// the field.
func TestSecurityHostileDiscovery(t *testing.T) {
	var hits atomic.Int64
	tokenURL := "http://192.0.2.77:9/token" // TEST-NET: nothing answers
	if ln := nonLoopbackListener(t); ln != nil {
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"stolen","token_type":"Bearer","expires_in":300}`))
		}), ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { _ = srv.Close() })
		tokenURL = "http://" + ln.Addr().String() + "/token"
	}
	for _, field := range []string{"token_endpoint", "jwks_uri", "revocation_endpoint", "end_session_endpoint", "device_authorization_endpoint"} {
		t.Run(field, func(t *testing.T) {
			var issuer string
			idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				doc := map[string]any{
					"issuer": issuer, "authorization_endpoint": issuer + "/auth", "token_endpoint": issuer + "/token",
					"jwks_uri": issuer + "/jwks", "response_types_supported": []string{"code"},
					"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"},
				}
				doc[field] = tokenURL
				writeJSON(w, doc)
			}))
			defer idp.Close()
			issuer = idp.URL
			s := ccService(t, testenv.NewMemKeyring())
			p := ccApp("hostile-"+field, "")
			p.IssuerURL = issuer
			p = ccSave(t, s, p, "the-client-secret")
			res, err := s.Test(context.Background(), p.Name)
			if err != nil {
				t.Fatal(err)
			}
			f := res.Failure
			if res.Active() || f == nil || f.Category != CatEndpoint || !strings.Contains(f.Message, field) ||
				!strings.Contains(f.Message, "https") {
				t.Fatalf("hostile discovery (%s): %s %+v", field, res.Status, f)
			}
			if n := hits.Load(); n != 0 {
				t.Fatalf("the plain-http endpoint got %d requests", n)
			}
		})
	}
	t.Run("other host notice", func(t *testing.T) {
		var issuer string
		idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, map[string]any{"issuer": issuer, "authorization_endpoint": issuer + "/auth",
				"token_endpoint": "https://tokens.example.net/token", "jwks_uri": issuer + "/jwks",
				"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
				"id_token_signing_alg_values_supported": []string{"RS256"}})
		}))
		defer idp.Close()
		issuer = idp.URL
		e, err := discover(context.Background(), idp.Client(), issuer)
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Notices) != 1 || !strings.Contains(e.Notices[0], "token_endpoint on tokens.example.net") {
			t.Fatalf("notices %q", e.Notices)
		}
	})
}

// A refresh answered with an ID token for another user is refused and its
// tokens are not kept (OIDC Core §12.2); a login that signs in another user
// than before warns.
func TestSecurityRefreshSubjectSwitch(t *testing.T) {
	op := newFakeOIDC(t)
	op.refresh = true
	s := ccService(t, testenv.NewMemKeyring())
	p := saveUserProfile(t, s.repo, op.srv.URL, "fake-client", "", func(p *credentials.Profile) { p.Resource = "" })
	s.Browser = newFakeBrowser(followRedirect)
	res, err := s.Login(context.Background(), p.Name, LoginOptions{Timeout: 20 * time.Second})
	if err != nil || !res.Active() {
		t.Fatalf("login: %+v %v", res.Failure, err)
	}
	got, _ := s.repo.Get(p.ID)
	if got.Subject != "u-1" {
		t.Fatalf("stored subject %q", got.Subject)
	}
	op.set(func(c map[string]any) { c["sub"] = "u-2"; c["preferred_username"] = "mallory"; delete(c, "nonce") }, nil)
	_, res, err = (protocol{s}).refreshUser(context.Background(), got)
	if err == nil || res.Failure == nil || !strings.Contains(res.Failure.Message, "another user") {
		t.Fatalf("refresh with another sub: %+v %v", res.Failure, err)
	}
	if rt, _ := s.logins.refreshToken(s.repo.Secrets, got); rt != "rt-1" {
		t.Fatalf("the refresh token after a refused refresh is %q", rt)
	}
	// A new login as the other user: accepted (it is a login), with a warning.
	op.set(func(c map[string]any) { c["sub"] = "u-2"; c["preferred_username"] = "mallory" }, nil)
	res, err = s.Login(context.Background(), p.Name, LoginOptions{Timeout: 20 * time.Second})
	if err != nil || !res.Active() || !strings.Contains(strings.Join(res.Warnings, " "), "last logged in as carol") {
		t.Fatalf("re-login as another user: %+v %v %q", res.Failure, err, res.Warnings)
	}
}

// azp: an ID token with several audiences must name this client as azp.
func TestSecurityAZPWithSeveralAudiences(t *testing.T) {
	op := newFakeOIDC(t)
	s := ccService(t, testenv.NewMemKeyring())
	p := saveUserProfile(t, s.repo, op.srv.URL, "fake-client", "", func(p *credentials.Profile) { p.Resource = "" })
	s.Browser = newFakeBrowser(followRedirect)
	op.set(func(c map[string]any) { c["aud"] = []string{"fake-client", "other-client"}; c["azp"] = "other-client" }, nil)
	res, err := s.Login(context.Background(), p.Name, LoginOptions{Timeout: 20 * time.Second})
	if err != nil || res.Active() || res.Failure == nil || !strings.Contains(res.Failure.Message, "azp") {
		t.Fatalf("several audiences, foreign azp: %+v %v", res.Failure, err)
	}
	op.set(func(c map[string]any) { c["aud"] = []string{"fake-client", "other-client"}; c["azp"] = "fake-client" }, nil)
	if res, err := s.Login(context.Background(), p.Name, LoginOptions{Timeout: 20 * time.Second}); err != nil || !res.Active() {
		t.Fatalf("several audiences, our azp: %+v %v", res.Failure, err)
	}
}

// The bearer token never follows an https→http redirect on the same host,
// and is not sent to a plain-http address of another machine.
func TestSecurityTransportHTTPDowngrade(t *testing.T) {
	var plainAuth atomic.Value
	// One host, both schemes: https answers with a redirect to http.
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		if r.URL.Scheme == "https" {
			http.Redirect(rec, r, "http://localhost/api", http.StatusFound)
		} else {
			plainAuth.Store(r.Header.Get("Authorization"))
		}
		resp := rec.Result()
		resp.Request = r
		return resp, nil
	})
	s := ccService(t, testenv.NewMemKeyring())
	p := ccSave(t, s, ccApp("api", "https://idp.example.com/token"), "sec")
	tr := &apicall.Bearer{Source: &profileSource{s: s, ref: p.Name, tok: fixedToken("the-access-token")}, Base: base}
	c := &http.Client{Transport: tr} // the caller's own redirect policy: follow
	resp, err := c.Get("https://localhost/api")
	if err == nil {
		resp.Body.Close()
	}
	if v, _ := plainAuth.Load().(string); strings.Contains(v, "the-access-token") {
		t.Fatal("the bearer token followed an https→http redirect")
	}
	if err == nil || !strings.Contains(err.Error(), "redirected from https to plain http") {
		t.Fatalf("https→http redirect: %v", err)
	}
	// Plain http to another machine: refused before anything is sent.
	u, _ := url.Parse("http://192.0.2.1/api")
	_, err = tr.RoundTrip(&http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}})
	if err == nil || !strings.Contains(err.Error(), "plain-http address of another machine") {
		t.Fatalf("plain http to another machine: %v", err)
	}
	if _, err := s.Request(context.Background(), p.Name, RequestSpec{URL: "http://192.0.2.1/api"}); err == nil ||
		!strings.Contains(err.Error(), "plain-http") {
		t.Fatalf("Request to plain http: %v", err)
	}
}

func fixedToken(access string) *oauth2.Token {
	return &oauth2.Token{AccessToken: access, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The start address works once; a second use stops the login visibly. A
// callback without the start cookie (another browser) stops it too; a
// foreign Host header is answered 421; the callback ends at a clean /done.
func TestSecurityStartAddressAndCallback(t *testing.T) {
	t.Run("second use of the start address", func(t *testing.T) {
		op := newFakeOIDC(t)
		s := ccService(t, testenv.NewMemKeyring())
		p := saveUserProfile(t, s.repo, op.srv.URL, "fake-client", "", func(p *credentials.Profile) { p.Resource = "" })
		urls := make(chan string, 1)
		s.Browser = newFakeBrowser(func(_ context.Context, u string) error { urls <- u; return nil })
		out := make(chan Result, 1)
		go func() {
			res, _ := s.Login(context.Background(), p.Name, LoginOptions{Timeout: 20 * time.Second})
			out <- res
		}()
		start := <-urls
		if _, err := openStart(context.Background(), browserClient(), start); err != nil {
			t.Fatal(err)
		}
		resp, err := browserClient().Get(start)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		res := waitResult(t, out, 10*time.Second)
		if resp.StatusCode != http.StatusConflict || res.Active() || res.Failure == nil ||
			!strings.Contains(res.Failure.Message, "opened a second time") {
			t.Fatalf("second use: %d, %s %+v", resp.StatusCode, res.Status, res.Failure)
		}
	})
	t.Run("callback from another browser", func(t *testing.T) {
		_, redirect, state, out := attackLogin(t, 20*time.Second)
		c := &http.Client{Timeout: 10 * time.Second} // no start cookie
		resp, err := c.Get(callbackURL(redirect, url.Values{"code": {"c"}, "state": {state}}))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		res := waitResult(t, out, 10*time.Second)
		if res.Active() || res.Failure == nil || !strings.Contains(res.Failure.Message, "did not come from the browser") {
			t.Fatalf("cookie-less callback: %s %+v", res.Status, res.Failure)
		}
	})
	t.Run("host header and clean /done", func(t *testing.T) {
		_, redirect, state, out := attackLogin(t, 20*time.Second)
		req, _ := http.NewRequest(http.MethodGet, callbackURL(redirect, url.Values{"code": {"c"}, "state": {state}}), nil)
		req.Host = "rebind.attacker.example:" + redirect.Port()
		b, _ := browsers.Load(redirect.Host)
		client := *b.(*http.Client)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMisdirectedRequest {
			t.Fatalf("foreign Host answered %d, want 421", resp.StatusCode)
		}
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err = client.Get(callbackURL(redirect, url.Values{"code": {"c"}, "state": {state}}))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/done" {
			t.Fatalf("callback answered %d to %q, want 303 to /done", resp.StatusCode, resp.Header.Get("Location"))
		}
		waitResult(t, out, 10*time.Second)
		status, body := fetch(t, "http://"+redirect.Host+"/done")
		if status != http.StatusOK || strings.Contains(body, "code=") {
			t.Fatalf("/done: %d", status)
		}
	})
}

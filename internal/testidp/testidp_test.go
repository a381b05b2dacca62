package testidp_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

type tokenResponse struct {
	status int
	body   map[string]any
}

func (r tokenResponse) str(key string) string { s, _ := r.body[key].(string); return s }

// postToken posts form to the token endpoint; with user set, the client
// authenticates with HTTP Basic.
func postToken(t *testing.T, client *http.Client, tokenURL string, form url.Values, user, secret string) tokenResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(secret))
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := tokenResponse{status: resp.StatusCode}
	if err := json.NewDecoder(resp.Body).Decode(&r.body); err != nil {
		t.Fatalf("token response (HTTP %d): %v", resp.StatusCode, err)
	}
	return r
}

// claims decodes a JWT's payload (no signature check: this tests the IdP).
func claims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	data, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func strings_(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func checkIdentityClaims(t *testing.T, what string, c map[string]any, user string, roles []string) {
	t.Helper()
	if c["preferred_username"] != user {
		t.Errorf("%s preferred_username = %v, want %s", what, c["preferred_username"], user)
	}
	if got := strings_(c["roles"]); !slices.Equal(got, roles) {
		t.Errorf("%s roles = %v, want %v", what, got, roles)
	}
	realm, _ := c["realm_access"].(map[string]any)
	if got := strings_(realm["roles"]); !slices.Equal(got, roles) {
		t.Errorf("%s realm_access.roles = %v, want %v", what, got, roles)
	}
	if c["TenantID"] != testidp.TenantID {
		t.Errorf("%s TenantID = %v, want %s", what, c["TenantID"], testidp.TenantID)
	}
}

func TestClientCredentials(t *testing.T) {
	idp := testidp.Start(t)
	hc := idp.HTTPClient()
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"api:read unknown:scope"}}

	for _, tc := range []struct{ name, user, secret string }{
		{"basic", testidp.AppClientID, testidp.AppClientSecret},
		{"post", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			if tc.user == "" {
				f.Set("client_id", testidp.AppClientID)
				f.Set("client_secret", testidp.AppClientSecret)
			}
			r := postToken(t, hc, idp.TokenURL, f, tc.user, tc.secret)
			if r.status != http.StatusOK {
				t.Fatalf("HTTP %d: %v", r.status, r.body)
			}
			if r.str("scope") != "api:read" {
				t.Errorf("scope = %q, want api:read (unknown scopes dropped)", r.str("scope"))
			}
			c := claims(t, r.str("access_token"))
			if c["aud"] != testidp.Resource || c["client_id"] != testidp.AppClientID || c["iss"] != idp.Issuer {
				t.Errorf("aud/client_id/iss = %v/%v/%v", c["aud"], c["client_id"], c["iss"])
			}
			checkIdentityClaims(t, "access token", c, testidp.AppUsername, testidp.AppRoles)
		})
	}

	s := idp.Stats(t)
	if s.Token != 2 || s.Grants["client_credentials"] != 2 {
		t.Errorf("stats = %+v, want 2 token requests", s)
	}
	idp.Reset(t)
	if s := idp.Stats(t); s.Token != 0 {
		t.Errorf("after Reset: %+v", s)
	}
}

func TestClientCredentialsErrors(t *testing.T) {
	idp := testidp.Start(t, testidp.WithClientSecrets(testidp.AppClientID, "old-secret", "new-secret"))
	hc := idp.HTTPClient()
	cc := url.Values{"grant_type": {"client_credentials"}}

	for _, secret := range []string{"old-secret", "new-secret"} {
		if r := postToken(t, hc, idp.TokenURL, cc, testidp.AppClientID, secret); r.status != http.StatusOK {
			t.Errorf("secret %s: HTTP %d: %v", secret, r.status, r.body)
		}
	}
	r := postToken(t, hc, idp.TokenURL, cc, testidp.AppClientID, testidp.AppClientSecret)
	if r.status != http.StatusUnauthorized || r.str("error") != "invalid_client" {
		t.Errorf("replaced secret: HTTP %d %v, want 401 invalid_client", r.status, r.body)
	}
	r = postToken(t, hc, idp.TokenURL, url.Values{"grant_type": {"client_credentials"}, "scope": {testidp.DisallowedScope}},
		testidp.AppClientID, "new-secret")
	if r.status != http.StatusBadRequest || r.str("error") != "invalid_scope" {
		t.Errorf("disallowed scope: HTTP %d %v, want 400 invalid_scope", r.status, r.body)
	}

	s := idp.Stats(t)
	if s.Token != 4 || s.Grants["client_credentials"] != 2 || s.TokenErrors["invalid_client"] != 1 || s.TokenErrors["invalid_scope"] != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func TestTokenFault(t *testing.T) {
	idp := testidp.Start(t)
	idp.SetTokenFault(t, testidp.Fault{Status: http.StatusServiceUnavailable, Count: 1})
	cc := url.Values{"grant_type": {"client_credentials"}}
	if r := postToken(t, idp.HTTPClient(), idp.TokenURL, cc, testidp.AppClientID, testidp.AppClientSecret); r.status != http.StatusServiceUnavailable {
		t.Errorf("first request: HTTP %d, want 503", r.status)
	}
	if r := postToken(t, idp.HTTPClient(), idp.TokenURL, cc, testidp.AppClientID, testidp.AppClientSecret); r.status != http.StatusOK {
		t.Errorf("second request: HTTP %d, want 200", r.status)
	}
}

// callback is a throwaway loopback redirect URI, like the workbench's.
type callback struct {
	url   string
	query chan url.Values
}

const closingPage = `<!DOCTYPE html><html><body><p>Login complete. You can close this window.</p>
<script>window.close()</script></body></html>`

func startCallback(t *testing.T, page string) *callback {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cb := &callback{url: fmt.Sprintf("http://%s/callback", l.Addr()), query: make(chan url.Values, 1)}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		select {
		case cb.query <- r.URL.Query():
		default:
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return cb
}

type pkce struct{ verifier, challenge string }

func newPKCE() pkce {
	verifier := rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(verifier))
	return pkce{verifier, base64.RawURLEncoding.EncodeToString(sum[:])}
}

func authURL(idp *testidp.IdP, clientID, redirect string, p pkce) string {
	q := url.Values{
		"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirect},
		"scope": {"openid profile api:read"}, "state": {"st-123"},
	}
	if p.challenge != "" {
		q.Set("code_challenge", p.challenge)
		q.Set("code_challenge_method", "S256")
	}
	return idp.AuthURL + "?" + q.Encode()
}

func receive(t *testing.T, cb *callback) url.Values {
	t.Helper()
	select {
	case q := <-cb.query:
		return q
	case <-time.After(5 * time.Second):
		t.Fatal("callback not called")
		return nil
	}
}

// loginPublic logs Username in with PublicClientID (authorization code and
// PKCE through the test browser) and returns the code exchange's answer.
func loginPublic(t *testing.T, idp *testidp.IdP) tokenResponse {
	t.Helper()
	cb := startCallback(t, closingPage)
	p := newPKCE()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	body, err := testidp.BrowserLoginPage(ctx, authURL(idp, testidp.PublicClientID, cb.url, p), testidp.Username, testidp.Password)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "Login complete") {
		t.Errorf("callback page = %q", body)
	}
	q := receive(t, cb)
	if q.Get("state") != "st-123" || q.Get("code") == "" {
		t.Fatalf("callback query = %v", q)
	}

	r := postToken(t, idp.HTTPClient(), idp.TokenURL, url.Values{
		"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {cb.url},
		"client_id": {testidp.PublicClientID}, "code_verifier": {p.verifier},
	}, "", "")
	if r.status != http.StatusOK {
		t.Fatalf("code exchange: HTTP %d %v", r.status, r.body)
	}
	return r
}

// refreshPublic redeems a refresh token of PublicClientID.
func refreshPublic(t *testing.T, hc *http.Client, idp *testidp.IdP, token string) tokenResponse {
	t.Helper()
	return postToken(t, hc, idp.TokenURL, url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {token}, "client_id": {testidp.PublicClientID},
	}, "", "")
}

func TestAuthCodePKCEAndRefresh(t *testing.T) {
	idp := testidp.Start(t)
	hc := idp.HTTPClient()
	r := loginPublic(t, idp)
	idc := claims(t, r.str("id_token"))
	checkIdentityClaims(t, "id token", idc, testidp.Username, testidp.UserRoles)
	if idc["sub"] != testidp.Username || idc["aud"] != testidp.PublicClientID {
		t.Errorf("id token sub/aud = %v/%v", idc["sub"], idc["aud"])
	}
	atc := claims(t, r.str("access_token"))
	checkIdentityClaims(t, "access token", atc, testidp.Username, testidp.UserRoles)
	if atc["aud"] != testidp.Resource || atc["scope"] != "api:read" {
		t.Errorf("access token aud/scope = %v/%v", atc["aud"], atc["scope"])
	}

	// Refresh tokens rotate: the old one is dead after use.
	rt := r.str("refresh_token")
	if rt == "" {
		t.Fatalf("no refresh token: %v", r.body)
	}
	refresh := func(token string) tokenResponse { return refreshPublic(t, hc, idp, token) }
	r2 := refresh(rt)
	if r2.status != http.StatusOK || r2.str("refresh_token") == "" || r2.str("refresh_token") == rt {
		t.Fatalf("refresh: HTTP %d %v", r2.status, r2.body)
	}
	if c := claims(t, r2.str("access_token")); c["preferred_username"] != testidp.Username {
		t.Errorf("refreshed access token claims = %v", c)
	}
	if r3 := refresh(rt); r3.status != http.StatusBadRequest || r3.str("error") != "invalid_grant" {
		t.Errorf("reused refresh token: HTTP %d %v, want invalid_grant", r3.status, r3.body)
	}

	// Revocation (logout).
	resp, err := hc.PostForm(idp.RevocationURL, url.Values{
		"token": {r2.str("refresh_token")}, "client_id": {testidp.PublicClientID},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("revocation: HTTP %d", resp.StatusCode)
	}
	if r4 := refresh(r2.str("refresh_token")); r4.str("error") != "invalid_grant" {
		t.Errorf("revoked refresh token: %v", r4.body)
	}

	s := idp.Stats(t)
	if s.Authorization != 1 || s.LoginSucceeded != 1 || s.Token != 4 || s.Revocation != 1 ||
		s.Grants["authorization_code"] != 1 || s.Grants["refresh_token"] != 1 {
		t.Errorf("stats = %+v", s)
	}
}

// Reuse detection: redeeming a rotated-out refresh token revokes the grant,
// so the token its first redemption issued is dead too. AnswerDelay: the
// IdP rotates at once and only answers late, so a client that gives up
// meanwhile holds a used token.
func TestRefreshReuseRevokesSessionAndSlowAnswer(t *testing.T) {
	idp := testidp.Start(t)
	hc := idp.HTTPClient()
	rt := loginPublic(t, idp).str("refresh_token")
	r2 := refreshPublic(t, hc, idp, rt)
	if r2.status != http.StatusOK {
		t.Fatalf("refresh: HTTP %d %v", r2.status, r2.body)
	}
	if r := refreshPublic(t, hc, idp, rt); r.str("error") != "invalid_grant" {
		t.Fatalf("reused refresh token: HTTP %d %v", r.status, r.body)
	}
	if r := refreshPublic(t, hc, idp, r2.str("refresh_token")); r.str("error") != "invalid_grant" {
		t.Fatalf("after a reuse the rotated token still works: HTTP %d %v", r.status, r.body)
	}

	rt = loginPublic(t, idp).str("refresh_token")
	idp.Reset(t)
	idp.SetTokenFault(t, testidp.Fault{AnswerDelay: 3 * time.Second, Count: 1})
	impatient := idp.HTTPClient()
	impatient.Timeout = 500 * time.Millisecond
	start := time.Now()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {testidp.PublicClientID}}
	if resp, err := impatient.PostForm(idp.TokenURL, form); err == nil {
		resp.Body.Close()
		t.Fatalf("the answer came after %s, want it held back 3 s", time.Since(start))
	}
	if g := idp.Stats(t).Grants["refresh_token"]; g != 1 {
		t.Fatalf("the IdP carried out %d redemptions before answering, want 1", g)
	}
	if r := refreshPublic(t, hc, idp, rt); r.str("error") != "invalid_grant" {
		t.Fatalf("the refresh token was not rotated by the abandoned redemption: HTTP %d %v", r.status, r.body)
	}
}

func TestConfidentialUserClient(t *testing.T) {
	idp := testidp.Start(t)
	cb := startCallback(t, closingPage)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// PKCE is optional for confidential clients.
	if err := idp.Browser(testidp.Username2, testidp.Password2)(ctx, authURL(idp, testidp.ConfidentialClientID, cb.url, pkce{})); err != nil {
		t.Fatal(err)
	}
	q := receive(t, cb)
	r := postToken(t, idp.HTTPClient(), idp.TokenURL, url.Values{
		"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {cb.url},
	}, testidp.ConfidentialClientID, testidp.ConfidentialClientSecret)
	if r.status != http.StatusOK || r.str("refresh_token") == "" {
		t.Fatalf("code exchange: HTTP %d %v", r.status, r.body)
	}
	checkIdentityClaims(t, "access token", claims(t, r.str("access_token")), testidp.Username2, []string{"viewer"})
}

func TestLoginErrors(t *testing.T) {
	idp := testidp.Start(t)
	cb := startCallback(t, closingPage)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	err := testidp.BrowserLogin(ctx, authURL(idp, testidp.PublicClientID, cb.url, newPKCE()), testidp.Username, "wrong")
	if !errors.Is(err, testidp.ErrLoginRejected) {
		t.Errorf("wrong password: err = %v, want ErrLoginRejected", err)
	}
	if s := idp.Stats(t); s.LoginFailed != 1 || s.LoginSucceeded != 0 {
		t.Errorf("stats = %+v", s)
	}

	// The public client must use PKCE: the IdP sends the error to the redirect URI.
	if err := testidp.BrowserLogin(ctx, authURL(idp, testidp.PublicClientID, cb.url, pkce{}), testidp.Username, testidp.Password); err != nil {
		t.Fatal(err)
	}
	if q := receive(t, cb); q.Get("error") != "invalid_request" {
		t.Errorf("without PKCE: callback query = %v, want error=invalid_request", q)
	}
}

func TestProxy(t *testing.T) {
	idp := testidp.Start(t)
	proxy := testidp.StartProxy(t, testidp.WithProxyAuth("proxyuser", "proxypass"))
	cc := url.Values{"grant_type": {"client_credentials"}}

	via := func(u *url.URL) *http.Client {
		return &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(u)}}
	}
	r := postToken(t, via(proxy.URLWithCredentials()), idp.TokenURL, cc, testidp.AppClientID, testidp.AppClientSecret)
	if r.status != http.StatusOK {
		t.Fatalf("via proxy: HTTP %d %v", r.status, r.body)
	}
	want := "POST " + idp.TokenURL + " HTTP/1.1"
	if reqs := proxy.Requests(t); !slices.Contains(reqs, want) {
		t.Errorf("proxy requests = %q, want %q", reqs, want)
	}
	if n := proxy.Forwarded(t); n != 1 {
		t.Errorf("forwarded = %d, want 1", n)
	}

	// Without credentials: 407, nothing forwarded.
	resp, err := via(proxy.URL).Get(idp.DiscoveryURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusProxyAuthRequired {
		t.Errorf("without proxy credentials: HTTP %d, want 407", resp.StatusCode)
	}
	if n := proxy.Forwarded(t); n != 1 {
		t.Errorf("forwarded = %d, want still 1", n)
	}
	if s := idp.Stats(t); s.Token != 1 {
		t.Errorf("IdP token requests = %d, want 1", s.Token)
	}
}

func TestTLS(t *testing.T) {
	idp := testidp.Start(t, testidp.WithTLS())
	if !strings.HasPrefix(idp.Issuer, "https://127.0.0.1:") || !strings.HasPrefix(idp.TokenURL, "https://") || idp.CAFile == "" {
		t.Fatalf("issuer %s, token URL %s, CA file %q", idp.Issuer, idp.TokenURL, idp.CAFile)
	}
	cc := url.Values{"grant_type": {"client_credentials"}}
	if r := postToken(t, idp.HTTPClient(), idp.TokenURL, cc, testidp.AppClientID, testidp.AppClientSecret); r.status != http.StatusOK {
		t.Fatalf("HTTP %d %v", r.status, r.body)
	}
	var unknown x509.UnknownAuthorityError
	if _, err := http.Get(idp.DiscoveryURL); !errors.As(err, &unknown) {
		t.Errorf("without the CA: err = %v, want UnknownAuthorityError", err)
	}

	t.Run("through proxy", func(t *testing.T) {
		proxy := testidp.StartProxy(t)
		hc := idp.HTTPClient()
		hc.Transport.(*http.Transport).Proxy = http.ProxyURL(proxy.URL)
		if r := postToken(t, hc, idp.TokenURL, cc, testidp.AppClientID, testidp.AppClientSecret); r.status != http.StatusOK {
			t.Fatalf("HTTP %d %v", r.status, r.body)
		}
		want := "CONNECT " + strings.TrimPrefix(idp.Issuer, "https://") + " HTTP/1.1"
		if reqs := proxy.Requests(t); !slices.Contains(reqs, want) {
			t.Errorf("proxy requests = %q, want %q", reqs, want)
		}
	})

	t.Run("browser login", func(t *testing.T) {
		cb := startCallback(t, closingPage)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := idp.Browser(testidp.Username, testidp.Password)(ctx, authURL(idp, testidp.PublicClientID, cb.url, newPKCE())); err != nil {
			t.Fatal(err)
		}
		if q := receive(t, cb); q.Get("code") == "" {
			t.Errorf("callback query = %v", q)
		}
	})

	t.Run("wrong host", func(t *testing.T) {
		bad := testidp.Start(t, testidp.WithTLSWrongHost())
		var hostErr x509.HostnameError
		if _, err := bad.HTTPClient().Get(bad.DiscoveryURL); !errors.As(err, &hostErr) {
			t.Errorf("err = %v, want HostnameError", err)
		}
	})

	t.Run("expired", func(t *testing.T) {
		bad := testidp.Start(t, testidp.WithTLSExpired())
		var invalid x509.CertificateInvalidError
		if _, err := bad.HTTPClient().Get(bad.DiscoveryURL); !errors.As(err, &invalid) || invalid.Reason != x509.Expired {
			t.Errorf("err = %v, want expired certificate", err)
		}
	})
}

func TestChromiumLogin(t *testing.T) {
	idp := testidp.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	t.Run("closing page", func(t *testing.T) {
		cb := startCallback(t, closingPage)
		p := newPKCE()
		res, err := testidp.ChromiumLoginPage(ctx, authURL(idp, testidp.PublicClientID, cb.url, p), testidp.Username, testidp.Password)
		if err != nil {
			t.Fatal(err)
		}
		if !res.CloseAttempted || !strings.Contains(res.Text, "Login complete") {
			t.Errorf("result = %+v", res)
		}
		q := receive(t, cb)
		r := postToken(t, idp.HTTPClient(), idp.TokenURL, url.Values{
			"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {cb.url},
			"client_id": {testidp.PublicClientID}, "code_verifier": {p.verifier},
		}, "", "")
		if r.status != http.StatusOK {
			t.Errorf("code exchange: HTTP %d %v", r.status, r.body)
		}
	})

	t.Run("page stays open", func(t *testing.T) {
		cb := startCallback(t, "<html><body>Done.</body></html>")
		closed, err := testidp.ChromiumLogin(ctx, authURL(idp, testidp.PublicClientID, cb.url, newPKCE()), testidp.Username, testidp.Password)
		if err != nil || closed {
			t.Errorf("closeAttempted = %v, err = %v; want false, nil", closed, err)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		cb := startCallback(t, closingPage)
		_, err := testidp.ChromiumLogin(ctx, authURL(idp, testidp.PublicClientID, cb.url, newPKCE()), testidp.Username, "nope")
		if !errors.Is(err, testidp.ErrLoginRejected) {
			t.Errorf("err = %v, want ErrLoginRejected", err)
		}
	})
}

package oauthflow

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/credentials/credtest"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
	"github.com/credworkbench/credworkbench/oauthflow/idp/idptest"
)

// loginRepo is a repository in a temporary directory backed by the real
// Secret Service (make test runs it inside dbus-run-session). Outside make
// test, without CREDWB_KEYRING=real, the test is skipped.
func loginRepo(t *testing.T) *credentials.Repository {
	t.Helper()
	requireKeyring(t)
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	return credtest.Repository(t, nil, credtest.InDir(dir))
}

func requireKeyring(t *testing.T) {
	t.Helper()
	testenv.RequireKeyring(t)
}

// saveUserProfile stores a User profile for the IdP; secret "" is a public client.
func saveUserProfile(t *testing.T, repo *credentials.Repository, issuer, clientID, secret string, mod func(*credentials.Profile)) credentials.Profile {
	t.Helper()
	p := credentials.Profile{
		Name: "user " + clientID, Type: credentials.TypeUser, IssuerURL: issuer, ClientID: clientID,
		Scope: "openid profile offline_access api:read", Resource: testidp.Resource,
	}
	if mod != nil {
		mod(&p)
	}
	ch := credentials.SecretChange{}
	if secret != "" {
		ch.ClientSecret = credentials.Secret(secret)
	}
	saved, err := repo.Save(p, ch)
	if err != nil {
		t.Fatalf("saving the profile: %v", err)
	}
	t.Cleanup(func() { _ = repo.Delete(saved.ID) }) // no keyring entries left behind
	return saved
}

// fakeBrowser is the Browser the tests inject: Open hands the URL to a
// function running in its own goroutine, like a real browser would.
type fakeBrowser struct {
	do      func(ctx context.Context, authURL string) error
	openErr error // returned by Open (the browser "cannot be opened")
	mu      sync.Mutex
	opened  []string
	errs    chan error
}

func newFakeBrowser(do func(ctx context.Context, authURL string) error) *fakeBrowser {
	return &fakeBrowser{do: do, errs: make(chan error, 4)}
}

func (b *fakeBrowser) Open(u string) error {
	b.mu.Lock()
	b.opened = append(b.opened, u)
	b.mu.Unlock()
	if b.openErr != nil {
		return b.openErr
	}
	if b.do != nil {
		go func() { b.errs <- b.do(context.Background(), u) }()
	}
	return nil
}

func (b *fakeBrowser) openCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.opened)
}

// browserResult waits for the browser goroutine's outcome.
func (b *fakeBrowser) browserResult(t *testing.T) error {
	t.Helper()
	select {
	case err := <-b.errs:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("the browser did not finish")
		return nil
	}
}

var (
	browserClient = idptest.Browser
	openStart     = idptest.OpenStart
)

// redirectOf is the login's redirect URI, from its start address.
func redirectOf(startURL string) string {
	u, err := url.Parse(startURL)
	if err != nil {
		return ""
	}
	return "http://" + u.Host + "/callback"
}

// callbackWith is a "browser" that skips the IdP and calls the redirect URI
// with the given parameters; state "=" means the login's own state.
func callbackWith(params url.Values) func(ctx context.Context, authURL string) error {
	return func(ctx context.Context, startURL string) error {
		client := browserClient()
		authURL, err := openStart(ctx, client, startURL)
		if err != nil {
			return err
		}
		u, err := url.Parse(authURL)
		if err != nil {
			return err
		}
		q := u.Query()
		cb, err := url.Parse(q.Get("redirect_uri"))
		if err != nil {
			return err
		}
		out := url.Values{}
		for k, v := range params {
			out[k] = v
		}
		if out.Get("state") == "=" {
			out.Set("state", q.Get("state"))
		}
		cb.RawQuery = out.Encode()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, cb.String(), nil)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		// A browser loads the result page the callback sends it to; else the
		// listener waits DoneLinger for it at Close.
		return followDone(ctx, client, cb, resp)
	}
}

// eventLog collects a service's events.
type eventLog struct {
	mu     sync.Mutex
	events []Event
}

func subscribe(t *testing.T, s *Service) *eventLog {
	l := &eventLog{}
	cancel := s.Subscribe(func(e Event) {
		l.mu.Lock()
		l.events = append(l.events, e)
		l.mu.Unlock()
	})
	t.Cleanup(cancel)
	return l
}

// waitFor waits until an event of kind arrives and returns it.
func (l *eventLog) waitFor(t *testing.T, kind EventKind) Event {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		for _, e := range l.events {
			if e.Kind == kind {
				l.mu.Unlock()
				return e
			}
		}
		l.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %q event", kind)
	return Event{}
}

// fakeOIDC is a minimal OpenID provider whose ID tokens can be made wrong
// (nonce, audience, signing key, expiry), which the real IdP never does.
type fakeOIDC struct {
	srv      *httptest.Server
	key      *rsa.PrivateKey
	wrongKey *rsa.PrivateKey

	mu     sync.Mutex
	nonces map[string]string // code → nonce of the authorization request
	// idToken edits the claims of the next ID token; signWith picks the key.
	idToken  func(claims map[string]any)
	signWith *rsa.PrivateKey
	// refresh: logins get refresh token "rt-1", which the refresh_token
	// grant accepts (its ID token is edited like a login's).
	refresh bool
}

func newFakeOIDC(t *testing.T) *fakeOIDC {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeOIDC{key: key, wrongKey: other, nonces: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"issuer": f.srv.URL, "authorization_endpoint": f.srv.URL + "/auth", "token_endpoint": f.srv.URL + "/token",
			"jwks_uri": f.srv.URL + "/jwks", "response_types_supported": []string{"code"},
			"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		pub := f.key.PublicKey
		writeJSON(w, map[string]any{"keys": []any{map[string]any{
			"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
			"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
		}}})
	})
	// The authorization endpoint answers at once for "the user".
	mux.HandleFunc("GET /auth", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		code := idp.RandomToken()
		f.mu.Lock()
		f.nonces[code] = q.Get("nonce")
		f.mu.Unlock()
		back, _ := url.Parse(q.Get("redirect_uri"))
		back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}, "iss": {f.srv.URL}}.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.mu.Lock()
		nonce, ok := f.nonces[r.PostForm.Get("code")]
		delete(f.nonces, r.PostForm.Get("code"))
		edit, signer, refresh := f.idToken, f.signWith, f.refresh
		f.mu.Unlock()
		if refresh && r.PostForm.Get("grant_type") == "refresh_token" && r.PostForm.Get("refresh_token") == "rt-1" {
			ok, nonce = true, ""
		}
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]any{"error": "invalid_grant"})
			return
		}
		now := time.Now()
		claims := map[string]any{
			"iss": f.srv.URL, "sub": "u-1", "aud": r.PostForm.Get("client_id"), "nonce": nonce,
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "preferred_username": "carol", "roles": []string{"auditor"},
		}
		if edit != nil {
			edit(claims)
		}
		if signer == nil {
			signer = f.key
		}
		out := map[string]any{
			"access_token": "opaque-access-token", "token_type": "Bearer", "expires_in": 3600,
			"id_token": signJWT(signer, claims),
		}
		if refresh {
			out["refresh_token"] = "rt-1"
		}
		writeJSON(w, out)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeOIDC) set(edit func(map[string]any), signer *rsa.PrivateKey) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.idToken, f.signWith = edit, signer
}

// followRedirect is a "browser" for fakeOIDC: it loads the authorization
// URL and follows the redirect to the listener.
func followRedirect(ctx context.Context, startURL string) error {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, startURL, nil)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusBadRequest {
		return errors.New("callback answered " + resp.Status)
	}
	return nil
}

func signJWT(key *rsa.PrivateKey, claims map[string]any) string {
	h, _ := json.Marshal(map[string]any{"alg": "RS256", "kid": "k1", "typ": "JWT"})
	c, _ := json.Marshal(claims)
	input := b64(h) + "." + b64(c)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return input + "." + b64(sig)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// followDone loads the loopback listener's /done page when resp (the
// callback's answer) redirects there, as a browser does.
func followDone(ctx context.Context, client *http.Client, cb *url.URL, resp *http.Response) error {
	if resp.StatusCode/100 != 3 {
		return nil
	}
	done, err := cb.Parse(resp.Header.Get("Location"))
	if err != nil || done.Host != cb.Host {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, done.String(), nil)
	if err != nil {
		return err
	}
	resp, err = client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

package oauthflow

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// parBrowser logs in as alice and records the authorization URL the
// browser was sent to.
type parBrowser struct {
	mu   sync.Mutex
	urls []*url.URL
}

func (b *parBrowser) login(ctx context.Context, start string) error {
	return testidp.BrowserLogin(ctx, start, testidp.Username, testidp.Password, testidp.WithAuthURL(func(u *url.URL) {
		b.mu.Lock()
		b.urls = append(b.urls, u)
		b.mu.Unlock()
	}))
}

func (b *parBrowser) lastQuery(t *testing.T) url.Values {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.urls) == 0 {
		t.Fatal("the browser was not sent to the IdP")
	}
	return b.urls[len(b.urls)-1].Query()
}

func loginResult(t *testing.T, s *Service, name string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := s.Login(ctx, name, LoginOptions{})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	return res
}

func queryKeys(q url.Values) []string {
	var keys []string
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestLoginPAR: the browser login through pushed authorization requests
// (RFC 9126) and signed request objects (RFC 9101) against oidc-provider
// with both switched on, and the diagnoses when they are missing.
func TestLoginPAR(t *testing.T) {
	requireKeyring(t)
	km := pkGenerate(t)
	idp := testidp.Start(t, testidp.WithPAR(testidp.PARSettings{}), testidp.WithClient(testidp.PARClient()),
		testidp.WithClient(testidp.RequestObjectClient(pkJWK(t, km))))

	t.Run("PAR: the browser URL carries only client_id and request_uri", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PARClientID, "", func(p *credentials.Profile) { p.PAR = true })
		b := &parBrowser{}
		s := NewService(repo, newFakeBrowser(b.login), nil)
		defer s.Close()
		before := idp.PARStats(t).Pushed
		assertAlice(t, loginOK(t, s, p.Name, LoginOptions{}))
		q := b.lastQuery(t)
		if got := queryKeys(q); !slices.Equal(got, []string{"client_id", "request_uri"}) {
			t.Errorf("authorization URL parameters %v, want only client_id and request_uri", got)
		}
		if !strings.HasPrefix(q.Get("request_uri"), "urn:ietf:params:oauth:request_uri:") {
			t.Errorf("request_uri %q", q.Get("request_uri"))
		}
		if n := idp.PARStats(t).Pushed - before; n != 1 {
			t.Errorf("pushed requests %d, want 1", n)
		}
	})

	t.Run("a client that requires PAR, without it: our diagnosis", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PARClientID, "", nil)
		s := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
		defer s.Close()
		res := loginResult(t, s, p.Name)
		if res.Active() || res.Failure == nil || !strings.Contains(res.Failure.Message, "--par") {
			t.Fatalf("login without PAR: %s %v, want a failure saying to turn on --par", res.Status, res.Failure)
		}
	})

	t.Run("request object inside PAR, signed with the profile's key", func(t *testing.T) {
		repo := loginRepo(t)
		p := savePKUser(t, repo, idp.Issuer, testidp.RequestObjectClientID, km, func(p *credentials.Profile) { p.PAR, p.RequestObject = true, true })
		b := &parBrowser{}
		s := NewService(repo, newFakeBrowser(b.login), nil)
		defer s.Close()
		before := idp.PARStats(t)
		assertAlice(t, loginOK(t, s, p.Name, LoginOptions{}))
		after := idp.PARStats(t)
		if after.WithRequest-before.WithRequest != 1 {
			t.Errorf("pushed request objects %d, want 1", after.WithRequest-before.WithRequest)
		}
		if got := queryKeys(b.lastQuery(t)); !slices.Equal(got, []string{"client_id", "request_uri"}) {
			t.Errorf("authorization URL parameters %v", got)
		}
	})

	t.Run("request object in the browser URL (no PAR)", func(t *testing.T) {
		repo := loginRepo(t)
		p := savePKUser(t, repo, idp.Issuer, testidp.RequestObjectClientID, km, func(p *credentials.Profile) { p.RequestObject = true })
		b := &parBrowser{}
		s := NewService(repo, newFakeBrowser(b.login), nil)
		defer s.Close()
		assertAlice(t, loginOK(t, s, p.Name, LoginOptions{}))
		q := b.lastQuery(t)
		if q.Get("request") == "" || q.Get("state") != "" || q.Get("code_challenge") != "" {
			t.Errorf("authorization URL %v: want the parameters inside the request object", queryKeys(q))
		}
	})

	t.Run("a client that requires request objects, without one: our diagnosis", func(t *testing.T) {
		repo := loginRepo(t)
		p := savePKUser(t, repo, idp.Issuer, testidp.RequestObjectClientID, km, nil)
		s := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
		defer s.Close()
		res := loginResult(t, s, p.Name)
		if res.Active() || res.Failure == nil || !strings.Contains(res.Failure.Message, "--request-object") {
			t.Fatalf("login without a request object: %s %v", res.Status, res.Failure)
		}
	})

	t.Run("request object without a key: says what to do", func(t *testing.T) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", func(p *credentials.Profile) { p.RequestObject = true })
		s := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
		defer s.Close()
		res := loginResult(t, s, p.Name)
		if res.Active() || res.Failure == nil || !strings.Contains(res.Failure.Message, "credctl certificate new") ||
			!strings.Contains(res.Failure.Message, "request object") {
			t.Fatalf("request object without a key: %s %v", res.Status, res.Failure)
		}
	})
}

// TestLoginPARFromDiscovery: an IdP whose discovery requires PAR gets it
// without the profile asking; a profile that asks for PAR at an IdP
// without the endpoint is refused clearly.
func TestLoginPARFromDiscovery(t *testing.T) {
	requireKeyring(t)
	t.Run("required by discovery", func(t *testing.T) {
		idp := testidp.Start(t, testidp.WithPAR(testidp.PARSettings{Require: true}))
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		b := &parBrowser{}
		s := NewService(repo, newFakeBrowser(b.login), nil)
		defer s.Close()
		assertAlice(t, loginOK(t, s, p.Name, LoginOptions{}))
		if b.lastQuery(t).Get("request_uri") == "" || idp.PARStats(t).Pushed != 1 {
			t.Errorf("PAR not used though discovery requires it: %v", queryKeys(b.lastQuery(t)))
		}
	})
	t.Run("no PAR endpoint", func(t *testing.T) {
		idp := testidp.Start(t, testidp.WithPAR(testidp.PARSettings{Off: true}))
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", func(p *credentials.Profile) { p.PAR = true })
		br := newFakeBrowser(idp.Browser(testidp.Username, testidp.Password))
		s := NewService(repo, br, nil)
		defer s.Close()
		res := loginResult(t, s, p.Name)
		if res.Active() || res.Failure == nil || !strings.Contains(res.Failure.Message, "pushed_authorization_request_endpoint") {
			t.Fatalf("PAR without an endpoint: %s %v", res.Status, res.Failure)
		}
		if br.openCount() != 0 {
			t.Error("the browser was opened although the login could not start")
		}
	})
}

// savePKUser stores a private_key_jwt User profile with km's certificate and key.
func savePKUser(t *testing.T, repo *credentials.Repository, issuer, clientID string, km credentials.KeyMaterial, mod func(*credentials.Profile)) credentials.Profile {
	t.Helper()
	enc, err := credentials.EncodePrivateKey(km.Key)
	if err != nil {
		t.Fatal(err)
	}
	p := credentials.Profile{
		Name: "pk " + clientID, Type: credentials.TypeUser, IssuerURL: issuer, ClientID: clientID,
		Scope: "openid profile offline_access api:read", Resource: testidp.Resource,
		AuthMethod: credentials.AuthPrivateKeyJWT, Certificate: credentials.CertificatePEM(km.Cert),
	}
	if mod != nil {
		mod(&p)
	}
	saved, err := repo.Save(p, credentials.SecretChange{PrivateKey: credentials.Secret(enc)})
	if err != nil {
		t.Fatalf("saving: %v", err)
	}
	t.Cleanup(func() { _ = repo.Delete(saved.ID) })
	return saved
}

package oauthflow

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/credentials/credtest"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// ---- helpers shared by the client-credentials tests (cc prefix: login
// tests live in the same package) ----

// ccRealKeyring says whether tests use the OS keyring; tests that must run
// against it skip with a message outside `make test`.
func ccRealKeyring(t testing.TB) bool {
	t.Helper()
	return os.Getenv("CREDWB_KEYRING") == "real"
}

func ccRequireRealKeyring(t testing.TB) {
	t.Helper()
	testenv.RequireKeyring(t)
}

// ccService builds a Service on a store in a temp dir. kr nil = the OS
// keyring. HOME and XDG_CONFIG_HOME point to temp dirs.
func ccService(t testing.TB, kr credentials.Keyring) *Service {
	t.Helper()
	dir := t.TempDir()
	if tt, ok := t.(*testing.T); ok {
		tt.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
		if !ccRealKeyring(t) {
			tt.Setenv("HOME", dir)
		}
	}
	s := NewService(credtest.Repository(t, kr, credtest.InDir(dir)), nil, nil)
	t.Cleanup(s.Close)
	return s
}

// ccApp is an Application profile for the test IdP's app client.
func ccApp(name, tokenURL string) credentials.Profile {
	return credentials.Profile{
		Name: name, Type: credentials.TypeApplication, TokenURL: tokenURL,
		ClientID: testidp.AppClientID, Scope: "api:read",
		RefreshInterval: credentials.Duration(5 * time.Minute),
	}
}

func ccSave(t testing.TB, s *Service, p credentials.Profile, secret string) credentials.Profile {
	t.Helper()
	saved, err := s.Save(p, credentials.SecretChange{ClientSecret: credentials.Secret(secret)})
	if err != nil {
		t.Fatalf("save %s: %v", p.Name, err)
	}
	t.Cleanup(func() { _ = s.repo.Secrets.Delete(saved.ID, credentials.ClientSecret) })
	return saved
}

func ccTest(t testing.TB, s *Service, name string) Result {
	t.Helper()
	res, err := s.Test(context.Background(), name)
	if err != nil {
		t.Fatalf("Test(%s): %v", name, err)
	}
	return res
}

func ccWantActive(t testing.TB, res Result) {
	t.Helper()
	if !res.Active() {
		t.Fatalf("status %s, want Active; failure: %v", res.Status, res.Failure)
	}
}

func ccWantFailed(t testing.TB, res Result, cat Category) *Failure {
	t.Helper()
	if res.Status != credentials.StatusFailed || res.Failure == nil {
		t.Fatalf("status %s, want Failed/%s", res.Status, cat)
	}
	if res.Failure.Category != cat {
		t.Fatalf("category %s, want %s; failure: %v", res.Failure.Category, cat, res.Failure)
	}
	if res.Failure.Message == "" || res.Failure.Advice() == "" && cat != CatCancelled {
		t.Fatalf("failure without message or advice: %+v", res.Failure)
	}
	return res.Failure
}

// ---- tests ----

// The main flow against the real IdP and the real keyring: both client
// authentication methods reach Active, bookkeeping is recorded and the
// token's claims are read through the profile's claim paths.
func TestClientCredentialsBasicAndPost(t *testing.T) {
	ccRequireRealKeyring(t)
	idp := testidp.Shared(t)
	s := ccService(t, nil)
	for _, m := range []credentials.AuthMethod{credentials.AuthBasic, credentials.AuthPost} {
		t.Run(string(m), func(t *testing.T) {
			idp.Reset(t)
			p := ccApp("app "+string(m), idp.TokenURL)
			p.AuthMethod = m
			p.Scope = "api:read api:write"
			p.TenantClaim = "$.TenantID"
			p = ccSave(t, s, p, testidp.AppClientSecret)
			if st, _ := s.Status(p.Name); st.Status != credentials.StatusUntested {
				t.Fatalf("status before test %s, want Untested", st.Status)
			}
			res := ccTest(t, s, p.Name)
			ccWantActive(t, res)
			if d := time.Until(res.Expiry); d < 50*time.Minute || d > 61*time.Minute {
				t.Errorf("expiry in %v, want about 1h", d)
			}
			ti := res.Token
			if ti == nil || ti.Opaque {
				t.Fatalf("token info %+v, want a decoded JWT", ti)
			}
			if ti.Username != testidp.AppUsername || strings.Join(ti.Roles, ",") != strings.Join(testidp.AppRoles, ",") || ti.Tenant != testidp.TenantID {
				t.Errorf("username %q roles %v tenant %q", ti.Username, ti.Roles, ti.Tenant)
			}
			if strings.Join(ti.Scopes, " ") != "api:read api:write" || len(ti.Audience) != 1 || ti.Audience[0] != testidp.Resource {
				t.Errorf("scopes %v audience %v", ti.Scopes, ti.Audience)
			}
			st := idp.Stats(t)
			if st.Token != 1 || st.Grants["client_credentials"] != 1 {
				t.Errorf("IdP saw %d token requests, %v grants; want 1 client_credentials", st.Token, st.Grants)
			}
			stored, err := s.repo.Get(p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.LastStatus != credentials.StatusActive || stored.TokenExpiry.IsZero() || stored.LastChecked.IsZero() || stored.LastError != "" {
				t.Errorf("bookkeeping %+v", stored.Bookkeeping)
			}
			if st, _ := s.Status(p.Name); !st.Active() {
				t.Errorf("Status after test: %s", st.Status)
			}
		})
	}
}

// What goes over the wire: basic puts the credentials in the header only,
// post in the body only; audience, resource and scope are sent; renewals
// keep the chosen method.
func TestClientAuthOnTheWire(t *testing.T) {
	type seen struct {
		user, pass string
		hasBasic   bool
		form       map[string]string
	}
	var mu sync.Mutex
	var reqs []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		u, p, ok := r.BasicAuth()
		f := map[string]string{}
		for k := range r.PostForm {
			f[k] = r.PostForm.Get(k)
		}
		mu.Lock()
		reqs = append(reqs, seen{u, p, ok, f})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"opaque-token","token_type":"Bearer","expires_in":3600}`))
	}))
	defer srv.Close()
	s := ccService(t, testenv.NewMemKeyring())
	for _, m := range []credentials.AuthMethod{credentials.AuthBasic, credentials.AuthPost} {
		mu.Lock()
		reqs = nil
		mu.Unlock()
		p := ccApp("wire "+string(m), srv.URL+"/token")
		p.AuthMethod, p.Audience, p.Resource, p.Scope = m, "my-audience", "https://api.example.test", "a b"
		p = ccSave(t, s, p, "s3cr3t")
		res := ccTest(t, s, p.Name)
		ccWantActive(t, res)
		if res.Token == nil || !res.Token.Opaque {
			t.Errorf("opaque token not reported as opaque: %+v", res.Token)
		}
		// A renewal (forced: Test again) uses the same method.
		ccWantActive(t, ccTest(t, s, p.Name))
		mu.Lock()
		got := append([]seen(nil), reqs...)
		mu.Unlock()
		if len(got) != 2 {
			t.Fatalf("%s: %d requests, want 2", m, len(got))
		}
		for _, r := range got {
			if r.form["grant_type"] != "client_credentials" || r.form["audience"] != "my-audience" ||
				r.form["resource"] != "https://api.example.test" || r.form["scope"] != "a b" {
				t.Errorf("%s: form %v", m, r.form)
			}
			switch m {
			case credentials.AuthBasic:
				if !r.hasBasic || r.user != testidp.AppClientID || r.pass != "s3cr3t" || r.form["client_secret"] != "" {
					t.Errorf("basic: header %v %q, form %v", r.hasBasic, r.user, r.form)
				}
			case credentials.AuthPost:
				if r.hasBasic || r.form["client_id"] != testidp.AppClientID || r.form["client_secret"] != "s3cr3t" {
					t.Errorf("post: header %v, form %v", r.hasBasic, r.form)
				}
			}
		}
	}
}

func TestClientCredentialsRefusals(t *testing.T) {
	idp := testidp.Shared(t)
	s := ccService(t, testenv.NewMemKeyring())

	t.Run("wrong secret", func(t *testing.T) {
		p := ccSave(t, s, ccApp("wrong secret", idp.TokenURL), "not-the-secret")
		f := ccWantFailed(t, ccTest(t, s, p.Name), CatCredentials)
		if f.IdPError != "invalid_client" {
			t.Errorf("IdP error %q, want invalid_client", f.IdPError)
		}
		if strings.Contains(f.Error(), "not-the-secret") {
			t.Errorf("failure text holds the secret: %v", f)
		}
		stored, _ := s.repo.Get(p.ID)
		if stored.LastStatus != credentials.StatusFailed || stored.LastCategory != string(CatCredentials) || !strings.Contains(stored.LastError, "invalid_client") {
			t.Errorf("bookkeeping %+v", stored.Bookkeeping)
		}
	})
	t.Run("bad scope", func(t *testing.T) {
		p := ccApp("bad scope", idp.TokenURL)
		p.Scope = testidp.DisallowedScope
		p = ccSave(t, s, p, testidp.AppClientSecret)
		f := ccWantFailed(t, ccTest(t, s, p.Name), CatScope)
		if f.IdPError != "invalid_scope" {
			t.Errorf("IdP error %q", f.IdPError)
		}
	})
	t.Run("secret missing from keyring", func(t *testing.T) {
		p := ccSave(t, s, ccApp("no secret", idp.TokenURL), testidp.AppClientSecret)
		if err := s.repo.Secrets.Delete(p.ID, credentials.ClientSecret); err != nil {
			t.Fatal(err)
		}
		f := ccWantFailed(t, ccTest(t, s, p.Name), CatCredentials)
		if !strings.Contains(f.Message, "no client secret is stored") {
			t.Errorf("message %q", f.Message)
		}
	})
	t.Run("keyring failure", func(t *testing.T) {
		kr := testenv.NewMemKeyring()
		s2 := ccService(t, kr)
		p := ccSave(t, s2, ccApp("keyring down", idp.TokenURL), testidp.AppClientSecret)
		kr.FailGets(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
		f := ccWantFailed(t, ccTest(t, s2, p.Name), CatKeyring)
		if !strings.Contains(f.Message, "Secret Service") {
			t.Errorf("keyring failure without hint: %q", f.Message)
		}
	})
	if st := idp.Stats(t); st.TokenErrors["invalid_client"] != 1 || st.TokenErrors["invalid_scope"] != 1 {
		t.Errorf("IdP errors %v, want one invalid_client and one invalid_scope", st.TokenErrors)
	}
}

// Endpoints that are not token endpoints, each a small httptest server.
func TestClientCredentialsEndpointFaults(t *testing.T) {
	huge := strings.Repeat("x", MaxIdPResponse+10)
	cases := []struct {
		name    string
		handler http.HandlerFunc
		cat     Category
		want    string
	}{
		{"html page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<!DOCTYPE html><html><body><h1>Welcome</h1></body></html>"))
		}, CatEndpoint, "HTML"},
		{"html error page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte("<html><body>Bad</body></html>"))
		}, CatEndpoint, "HTML"},
		{"404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, CatEndpoint, "404"},
		{"405", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusMethodNotAllowed)
		}, CatEndpoint, "405"},
		{"500", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":"server_error","error_description":"<b>db</b> down\u0007"}`))
		}, CatEndpoint, "IdP"},
		{"502 no body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
		}, CatEndpoint, "502"},
		{"invalid json", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token": `))
		}, CatEndpoint, "not with a token"},
		{"json without token", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"hello":"world"}`))
		}, CatEndpoint, "not with a token"},
		{"401 plain", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
		}, CatCredentials, "401"},
		{"huge body with length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "1048586")
			_, _ = w.Write([]byte(huge))
		}, CatEndpoint, "KiB"},
		{"huge body chunked", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			for i := 0; i < len(huge); i += 64 << 10 {
				_, _ = w.Write([]byte(huge[i:min(len(huge), i+64<<10)]))
				w.(http.Flusher).Flush()
			}
		}, CatEndpoint, "KiB"},
		{"slow", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		}, CatNetwork, "did not answer in time"},
		{"redirect elsewhere", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.2:1/token", http.StatusTemporaryRedirect)
		}, CatEndpoint, "another host"},
	}
	s := ccService(t, testenv.NewMemKeyring())
	s.HTTPTimeout = 500 * time.Millisecond
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.handler)
			defer srv.Close()
			p := ccSave(t, s, ccApp("fault "+c.name, srv.URL+"/token"), "s3cr3t")
			start := time.Now()
			f := ccWantFailed(t, ccTest(t, s, p.Name), c.cat)
			if !strings.Contains(f.Error(), c.want) {
				t.Errorf("failure %q does not mention %q", f.Error(), c.want)
			}
			if strings.ContainsAny(f.Error(), "<>\u0007") || strings.Contains(f.Error(), "s3cr3t") {
				t.Errorf("failure text not clean: %q", f.Error())
			}
			if time.Since(start) > 3*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
		})
	}
}

// A token URL that echoes the request must not get the secret into texts.
func TestFailureNeverEchoesSecret(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_request","error_description":"got secret ` + r.PostForm.Get("client_secret") + `"}`))
	}))
	defer srv.Close()
	s := ccService(t, testenv.NewMemKeyring())
	p := ccApp("echo", srv.URL+"/token")
	p.AuthMethod = credentials.AuthPost
	p = ccSave(t, s, p, "very-secret-value")
	f := ccWantFailed(t, ccTest(t, s, p.Name), CatConfig)
	stored, _ := s.repo.Get(p.ID)
	for _, txt := range []string{f.Error(), f.Message, f.IdPDescription, stored.LastError, f.Err.Error()} {
		if strings.Contains(txt, "very-secret-value") {
			t.Fatalf("secret leaked into %q", txt)
		}
	}
	if !strings.Contains(f.IdPDescription, "[redacted]") {
		t.Errorf("description %q", f.IdPDescription)
	}
}

func TestClientCredentialsUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	s := ccService(t, testenv.NewMemKeyring())
	s.HTTPTimeout = 5 * time.Second
	for _, c := range []struct{ name, url, want string }{
		{"closed port", "http://" + closed + "/token", "refused"},
		{"unresolvable", "https://nonexistent.invalid/token", "resolve"},
	} {
		p := ccSave(t, s, ccApp(c.name, c.url), "s3cr3t")
		f := ccWantFailed(t, ccTest(t, s, p.Name), CatNetwork)
		if !strings.Contains(f.Message, c.want) {
			t.Errorf("%s: %q does not say %q", c.name, f.Message, c.want)
		}
	}
}

func TestClientCredentialsDiscovery(t *testing.T) {
	idp := testidp.Shared(t)
	s := ccService(t, testenv.NewMemKeyring())
	p := ccApp("discovered", "")
	p.IssuerURL = idp.Issuer
	p = ccSave(t, s, p, testidp.AppClientSecret)

	e, err := s.Discover(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if e.TokenURL != idp.TokenURL || e.AuthURL != idp.AuthURL || e.RevocationURL != idp.RevocationURL || e.JWKSURL != idp.JWKSURL || e.Issuer != idp.Issuer {
		t.Errorf("endpoints %+v", e)
	}
	ccWantActive(t, ccTest(t, s, p.Name))
	ccWantActive(t, ccTest(t, s, p.Name))
	// Discovery is cached per profile revision: one discovery for two tests
	// (plus the explicit Discover above).
	if st := idp.Stats(t); st.Discovery != 2 || st.Token != 2 {
		t.Errorf("IdP saw %d discoveries and %d token requests, want 2 and 2", st.Discovery, st.Token)
	}

	t.Run("issuer with a trailing slash is adopted", func(t *testing.T) {
		q := ccApp("slash", "")
		q.IssuerURL = idp.Issuer + "/"
		q = ccSave(t, s, q, testidp.AppClientSecret)
		e, err := s.Discover(context.Background(), q)
		if err != nil || e.Issuer != idp.Issuer || !strings.Contains(e.IssuerNote, "spells its issuer") || e.TokenURL != idp.TokenURL {
			t.Fatalf("Discover: %+v, %v", e, err)
		}
		ccWantActive(t, ccTest(t, s, q.Name))
	})
	t.Run("issuer mismatch", func(t *testing.T) {
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"issuer":"https://elsewhere.example","authorization_endpoint":"https://elsewhere.example/auth","token_endpoint":"https://elsewhere.example/token","jwks_uri":"https://elsewhere.example/jwks"}`))
		}))
		defer other.Close()
		q := ccApp("mismatch", "")
		q.IssuerURL = other.URL
		q = ccSave(t, s, q, testidp.AppClientSecret)
		f := ccWantFailed(t, ccTest(t, s, q.Name), CatConfig)
		if !strings.Contains(f.Message, "names the issuer") {
			t.Errorf("message %q", f.Message)
		}
	})
	t.Run("no discovery document", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		q := ccApp("no discovery", "")
		q.IssuerURL = srv.URL
		q = ccSave(t, s, q, testidp.AppClientSecret)
		f := ccWantFailed(t, ccTest(t, s, q.Name), CatEndpoint)
		if !strings.Contains(f.Message, "404") || strings.Contains(f.Message, "page not found") {
			t.Errorf("message %q", f.Message)
		}
	})
}

func TestClientCredentialsTLS(t *testing.T) {
	ccRequireRealKeyring(t) // the TLS flow also runs with the real keyring
	idp := testidp.Start(t, testidp.WithTLS())
	s := ccService(t, nil)

	p := ccApp("tls ok", idp.TokenURL)
	p.TLS.CAFile = idp.CAFile
	p = ccSave(t, s, p, testidp.AppClientSecret)
	res := ccTest(t, s, p.Name)
	ccWantActive(t, res)
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %v", res.Warnings)
	}

	q := ccSave(t, s, ccApp("tls unknown ca", idp.TokenURL), testidp.AppClientSecret)
	f := ccWantFailed(t, ccTest(t, s, q.Name), CatTLS)
	if !strings.Contains(f.Message, "unknown authority") {
		t.Errorf("message %q", f.Message)
	}

	r := ccApp("tls insecure", idp.TokenURL)
	r.TLS.InsecureSkipVerify = true
	r = ccSave(t, s, r, testidp.AppClientSecret)
	res = ccTest(t, s, r.Name)
	ccWantActive(t, res)
	if len(res.Warnings) != 1 || res.Warnings[0] != WarnInsecureTLS {
		t.Errorf("warnings %v, want the TLS warning", res.Warnings)
	}

	// A CA file without certificates is a clear TLS failure.
	bad := filepath.Join(t.TempDir(), "bad.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	b := ccApp("tls bad bundle", idp.TokenURL)
	b.TLS.CAFile = bad
	b = ccSave(t, s, b, testidp.AppClientSecret)
	f = ccWantFailed(t, ccTest(t, s, b.Name), CatTLS)
	if !strings.Contains(f.Message, "no PEM certificate") {
		t.Errorf("message %q", f.Message)
	}
}

func TestClientCredentialsTLSWrongHost(t *testing.T) {
	idp := testidp.Start(t, testidp.WithTLSWrongHost())
	s := ccService(t, testenv.NewMemKeyring())
	p := ccApp("wrong host", idp.TokenURL)
	p.TLS.CAFile = idp.CAFile
	p = ccSave(t, s, p, testidp.AppClientSecret)
	f := ccWantFailed(t, ccTest(t, s, p.Name), CatTLS)
	if !strings.Contains(f.Message, "not valid for") {
		t.Errorf("message %q", f.Message)
	}
}

func TestClientCredentialsProxy(t *testing.T) {
	idp := testidp.Shared(t)
	s := ccService(t, testenv.NewMemKeyring())

	t.Run("through tinyproxy", func(t *testing.T) {
		proxy := testidp.StartProxy(t)
		p := ccApp("via proxy", idp.TokenURL)
		p.Proxy = credentials.Proxy{Mode: credentials.ProxyURL, URL: proxy.URL.String()}
		p = ccSave(t, s, p, testidp.AppClientSecret)
		before := proxy.Forwarded(t)
		ccWantActive(t, ccTest(t, s, p.Name))
		if after := proxy.Forwarded(t); after <= before {
			t.Fatalf("proxy forwarded %d connections before and %d after: the token request did not pass through it", before, after)
		}
		found := false
		for _, r := range proxy.Requests(t) {
			if strings.HasPrefix(r, "POST "+idp.TokenURL) {
				found = true
			}
		}
		if !found {
			t.Errorf("proxy requests %v hold no POST to %s", proxy.Requests(t), idp.TokenURL)
		}
	})
	t.Run("proxy with authentication to an https IdP", func(t *testing.T) {
		tlsIdP := testidp.Start(t, testidp.WithTLS())
		proxy := testidp.StartProxy(t, testidp.WithProxyAuth("puser", "ppass"))
		p := ccApp("auth proxy", tlsIdP.TokenURL)
		p.TLS.CAFile = tlsIdP.CAFile
		p.Proxy = credentials.Proxy{Mode: credentials.ProxyURL, URL: proxy.URL.String(), Username: "puser"}
		saved, err := s.Save(p, credentials.SecretChange{ClientSecret: credentials.Secret(testidp.AppClientSecret), ProxyPassword: credentials.Secret("ppass")})
		if err != nil {
			t.Fatal(err)
		}
		ccWantActive(t, ccTest(t, s, saved.Name))
		if n := proxy.Forwarded(t); n < 1 {
			t.Errorf("proxy forwarded %d connections", n)
		}

		// A wrong proxy password: the proxy refuses the CONNECT.
		saved.Name = "auth proxy wrong"
		saved, err = s.Save(saved, credentials.SecretChange{ProxyPassword: credentials.Secret("wrong")})
		if err != nil {
			t.Fatal(err)
		}
		f := ccWantFailed(t, ccTest(t, s, saved.Name), CatProxy)
		if !strings.Contains(f.Message, "requires authentication") || strings.Contains(f.Error(), "ppass") {
			t.Errorf("message %q", f.Message)
		}
	})
	t.Run("proxy down", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		p := ccApp("proxy down", idp.TokenURL)
		p.Proxy = credentials.Proxy{Mode: credentials.ProxyURL, URL: "http://" + addr}
		p = ccSave(t, s, p, testidp.AppClientSecret)
		f := ccWantFailed(t, ccTest(t, s, p.Name), CatProxy)
		if !strings.Contains(f.Message, "proxy refused the connection") {
			t.Errorf("message %q", f.Message)
		}
	})
}

func TestEntraHelpers(t *testing.T) {
	e, err := EntraEndpoints("contoso.onmicrosoft.com")
	if err != nil {
		t.Fatal(err)
	}
	if e.TokenURL != "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token" ||
		e.AuthURL != "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize" ||
		e.Issuer != "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0" {
		t.Errorf("endpoints %+v", e)
	}
	for _, bad := range []string{"", "a/b", "x y", "../evil"} {
		if _, err := EntraEndpoints(bad); err == nil {
			t.Errorf("EntraEndpoints(%q) accepted", bad)
		}
	}
	tokenURL := e.TokenURL
	if h := EntraScopeHint(tokenURL, "api://1234/read"); !strings.Contains(h, "api://1234/.default") {
		t.Errorf("hint %q", h)
	}
	if h := EntraScopeHint(tokenURL, "api://1234/.default"); h != "" {
		t.Errorf("hint for a /.default scope: %q", h)
	}
	if h := EntraScopeHint("https://idp.example.com/token", "read"); h != "" {
		t.Errorf("hint for a non-Entra URL: %q", h)
	}
}

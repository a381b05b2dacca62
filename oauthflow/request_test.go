package oauthflow

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"golang.org/x/oauth2"
)

// The test request carries the IdP's bearer token and the tenant header;
// SOAP helpers set their headers; 401 is explained; bodies are cut at 64 KiB.
func TestRequestCarriesBearerAndTenant(t *testing.T) {
	idp := testidp.Shared(t)
	type seen struct {
		method, auth, tenant, custom, ctype, action, body string
	}
	var mu sync.Mutex
	var last seen
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		last = seen{r.Method, r.Header.Get("Authorization"), r.Header.Get("X-TENANT-ID"), r.Header.Get("X-Org"),
			r.Header.Get("Content-Type"), r.Header.Get("SOAPAction"), string(b)}
		mu.Unlock()
		switch r.URL.Path {
		case "/denied":
			w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token", error_description="The <b>token</b> expired"`)
			w.WriteHeader(http.StatusUnauthorized)
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("y", MaxResponseExcerpt+100)))
		case "/elsewhere":
			http.Redirect(w, r, "http://127.0.0.2:1/", http.StatusFound)
		case "/echo":
			tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			w.Header().Set("X-Echo", tok)
			_, _ = w.Write([]byte(`{"youSent":"` + tok + `"}`))
		default:
			w.Header().Set("X-Answer", "42")
			_, _ = w.Write([]byte("hello"))
		}
	}))
	defer api.Close()

	s := ccService(t, testenv.NewMemKeyring())
	p := ccApp("api caller", idp.TokenURL)
	p.Tenant = testidp.TenantID
	p = ccSave(t, s, p, testidp.AppClientSecret)
	ctx := context.Background()

	resp, err := s.Request(ctx, p.Name, RequestSpec{URL: api.URL + "/things"})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Token(ctx, p.Name)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := last
	mu.Unlock()
	if got.method != http.MethodGet || got.auth != "Bearer "+tok.AccessToken || got.tenant != testidp.TenantID {
		t.Fatalf("API saw %+v", got)
	}
	if resp.Status != 200 || string(resp.Body) != "hello" || resp.Header.Get("X-Answer") != "42" || resp.Truncated {
		t.Errorf("response %+v", resp)
	}
	if n := idp.Stats(t).Grants["client_credentials"]; n != 1 {
		t.Errorf("%d grants for a request and Token, want 1 (token reused)", n)
	}

	// An API that echoes the token back: the response never carries it.
	echo, err := s.Request(ctx, p.Name, RequestSpec{URL: api.URL + "/echo"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(echo.Body), tok.AccessToken) || strings.Contains(echo.Header.Get("X-Echo"), tok.AccessToken) {
		t.Errorf("the echoed token reaches the response: %s / %s", echo.Body, echo.Header.Get("X-Echo"))
	}
	if string(echo.Body) != `{"youSent":"`+TokenHidden+`"}` || echo.Header.Get("X-Echo") != TokenHidden {
		t.Errorf("echo response %s / %q", echo.Body, echo.Header.Get("X-Echo"))
	}

	// A configured tenant header name; SOAP 1.1 and 1.2.
	p, _ = s.repo.Get(p.ID)
	p.TenantHeader = "X-Org"
	if _, err := s.Save(p, credentials.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	env := []byte(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>`)
	if _, err := s.Request(ctx, p.Name, SOAPRequest(SOAP11, api.URL+"/soap", "urn:GetThing", env)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got = last
	mu.Unlock()
	if got.method != "POST" || got.custom != testidp.TenantID || got.tenant != "" || !strings.HasPrefix(got.ctype, "text/xml") ||
		got.action != `"urn:GetThing"` || got.body != string(env) || !strings.HasPrefix(got.auth, "Bearer ") {
		t.Errorf("SOAP 1.1 request %+v", got)
	}
	if _, err := s.Request(ctx, p.Name, SOAPRequest(SOAP12, api.URL+"/soap", "urn:GetThing", env)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got = last
	mu.Unlock()
	if got.ctype != `application/soap+xml; charset=utf-8; action="urn:GetThing"` || got.action != "" {
		t.Errorf("SOAP 1.2 request %+v", got)
	}

	resp, err = s.Request(ctx, p.Name, RequestSpec{URL: api.URL + "/denied"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 401 || resp.AuthProblem != "the API refused the token (401 Unauthorized): invalid_token: The token expired" {
		t.Errorf("401: %d %q", resp.Status, resp.AuthProblem)
	}
	resp, err = s.Request(ctx, p.Name, RequestSpec{URL: api.URL + "/big"})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Truncated || len(resp.Body) != MaxResponseExcerpt {
		t.Errorf("big body: truncated %v, %d bytes", resp.Truncated, len(resp.Body))
	}
	if _, err := s.Request(ctx, p.Name, RequestSpec{URL: api.URL + "/elsewhere"}); err == nil || !strings.Contains(err.Error(), "another host") {
		t.Errorf("cross-host redirect: %v", err)
	}
	if _, err := s.Request(ctx, p.Name, RequestSpec{URL: "ftp://x"}); err == nil {
		t.Error("ftp URL accepted")
	}

	// The same for Go programs.
	client, err := s.HTTPClient(ctx, p.Name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := client.Get(api.URL + "/go")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	mu.Lock()
	got = last
	mu.Unlock()
	if !strings.HasPrefix(got.auth, "Bearer ey") || got.custom != testidp.TenantID {
		t.Errorf("HTTPClient request %+v", got)
	}
}

// Service.TokenSource is the profile's token as an oauth2.TokenSource: the
// token the service hands out (no second grant), and an oauth2.Transport
// over it calls an API with it.
func TestTokenSourceIsTheServicesToken(t *testing.T) {
	idp := testidp.Shared(t)
	s := ccService(t, testenv.NewMemKeyring())
	p := ccSave(t, s, ccApp("source", idp.TokenURL), testidp.AppClientSecret)
	ctx := context.Background()
	want, err := s.Token(ctx, p.Name)
	if err != nil {
		t.Fatal(err)
	}
	grants := idp.Stats(t).Token
	ts := s.TokenSource(p.Name)
	got, err := ts.Token()
	if err != nil || got.AccessToken != want.AccessToken {
		t.Fatalf("TokenSource gave %v, %v; want the service's token", got, err)
	}
	var auth string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { auth = r.Header.Get("Authorization") }))
	defer api.Close()
	c := &http.Client{Transport: &oauth2.Transport{Source: ts}}
	resp, err := c.Get(api.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if auth != "Bearer "+want.AccessToken {
		t.Errorf("oauth2.Transport over TokenSource sent %q", auth)
	}
	if n := idp.Stats(t).Token; n != grants {
		t.Errorf("%d more token requests; the kept token should serve", n-grants)
	}
	if _, err := s.TokenSource("no such profile").Token(); err == nil {
		t.Error("a TokenSource of a missing profile gave a token")
	}
}

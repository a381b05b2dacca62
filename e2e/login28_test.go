package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// UseOTP makes the browser enter code as the one-time code of its next
// logins (an MFA user's second factor; the net/http browser).
func (b *Browser) UseOTP(code string) {
	b.mu.Lock()
	b.otp = code
	b.mu.Unlock()
}

// TestPARLoginCredctl: `credctl add … --par` and `credctl login` against an
// IdP whose client must use pushed authorization requests: the browser
// gets only client_id and request_uri, the login succeeds, show says so;
// without --par the login fails with our diagnosis naming the flag.
func TestPARLoginCredctl(t *testing.T) {
	h := New(t)
	idp := h.StartIdP(testidp.WithPAR(testidp.PARSettings{}), testidp.WithClient(testidp.PARClient()))
	browser := h.LoginBrowser(testidp.Username, testidp.Password)
	browser.UseQuick()
	add := func(name string, extra ...string) {
		h.MustCredctl(append([]string{"add", "--name", name, "--type", "user", "--issuer", idp.Issuer,
			"--client-id", testidp.PARClientID, "--scope", "openid profile offline_access api:read",
			"--username-claim", "preferred_username"}, extra...)...)
	}
	add("Pushed", "--par")
	if out := h.MustCredctl("show", "Pushed").Stdout; !strings.Contains(out, "pushed authorization request (PAR)") {
		t.Fatalf("show:\n%s", out)
	}
	p := h.StartCredctl("", "login", "Pushed", "--timeout", "60s")
	if err := browser.Wait(60 * time.Second); err != nil {
		t.Fatalf("the browser: %v", err)
	}
	if r := p.Wait(); r.Code != 0 || !strings.Contains(r.Stdout, "Logged in as alice") {
		t.Fatalf("credctl login --par: %s", r)
	}
	if st := idp.PARStats(t); st.Pushed != 1 {
		t.Errorf("pushed requests %d, want 1", st.Pushed)
	}

	add("Plain")
	p = h.StartCredctl("", "login", "Plain", "--timeout", "60s")
	_ = browser.Wait(60 * time.Second) // the IdP refuses: the browser lands on the error redirect
	r := p.Wait()
	if r.Code == 0 || !strings.Contains(r.Stderr, "--par") {
		t.Fatalf("credctl login without --par at a PAR-only client: %s", r)
	}
}

// TestFromAPICredctl: `credctl add NAME --from-api URL` prefills the
// profile from the API's protected-resource metadata; metadata for another
// resource is refused and nothing is saved.
func TestFromAPICredctl(t *testing.T) {
	h := New(t)
	cfg := testapi.Config{Issuer: h.IdP.Issuer, JWKSURL: h.IdP.JWKSURL, Audience: testidp.Resource, Client: h.IdP.HTTPClient()}
	api := testapi.StartProtected(t, cfg, testapi.ProtectedResource{AuthorizationServers: []string{h.IdP.Issuer},
		Scopes: []string{"openid", "api:read"}, DPoPRequired: true, Name: "Orders"})
	r := h.MustCredctl("add", "Orders", "--from-api", api.URL, "--type", "user", "--client-id", testidp.PublicClientID)
	if !strings.Contains(r.Stderr, "From the API") {
		t.Errorf("add --from-api said nothing of what it found: %s", r)
	}
	var p struct {
		IssuerURL string `json:"issuerUrl"`
		Scope     string `json:"scope"`
		Resource  string `json:"resource"`
		TokenURL  string `json:"tokenUrl"`
	}
	if err := json.Unmarshal([]byte(h.MustCredctl("show", "Orders", "--json").Stdout), &p); err != nil {
		t.Fatal(err)
	}
	if p.IssuerURL != h.IdP.Issuer || p.Scope != "openid api:read" || p.Resource != api.URL || p.TokenURL != h.IdP.TokenURL {
		t.Fatalf("profile from the API: %+v", p)
	}

	hostile := testapi.StartProtected(t, cfg, testapi.ProtectedResource{AuthorizationServers: []string{h.IdP.Issuer}, Resource: "https://bank.example.com"})
	r = h.Credctl("add", "Hostile", "--from-api", hostile.URL, "--type", "user", "--client-id", testidp.PublicClientID)
	if r.Code == 0 || !strings.Contains(r.Stderr, "is for the resource https://bank.example.com") {
		t.Fatalf("add --from-api with metadata of another resource: %s", r)
	}
	if out := h.MustCredctl("list").Stdout; strings.Contains(out, "Hostile") {
		t.Fatalf("a refused --from-api saved the profile:\n%s", out)
	}
}

// TestStepUpCredctl: an API that demands the MFA acr answers the RFC 9470
// challenge; `credctl request` exits 5 saying to add --step-up, and with
// --step-up it logs in again (carol enters her code) and the retry passes.
// The same for `credctl transport run --step-up`.
func TestStepUpCredctl(t *testing.T) {
	h := New(t)
	const otp = "161803"
	idp := h.StartIdP(testidp.WithStepUp(), testidp.WithUser(testidp.User{Username: "carol", Password: "secure", Roles: []string{"viewer"}, OTP: otp}))
	api := testapi.StartStepUp(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource, Client: idp.HTTPClient()},
		testapi.StepUpPolicy{ACRValues: []string{"urn:credworkbench:loa:mfa"}})
	browser := h.LoginBrowser("carol", "secure")
	browser.UseQuick()
	h.AddUser(idp, "Carol")
	p := h.StartCredctl("", "login", "Carol", "--timeout", "60s")
	if err := browser.Wait(60 * time.Second); err != nil {
		t.Fatal(err)
	}
	if r := p.Wait(); r.Code != 0 {
		t.Fatalf("login: %s", r)
	}
	r := h.Credctl("request", "Carol", api.URL+"/orders")
	if r.Code != 5 || !strings.Contains(r.Stderr, "--step-up") || !strings.Contains(r.Stderr, "urn:credworkbench:loa:mfa") {
		t.Fatalf("request without --step-up: %s", r)
	}
	h.MustCredctl("transport", "add", "--name", "Orders", "--type", "http", "--url", api.URL+"/orders", "--credential", "Carol")
	if r := h.Credctl("transport", "run", "Orders"); r.Code != 5 || !strings.Contains(r.Stderr, "--step-up") {
		t.Fatalf("transport run without --step-up: %s", r)
	}

	browser.UseOTP(otp)
	p = h.StartCredctl("", "request", "Carol", api.URL+"/orders", "--step-up")
	if err := browser.Wait(60 * time.Second); err != nil {
		t.Fatalf("the step-up login: %v", err)
	}
	if r := p.Wait(); r.Code != 0 || !strings.Contains(r.Stdout, `"ok":true`) || !strings.Contains(r.Stderr, "Step-up") {
		t.Fatalf("request --step-up: %s", r)
	}
	// The session is the profile's now: the transport passes without a new login.
	if r := h.Credctl("transport", "run", "Orders", "--step-up"); r.Code != 0 {
		t.Fatalf("transport run after the step-up: %s", r)
	}
}

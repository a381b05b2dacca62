package oauthflow

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

const soap11Env = `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Header/>
  <soap:Body><GetInvoice xmlns="urn:billing"><id>7</id></GetInvoice></soap:Body>
</soap:Envelope>`

const soap12Env = `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><GetInvoice xmlns="urn:billing"/></env:Body></env:Envelope>`

// runEnv is a real IdP, a Service with an Application profile for it, and
// the resource-server config that trusts the IdP.
type runEnv struct {
	log *testenv.LockedBuffer
	idp *testidp.IdP
	s   *Service
	app credentials.Profile
	cfg testapi.Config
}

func newRunEnv(t *testing.T, tenant string) *runEnv {
	t.Helper()
	ccRequireRealKeyring(t)
	idp := testidp.Shared(t)
	s := ccService(t, nil)
	log := &testenv.LockedBuffer{}
	s.Log = slog.New(slog.NewJSONHandler(log, nil))
	p := ccApp("backend", idp.TokenURL)
	p.Scope = "api:read api:write"
	p.Tenant = tenant
	app := ccSave(t, s, p, testidp.AppClientSecret)
	return &runEnv{log: log, idp: idp, s: s, app: app,
		cfg: testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource}}
}

func (e *runEnv) save(t *testing.T, tr credentials.Transport) credentials.Transport {
	t.Helper()
	saved, err := e.s.Transports().Save(tr)
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

func (e *runEnv) run(t *testing.T, name string, opt RunOptions) *RunResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := e.s.Transports().Run(ctx, name, opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func wantOutcome(t *testing.T, res *RunResult, want Outcome, inDiagnosis ...string) {
	t.Helper()
	if res.Outcome != want {
		t.Fatalf("outcome %q, want %q; diagnosis: %v; body: %s", res.Outcome, want, res.Diagnosis, res.Pretty)
	}
	text := ""
	if res.Diagnosis != nil {
		text = res.Diagnosis.String()
	}
	for _, s := range inDiagnosis {
		if !strings.Contains(text, s) {
			t.Errorf("the diagnosis does not say %q:\n%s", s, text)
		}
	}
}

func TestRunTransportsWithValidCredential(t *testing.T) {
	e := newRunEnv(t, testidp.TenantID)
	cfg := e.cfg
	cfg.TenantHeader = "X-TENANT-ID"
	api := testapi.StartJSON(t, cfg)
	soap11 := testapi.StartSOAP11(t, e.cfg, testapi.FromHTTPHeader)
	soap12 := testapi.StartSOAP12(t, e.cfg, testapi.FromWSSecurity)
	soap11wsse := testapi.StartSOAP11(t, e.cfg, testapi.FromWSSecurity)

	e.save(t, credentials.Transport{Name: "orders", Type: credentials.TransportHTTP, URL: api.URL + "/orders", Method: "POST",
		Headers: []credentials.Header{{Name: "Content-Type", Value: "application/json"}}, Body: `{"id":1}`,
		Authorization: credentials.AuthCredential, ProfileID: e.app.ID})
	e.save(t, credentials.Transport{Name: "billing 1.1", Type: credentials.TransportWSSOAP, URL: soap11.URL, SOAPVersion: "1.1",
		SOAPAction: "urn:billing:GetInvoice", Body: soap11Env, Authorization: credentials.AuthCredential, ProfileID: e.app.ID})
	e.save(t, credentials.Transport{Name: "billing 1.2 wsse", Type: credentials.TransportWSSOAP, URL: soap12.URL, SOAPVersion: "1.2",
		SOAPAction: "urn:billing:GetInvoice", Body: soap12Env, Authorization: credentials.AuthCredential, ProfileID: e.app.ID, TokenIn: credentials.TokenInWSSE})
	e.save(t, credentials.Transport{Name: "billing 1.1 wsse", Type: credentials.TransportWSSOAP, URL: soap11wsse.URL, SOAPVersion: "1.1",
		SOAPAction: "urn:billing:GetInvoice", Body: soap11Env, Authorization: credentials.AuthCredential, ProfileID: e.app.ID, TokenIn: credentials.TokenInWSSE})

	before := e.idp.Stats(t).Token
	res := e.run(t, "orders", RunOptions{})
	wantOutcome(t, res, OutcomeOK)
	if res.Response.Status != 200 || !strings.Contains(res.Pretty, "\n  \"tenant\": \"tenant-42\"") {
		t.Fatalf("answer %d, pretty body:\n%s", res.Response.Status, res.Pretty)
	}
	for _, name := range []string{"billing 1.1", "billing 1.2 wsse", "billing 1.1 wsse"} {
		res := e.run(t, name, RunOptions{})
		wantOutcome(t, res, OutcomeOK)
		if !strings.Contains(res.Pretty, "GetInvoiceResponse") || !strings.Contains(res.Pretty, "\n") {
			t.Errorf("%s: pretty body:\n%s", name, res.Pretty)
		}
	}
	if got := e.idp.Stats(t).Token - before; got != 1 {
		t.Errorf("four runs fetched %d tokens, want 1 (the engine's cached token)", got)
	}
	if r := soap11.Requests()[0]; r.SOAPAction != `"urn:billing:GetInvoice"` || !strings.HasPrefix(r.ContentType, "text/xml") || !r.HadBearer {
		t.Errorf("SOAP 1.1 request: %+v", r)
	}
	if r := soap12.Requests()[0]; r.SOAPAction != "urn:billing:GetInvoice" || r.HadBearer || !r.HadWSSE {
		t.Errorf("SOAP 1.2 WSS request: %+v (the token must be only in the envelope)", r)
	}
	tr, _ := e.s.Transports().Get("orders")
	if !tr.LastRun.OK || tr.LastRun.StatusCode != 200 || tr.LastRun.At.IsZero() {
		t.Errorf("recorded outcome: %+v", tr.LastRun)
	}
	// The Go client on the same engine.
	client, err := e.s.Transports().Client(context.Background(), "billing 1.2 wsse")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, soap12.URL, strings.NewReader(soap12Env))
	req.Header.Set("Content-Type", "application/soap+xml")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "GetInvoiceResponse") {
		t.Fatalf("TransportClient: %d %s", resp.StatusCode, body)
	}
	if got := e.idp.Stats(t).Token - before; got != 1 {
		t.Errorf("the Go client fetched its own token (%d fetches)", got)
	}
	// Nothing secret in the transports file.
	b, _ := os.ReadFile(e.s.Transports().Path())
	tok, _ := e.s.Token(context.Background(), e.app.ID)
	if strings.Contains(string(b), tok.AccessToken) || strings.Contains(string(b), testidp.AppClientSecret) {
		t.Fatal("the transports file holds a token or secret")
	}
	// The log names each run and its outcome, never the token.
	logged := e.log.String()
	if strings.Contains(logged, tok.AccessToken) || strings.Contains(logged, testidp.AppClientSecret) ||
		!strings.Contains(logged, `"transport":"billing 1.2 wsse"`) || !strings.Contains(logged, `"outcome":"ok"`) {
		t.Fatalf("log:\n%s", logged)
	}
}

func TestRunTransportDiagnoses(t *testing.T) {
	e := newRunEnv(t, "")
	ownAudience := testapi.StartJSON(t, testapi.Config{Issuer: e.cfg.Issuer, JWKSURL: e.cfg.JWKSURL}) // expects its own URL
	adminCfg := e.cfg
	adminCfg.Scope = "api:admin"
	adminOnly := testapi.StartJSON(t, adminCfg)
	tenantCfg := e.cfg
	tenantCfg.TenantHeader = "X-TENANT-ID"
	multiTenant := testapi.StartJSON(t, tenantCfg)
	wsse11 := testapi.StartSOAP11(t, adminCfg, testapi.FromWSSecurity)
	plain := testapi.StartSOAP12(t, e.cfg, testapi.FromHTTPHeader)

	mk := func(name, url string, mod func(*credentials.Transport)) {
		tr := credentials.Transport{Name: name, Type: credentials.TransportHTTP, URL: url, Authorization: credentials.AuthCredential, ProfileID: e.app.ID}
		if mod != nil {
			mod(&tr)
		}
		e.save(t, tr)
	}
	mk("audience", ownAudience.URL+"/x", nil)
	mk("scope", adminOnly.URL+"/x", nil)
	mk("tenant", multiTenant.URL+"/x", nil)
	mk("none selected", multiTenant.URL+"/x", func(tr *credentials.Transport) { tr.ProfileID = "" })
	mk("no auth", multiTenant.URL+"/x", func(tr *credentials.Transport) { tr.Authorization = credentials.AuthNone })
	mk("wsse scope", wsse11.URL, func(tr *credentials.Transport) {
		tr.Type, tr.SOAPVersion, tr.Body, tr.TokenIn = credentials.TransportWSSOAP, "1.1", soap11Env, credentials.TokenInWSSE
	})
	mk("fault 1.2", plain.URL, func(tr *credentials.Transport) {
		tr.Type, tr.SOAPVersion = credentials.TransportWSSOAP, "1.2"
		tr.Body = strings.Replace(soap12Env, "GetInvoice", "Fail", 1)
	})
	mk("fault 1.1 version", plain.URL, func(tr *credentials.Transport) {
		tr.Type, tr.SOAPVersion, tr.Body = credentials.TransportWSSOAP, "1.2", soap11Env
	})

	wantOutcome(t, e.run(t, "audience", RunOptions{}), OutcomeAPIRefused,
		"invalid_token", "Audience: the token is for "+testidp.Resource+", and the API is at "+ownAudience.URL)
	res := e.run(t, "scope", RunOptions{})
	wantOutcome(t, res, OutcomeAPIRefused, "insufficient_scope", "the API wants api:admin; the token has api:read api:write")
	if res.Diagnosis.Category != CatScope || res.Diagnosis.NeedsScope != "api:admin" {
		t.Errorf("diagnosis %+v", res.Diagnosis)
	}
	wantOutcome(t, e.run(t, "tenant", RunOptions{}), OutcomeAPIRefused, "X-TENANT-ID header is required", "Tenant: the request sends no X-TENANT-ID header")
	wantOutcome(t, e.run(t, "none selected", RunOptions{}), OutcomeNoCredential, "no credential selected", "Ensure a credential is selected in Authorization")
	wantOutcome(t, e.run(t, "no auth", RunOptions{}), OutcomeAPIRefused, "sends no token")
	res = e.run(t, "wsse scope", RunOptions{})
	wantOutcome(t, res, OutcomeAPIRefused, "wsse:FailedAuthentication", "needs scope api:admin")
	if res.Fault == nil || res.Fault.Version != "1.1" || res.Fault.Code != "wsse:FailedAuthentication" {
		t.Errorf("fault %+v", res.Fault)
	}
	res = e.run(t, "fault 1.2", RunOptions{})
	wantOutcome(t, res, OutcomeSOAPFault, "SOAP 1.2 Fault env:Receiver: the operation failed")
	res = e.run(t, "fault 1.1 version", RunOptions{})
	wantOutcome(t, res, OutcomeSOAPFault, "VersionMismatch")

	// Tenant header against the claim: the profile sends another tenant.
	p, _ := e.s.repo.Get(e.app.ID)
	p.Tenant = "other-tenant"
	if _, err := e.s.Save(p, credentials.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	wantOutcome(t, e.run(t, "tenant", RunOptions{}), OutcomeAPIRefused,
		"does not match the token's tenant", "sends X-TENANT-ID: other-tenant, but the token's tenant claim is "+testidp.TenantID)

	// The IdP refuses the token request: no token, with the profile's category and advice.
	bad := ccSave(t, e.s, ccApp("wrong secret", e.idp.TokenURL), "not-the-secret")
	mk("idp refused", multiTenant.URL, func(tr *credentials.Transport) { tr.ProfileID = bad.ID })
	res = e.run(t, "idp refused", RunOptions{})
	wantOutcome(t, res, OutcomeNoToken, "no token was generated", "the IdP refused the token request", "invalid_client", "Verify the client ID and client secret")
	if res.Diagnosis.Category != CatCredentials {
		t.Errorf("category %q", res.Diagnosis.Category)
	}
	// The profile is deleted: the transport shows no credential.
	if err := e.s.Delete(bad.ID, DeleteOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	wantOutcome(t, e.run(t, "idp refused", RunOptions{}), OutcomeNoCredential, "was deleted")
	// Network: nothing listens.
	mk("down", "http://127.0.0.1:1/x", nil)
	res = e.run(t, "down", RunOptions{})
	if res.Outcome != OutcomeNetwork || res.Diagnosis.Category != CatNetwork {
		t.Errorf("down: %s %+v", res.Outcome, res.Diagnosis)
	}
}

func TestRunTransportAsLoggedInUser(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := loginRepo(t)
	s := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
	t.Cleanup(s.Close)
	user := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
	cfg := testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource, TenantHeader: "X-TENANT-ID"}
	api := testapi.StartJSON(t, cfg)
	if _, err := s.Transports().Save(credentials.Transport{Name: "me", Type: credentials.TransportHTTP, URL: api.URL + "/me",
		Authorization: credentials.AuthCredential}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Not logged in yet: no token, and the advice is to log in.
	res, err := s.Transports().Run(ctx, "me", RunOptions{AsProfile: user.Name})
	if err != nil {
		t.Fatal(err)
	}
	wantOutcome(t, res, OutcomeNoToken, "no token was generated")
	if _, err := s.Login(ctx, user.ID, LoginOptions{Timeout: time.Minute}); err != nil {
		t.Fatal(err)
	}
	// Logged in, no tenant set: the header must match the user's claim.
	res, _ = s.Transports().Run(ctx, "me", RunOptions{AsProfile: user.Name})
	wantOutcome(t, res, OutcomeAPIRefused, "the logged-in user's tenant claim is "+testidp.TenantID)
	user, _ = repo.Get(user.ID)
	user.Tenant = testidp.TenantID
	if _, err := s.Save(user, credentials.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Login(ctx, user.ID, LoginOptions{Timeout: time.Minute}); err != nil {
		t.Fatal(err)
	}
	res, _ = s.Transports().Run(ctx, "me", RunOptions{AsProfile: user.Name})
	wantOutcome(t, res, OutcomeOK)
	if tr, _ := s.Transports().Get("me"); tr.LastRun.AsUser != user.Name {
		t.Errorf("recorded %+v", tr.LastRun)
	}
}

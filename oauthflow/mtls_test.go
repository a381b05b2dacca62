package oauthflow

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow/mtls"
)

// mtlsSave stores an Application profile of the mTLS IdP whose
// certificate and key come from the PEM file at certFile (the key to the
// keyring), as credctl --certificate does.
func mtlsSave(t *testing.T, s *Service, idp *testidp.IdP, name, clientID, certFile, secret string, mod func(*credentials.Profile)) credentials.Profile {
	t.Helper()
	data, err := os.ReadFile(certFile) // #nosec G304 -- the test's own file
	if err != nil {
		t.Fatal(err)
	}
	km, err := credentials.ParseKeyMaterial(data, "")
	if err != nil {
		t.Fatal(err)
	}
	enc, err := credentials.EncodePrivateKey(km.Key)
	if err != nil {
		t.Fatal(err)
	}
	p := ccApp(name, "")
	p.IssuerURL, p.ClientID, p.Certificate, p.TLS.CAFile = idp.Issuer, clientID, credentials.CertificatePEM(km.Cert), idp.CAFile
	if mod != nil {
		mod(&p)
	}
	ch := credentials.SecretChange{PrivateKey: credentials.Secret(enc)}
	if secret != "" {
		ch.ClientSecret = credentials.Secret(secret)
	}
	saved, err := s.Save(p, ch)
	if err != nil {
		t.Fatalf("save %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = s.repo.Secrets.Delete(saved.ID, credentials.PrivateKey)
		_ = s.repo.Secrets.Delete(saved.ID, credentials.ClientSecret)
	})
	return saved
}

type mtlsEnv struct {
	idp                  *testidp.IdP
	caCert, selfCert     string // PEM files (certificate + key)
	strangerCert, caDN   string
	boundSelf, unboundCA string // client IDs
}

// startMTLSIdP runs the IdP with mutual TLS: a tls_client_auth client
// (subject DN registered, bound tokens), a self_signed_tls_client_auth one
// (its certificate registered, bound tokens) and a tls_client_auth one
// whose tokens are not bound.
func startMTLSIdP(t *testing.T, m testidp.MTLS) *mtlsEnv {
	dir := t.TempDir()
	ca := testidp.NewClientCA(t, dir)
	e := &mtlsEnv{boundSelf: "mtls-self", unboundCA: "mtls-unbound"}
	e.caCert, e.caDN = ca.Issue(t, dir, "mtls-app")
	var jwk json.RawMessage
	e.selfCert, jwk = testidp.SelfSignedClient(t, dir, "mtls-self")
	e.strangerCert, _ = testidp.SelfSignedClient(t, dir, "stranger")
	m.ClientCA = ca.File
	sa := &testidp.User{Username: "svc-mtls", Roles: []string{"service"}}
	cc := []string{"client_credentials"}
	e.idp = testidp.Start(t, testidp.WithMTLS(m),
		testidp.WithClient(testidp.Client{ID: "mtls-app", GrantTypes: cc, Scope: testidp.AppScopes, ServiceAccount: sa,
			Metadata: testidp.MTLSClientMetadata(e.caDN, true)}),
		testidp.WithClient(testidp.Client{ID: e.boundSelf, GrantTypes: cc, Scope: testidp.AppScopes, ServiceAccount: sa,
			JWKS: []json.RawMessage{jwk}, Metadata: testidp.MTLSClientMetadata("", true)}),
		testidp.WithClient(testidp.Client{ID: e.unboundCA, GrantTypes: cc, Scope: testidp.AppScopes, ServiceAccount: sa,
			Metadata: testidp.MTLSClientMetadata(e.caDN, false)}))
	return e
}

// Mutual TLS against the real oidc-provider: tls_client_auth and
// self_signed_tls_client_auth reach Active through the IdP's
// mtls_endpoint_aliases with the certificate presented, the access token
// is bound to our certificate (cnf.x5t#S256), and a token the profile asks
// to be bound but the IdP did not bind is Failed with the reason.
func TestMTLSClientAuthAgainstTestIdP(t *testing.T) {
	e := startMTLSIdP(t, testidp.MTLS{Aliases: testidp.AliasesLocalhost, AliasOnly: true})
	ccRequireRealKeyring(t)
	s := ccService(t, nil)

	for _, c := range []struct{ name, client, cert string }{
		{"ca issued", "mtls-app", e.caCert},
		{"self signed", e.boundSelf, e.selfCert},
	} {
		method := credentials.AuthTLSClient
		if c.client == e.boundSelf {
			method = credentials.AuthSelfSignedTLS
		}
		p := mtlsSave(t, s, e.idp, "mtls "+c.name, c.client, c.cert, "", func(p *credentials.Profile) {
			p.AuthMethod, p.BindTokensToCertificate = method, true
		})
		res := ccTest(t, s, p.Name)
		ccWantActive(t, res)
		tok, err := s.Token(context.Background(), p.Name)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := mtls.Thumbprint(p.Certificate)
		if got := mtls.BoundToken(tok.AccessToken); got != want {
			t.Fatalf("%s: token bound to %q, want our certificate %q", c.name, got, want)
		}
	}
	if n := e.idp.MTLSCounts(t); n.AliasRequests == 0 || n.WithCertificate < 2 {
		t.Fatalf("the mtls_endpoint_aliases were not used with the certificate: %+v", n)
	}

	// The IdP does not bind this client's tokens.
	p := mtlsSave(t, s, e.idp, "mtls unbound", e.unboundCA, e.caCert, "", func(p *credentials.Profile) {
		p.AuthMethod, p.BindTokensToCertificate = credentials.AuthTLSClient, true
	})
	f := ccWantFailed(t, ccTest(t, s, p.Name), CatConfig)
	if !strings.Contains(f.Message, "not bound to a certificate") || !strings.Contains(f.Message, "tls_client_certificate_bound_access_tokens") {
		t.Fatalf("unbound token: %v", f)
	}
	// Without binding asked for, the same client is Active.
	p2 := mtlsSave(t, s, e.idp, "mtls unbound ok", e.unboundCA, e.caCert, "", func(p *credentials.Profile) { p.AuthMethod = credentials.AuthTLSClient })
	ccWantActive(t, ccTest(t, s, p2.Name))
}

// The diagnoses of mutual TLS at the IdP: a certificate it does not know
// (self-signed and not registered; CA-issued with another subject), no
// certificate where it asks for one (a typed token URL that is not its
// mTLS alias), and an alias that cannot be reached.
func TestMTLSDiagnosesAtTheIdP(t *testing.T) {
	e := startMTLSIdP(t, testidp.MTLS{Aliases: testidp.AliasesLocalhost, AliasOnly: true})
	ccRequireRealKeyring(t)
	s := ccService(t, nil)

	stranger := mtlsSave(t, s, e.idp, "mtls stranger", e.boundSelf, e.strangerCert, "", func(p *credentials.Profile) { p.AuthMethod = credentials.AuthSelfSignedTLS })
	f := ccWantFailed(t, ccTest(t, s, stranger.Name), CatCredentials)
	if !strings.Contains(f.Message, "does not accept the profile's client certificate") || !strings.Contains(f.Message, "register this very certificate") || f.Advice() != mtls.AdviceMTLS {
		t.Fatalf("unknown self-signed certificate: %v / %s", f, f.Advice())
	}
	wrongDN := mtlsSave(t, s, e.idp, "mtls wrong dn", "mtls-app", e.selfCert, "", func(p *credentials.Profile) { p.AuthMethod = credentials.AuthTLSClient })
	f = ccWantFailed(t, ccTest(t, s, wrongDN.Name), CatCredentials)
	if !strings.Contains(f.Message, "tls_client_auth_subject_dn CN=mtls-self") {
		t.Fatalf("certificate of an untrusted issuer: %v", f)
	}
	typed := mtlsSave(t, s, e.idp, "mtls typed url", "mtls-app", e.caCert, "", func(p *credentials.Profile) {
		p.AuthMethod, p.IssuerURL, p.TokenURL = credentials.AuthTLSClient, "", e.idp.TokenURL
	})
	f = ccWantFailed(t, ccTest(t, s, typed.Name), CatCredentials)
	if !strings.Contains(f.Message, "or did not receive it") || !strings.Contains(f.Message, "leave the token URL empty") {
		t.Fatalf("no certificate at the token endpoint: %v", f)
	}

	down := startMTLSIdP(t, testidp.MTLS{Aliases: testidp.AliasesUnreachable})
	p := mtlsSave(t, s, down.idp, "mtls alias down", "mtls-app", down.caCert, "", func(p *credentials.Profile) { p.AuthMethod = credentials.AuthTLSClient })
	f = ccWantFailed(t, ccTest(t, s, p.Name), CatNetwork)
	if !strings.Contains(f.Message, "mtls_endpoint_aliases") || !strings.Contains(f.Message, "localhost:1") {
		t.Fatalf("unreachable alias: %v", f)
	}
}

// API calls present the certificate: a Request to an API that holds bound
// tokens to the certificate answers 200; an API that never asks for the
// certificate (a TLS-terminating proxy) answers 401 and our advice names
// the binding; a gateway that requires a certificate from a profile that
// has none ends the handshake, and the failure says the profile presents none.
func TestMTLSBoundTokenAtTheAPI(t *testing.T) {
	e := startMTLSIdP(t, testidp.MTLS{Aliases: testidp.AliasesLocalhost})
	ccRequireRealKeyring(t)
	s := ccService(t, nil)
	api := func(opt testapi.MTLSOptions) *testapi.MTLSServer {
		return testapi.StartJSONMTLS(t, testapi.Config{Issuer: e.idp.Issuer, JWKSURL: e.idp.JWKSURL, Audience: testidp.Resource,
			Client: e.idp.HTTPClient()}, opt)
	}
	strict, proxied, gateway := api(testapi.MTLSOptions{RequireBound: true}), api(testapi.MTLSOptions{DoNotAsk: true}),
		api(testapi.MTLSOptions{RequireCertificate: true})
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	ca, _ := os.ReadFile(e.idp.CAFile)
	var all []byte
	all = append(all, ca...)
	for _, a := range []*testapi.MTLSServer{strict, proxied, gateway} {
		all = append(all, a.CertPEM...)
	}
	if err := os.WriteFile(bundle, all, 0o600); err != nil {
		t.Fatal(err)
	}
	p := mtlsSave(t, s, e.idp, "mtls api", "mtls-app", e.caCert, "", func(p *credentials.Profile) {
		p.AuthMethod, p.BindTokensToCertificate, p.TLS.CAFile = credentials.AuthTLSClient, true, bundle
	})
	resp, err := s.Request(context.Background(), p.Name, RequestSpec{URL: strict.URL + "/orders"})
	if err != nil || resp.Status != 200 {
		t.Fatalf("bound token with its certificate: %v %+v", err, resp)
	}
	resp, err = s.Request(context.Background(), p.Name, RequestSpec{URL: proxied.URL + "/orders"})
	if err != nil || resp.Status != 401 || !strings.Contains(resp.Advice, "bound to the profile's client certificate") {
		t.Fatalf("bound token without its certificate: %v %+v", err, resp)
	}

	plain := ccSave(t, s, func() credentials.Profile {
		q := ccApp("plain app", e.idp.TokenURL)
		q.TLS.CAFile = bundle
		return q
	}(), testidp.AppClientSecret)
	_, err = s.Request(context.Background(), plain.Name, RequestSpec{URL: gateway.URL + "/orders"})
	f, ok := AsFailure(err)
	if !ok || f.Category != CatTLS || !strings.Contains(f.Message, "this profile presents none") {
		t.Fatalf("handshake without a certificate: %v", err)
	}
	// The same at a token endpoint that demands a certificate in the handshake.
	strictIdP := ccSave(t, s, func() credentials.Profile {
		q := ccApp("strict idp", gateway.URL+"/token")
		q.TLS.CAFile = bundle
		return q
	}(), testidp.AppClientSecret)
	f = ccWantFailed(t, ccTest(t, s, strictIdP.Name), CatTLS)
	if !strings.Contains(f.Message, "asked for a TLS client certificate") || f.Advice() != mtls.AdviceMTLS {
		t.Fatalf("IdP handshake without a certificate: %v", f)
	}
}

// Transports present the certificate too: an HTTP and a WS_SOAP transport
// reach APIs that hold the bound token to it, and a run against an API
// that never asks for the certificate is refused with the binding named in
// the diagnosis.
func TestMTLSTransports(t *testing.T) {
	e := startMTLSIdP(t, testidp.MTLS{Aliases: testidp.AliasesLocalhost})
	ccRequireRealKeyring(t)
	s := ccService(t, nil)
	cfg := testapi.Config{Issuer: e.idp.Issuer, JWKSURL: e.idp.JWKSURL, Audience: testidp.Resource, Client: e.idp.HTTPClient()}
	api := testapi.StartJSONMTLS(t, cfg, testapi.MTLSOptions{RequireBound: true})
	soap := testapi.StartSOAP11MTLS(t, cfg, testapi.MTLSOptions{RequireBound: true})
	proxied := testapi.StartJSONMTLS(t, cfg, testapi.MTLSOptions{DoNotAsk: true})
	ca, _ := os.ReadFile(e.idp.CAFile)
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bundle, append(append(append(ca, api.CertPEM...), soap.CertPEM...), proxied.CertPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	p := mtlsSave(t, s, e.idp, "mtls transports", e.boundSelf, e.selfCert, "", func(p *credentials.Profile) {
		p.AuthMethod, p.BindTokensToCertificate, p.TLS.CAFile = credentials.AuthSelfSignedTLS, true, bundle
	})
	env := &runEnv{s: s, idp: e.idp, app: p}
	env.save(t, credentials.Transport{Name: "orders", Type: credentials.TransportHTTP, URL: api.URL + "/orders", Method: "GET",
		Authorization: credentials.AuthCredential, ProfileID: p.ID})
	env.save(t, credentials.Transport{Name: "billing", Type: credentials.TransportWSSOAP, URL: soap.URL, SOAPVersion: "1.1",
		SOAPAction: "urn:billing:GetInvoice", Body: soap11Env, Authorization: credentials.AuthCredential, ProfileID: p.ID})
	env.save(t, credentials.Transport{Name: "behind proxy", Type: credentials.TransportHTTP, URL: proxied.URL + "/orders", Method: "GET",
		Authorization: credentials.AuthCredential, ProfileID: p.ID})
	wantOutcome(t, env.run(t, "orders", RunOptions{}), OutcomeOK)
	wantOutcome(t, env.run(t, "billing", RunOptions{}), OutcomeOK)
	wantOutcome(t, env.run(t, "behind proxy", RunOptions{}), OutcomeAPIRefused, "Certificate binding", "TLS-terminating proxy")
}

// Discover (the form's button) gives a profile that presents its
// certificate the IdP's mTLS aliases, and others the plain endpoints.
func TestMTLSDiscoverGivesAliases(t *testing.T) {
	e := startMTLSIdP(t, testidp.MTLS{Aliases: testidp.AliasesLocalhost})
	s := ccService(t, testenv.NewMemKeyring())
	p := credentials.Profile{Name: "d", Type: credentials.TypeApplication, IssuerURL: e.idp.Issuer, ClientID: "mtls-app",
		AuthMethod: credentials.AuthTLSClient, TLS: credentials.TLS{CAFile: e.idp.CAFile}}
	ep, err := s.Discover(context.Background(), p)
	if err != nil || !strings.HasPrefix(ep.TokenURL, "https://localhost:") {
		t.Fatalf("mutual TLS profile: %q %v", ep.TokenURL, err)
	}
	p.AuthMethod = credentials.AuthBasic
	if ep, err := s.Discover(context.Background(), p); err != nil || ep.TokenURL != e.idp.TokenURL {
		t.Fatalf("plain profile: %q %v", ep.TokenURL, err)
	}
}

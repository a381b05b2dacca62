package mtls

import (
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

func jwt(t *testing.T, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256"}`)) + "." + enc(b) + ".c2ln"
}

func profile(t *testing.T, m credentials.AuthMethod, bind bool) credentials.Profile {
	t.Helper()
	km, err := credentials.GenerateKey(credentials.KeyEC, pkix.Name{CommonName: "unit"}, 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return credentials.Profile{Name: "u", ClientID: "c", AuthMethod: m, BindTokensToCertificate: bind, Certificate: credentials.CertificatePEM(km.Cert)}
}

// A token bound to our certificate passes; bound to another one, or
// unbound when binding is asked for, is refused with the reason; an opaque
// token gets a warning; a profile without mutual TLS is not checked.
func TestCheckBinding(t *testing.T) {
	p := profile(t, credentials.AuthTLSClient, true)
	ours, err := Thumbprint(p.Certificate)
	if err != nil || len(ours) != 43 {
		t.Fatalf("thumbprint %q %v", ours, err)
	}
	bound := func(x5t string) string {
		return jwt(t, map[string]any{"sub": "s", "cnf": map[string]any{"x5t#S256": x5t}})
	}
	if w, f := CheckBinding(p, bound(ours)); w != "" || f != nil {
		t.Fatalf("our binding: %q %v", w, f)
	}
	_, f := CheckBinding(p, bound("AAAA"+ours[4:]))
	if f == nil || f.Category != failure.CatTLS || !strings.Contains(f.Message, "bound the access token to another certificate") || !strings.Contains(f.Message, ours) {
		t.Fatalf("another certificate: %v", f)
	}
	_, f = CheckBinding(p, jwt(t, map[string]any{"sub": "s"}))
	if f == nil || !strings.Contains(f.Message, "not bound to a certificate") || f.Advice() != AdviceMTLS {
		t.Fatalf("unbound: %v", f)
	}
	if w, f := CheckBinding(p, "opaque-token-value"); f != nil || !strings.Contains(w, "opaque") {
		t.Fatalf("opaque: %q %v", w, f)
	}
	unbound := profile(t, credentials.AuthSelfSignedTLS, false)
	if w, f := CheckBinding(unbound, jwt(t, map[string]any{"sub": "s"})); w != "" || f != nil {
		t.Fatalf("binding not asked for: %q %v", w, f)
	}
	if _, f := CheckBinding(unbound, bound("elsewhere")); f == nil {
		t.Fatal("a token bound to another certificate passed without binding asked for")
	}
	if w, f := CheckBinding(credentials.Profile{AuthMethod: credentials.AuthBasic}, bound("x")); w != "" || f != nil {
		t.Fatal("a profile without mutual TLS was checked")
	}
}

// A handshake the server ended for want of a certificate names the cause:
// the profile presents none, or the server refused ours.
func TestExplainHandshake(t *testing.T) {
	tlsFail := func() *failure.Failure {
		return &failure.Failure{Category: failure.CatTLS, Message: "TLS with idp.example.com failed: remote error: tls: certificate required"}
	}
	f := tlsFail()
	Explain(credentials.Profile{AuthMethod: credentials.AuthBasic}, f)
	if !strings.Contains(f.Message, "this profile presents none") || !strings.Contains(f.Message, "certificate required") || f.Advice() != AdviceMTLS {
		t.Fatalf("no certificate: %v", f)
	}
	once := f.Message
	if Explain(credentials.Profile{}, f); f.Message != once {
		t.Fatalf("explained twice: %v", f)
	}
	f = tlsFail()
	f.Message = strings.Replace(f.Message, "certificate required", "bad certificate", 1)
	Explain(profile(t, credentials.AuthTLSClient, false), f)
	if !strings.Contains(f.Message, "refused the profile's TLS client certificate") {
		t.Fatalf("refused certificate: %v", f)
	}
	f = &failure.Failure{Category: failure.CatTLS, Message: "the certificate of x is signed by an unknown authority"}
	Explain(profile(t, credentials.AuthTLSClient, false), f)
	if strings.Contains(f.Message, "client certificate") {
		t.Fatalf("a server certificate problem was explained as mutual TLS: %v", f)
	}
	// An IdP that says it got no certificate.
	f = &failure.Failure{Category: failure.CatCredentials, IdPError: "invalid_client", IdPDescription: "client certificate was not provided"}
	Explain(profile(t, credentials.AuthSelfSignedTLS, false), f)
	if f.Category != failure.CatTLS || !strings.Contains(f.Message, "received no TLS client certificate") {
		t.Fatalf("not provided: %v", f)
	}
	// A refresh of a bound token without the certificate.
	f = &failure.Failure{Category: failure.CatLogin, IdPError: "invalid_grant", IdPDescription: "mutual TLS client certificate not provided"}
	Explain(credentials.Profile{AuthMethod: credentials.AuthPost}, f)
	if !strings.Contains(f.Message, "--bind-tokens-to-certificate") {
		t.Fatalf("bound refresh: %v", f)
	}
	ExplainError(credentials.Profile{}, errors.New("plain")) // not a Failure: nothing to do
}

// The aliases replace the endpoints of a profile that presents its
// certificate, only then, and an http alias off loopback is refused.
func TestAliased(t *testing.T) {
	e := idp.Endpoints{Issuer: "https://idp.example.com", TokenURL: "https://idp.example.com/token", RevocationURL: "https://idp.example.com/revoke",
		MTLSAliases: map[string]string{AliasToken: "https://mtls.idp.example.com/token"}}
	got, f := Aliased(profile(t, credentials.AuthTLSClient, false), e)
	if f != nil || got.TokenURL != "https://mtls.idp.example.com/token" || got.RevocationURL != e.RevocationURL {
		t.Fatalf("aliased: %+v %v", got, f)
	}
	if got, _ := Aliased(credentials.Profile{AuthMethod: credentials.AuthBasic}, e); got.TokenURL != e.TokenURL {
		t.Fatal("a profile without mutual TLS took the alias")
	}
	e.MTLSAliases[AliasToken] = "http://mtls.idp.example.com/token"
	if _, f := Aliased(profile(t, credentials.AuthTLSClient, false), e); f == nil || !strings.Contains(f.Message, "mtls_endpoint_aliases token_endpoint") {
		t.Fatalf("http alias: %v", f)
	}
}

// A 401 to a bound token says what to check about the certificate.
func TestAPIRefusalCheck(t *testing.T) {
	if c := APIRefusalCheck(profile(t, credentials.AuthTLSClient, true), "x5t", http.StatusUnauthorized); !strings.Contains(c, "TLS-terminating proxy") {
		t.Fatalf("presenting profile: %q", c)
	}
	if c := APIRefusalCheck(credentials.Profile{}, "x5t", http.StatusUnauthorized); !strings.Contains(c, "presents none") {
		t.Fatalf("profile without certificate: %q", c)
	}
	if APIRefusalCheck(credentials.Profile{}, "", http.StatusUnauthorized) != "" || APIRefusalCheck(credentials.Profile{}, "x", 403) != "" {
		t.Fatal("a check for an unbound token or a 403")
	}
}

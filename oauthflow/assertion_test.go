package oauthflow

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

const pkjwtClientID = "wb-pkjwt"

func pkGenerate(t *testing.T) credentials.KeyMaterial {
	t.Helper()
	km, err := credentials.GenerateKeyMaterial("credworkbench test", 30, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return km
}

func pkGenerateEC(t *testing.T) credentials.KeyMaterial {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "ec"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return credentials.KeyMaterial{Key: key, Cert: cert}
}

func pkJWK(t *testing.T, km credentials.KeyMaterial) json.RawMessage {
	t.Helper()
	j, err := PublicJWK(km.Cert)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// pkSave stores a private_key_jwt profile with km's key in the keyring.
func pkSave(t *testing.T, s *Service, name, tokenURL string, km credentials.KeyMaterial, mod func(*credentials.Profile)) credentials.Profile {
	t.Helper()
	enc, err := credentials.EncodePrivateKey(km.Key)
	if err != nil {
		t.Fatal(err)
	}
	p := ccApp(name, tokenURL)
	p.ClientID, p.AuthMethod, p.Certificate = pkjwtClientID, credentials.AuthPrivateKeyJWT, credentials.CertificatePEM(km.Cert)
	if mod != nil {
		mod(&p)
	}
	saved, err := s.Save(p, credentials.SecretChange{PrivateKey: credentials.Secret(enc)})
	if err != nil {
		t.Fatalf("save %s: %v", name, err)
	}
	t.Cleanup(func() { _ = s.repo.Secrets.Delete(saved.ID, credentials.PrivateKey) })
	return saved
}

// private_key_jwt against the real oidc-provider: RS256, PS256 and ES256
// keys registered as the client's JWKS reach Active, every request signs a
// fresh assertion (two tests in a row both pass although the IdP rejects a
// reused jti), an unregistered key is a categorized credentials failure
// that does not quote the assertion.
func TestPrivateKeyJWTAgainstTestIdP(t *testing.T) {
	rsaKM, ecKM, foreign := pkGenerate(t), pkGenerateEC(t), pkGenerate(t)
	idp := testidp.Start(t, testidp.WithClient(testidp.Client{
		ID: pkjwtClientID, GrantTypes: []string{"client_credentials"}, Scope: testidp.AppScopes,
		ServiceAccount: &testidp.User{Username: "svc-pkjwt", Roles: []string{"service"}},
		JWKS:           []json.RawMessage{pkJWK(t, rsaKM), pkJWK(t, ecKM)},
	}))
	ccRequireRealKeyring(t) // the private key lives in the keyring only
	s := ccService(t, nil)

	for _, c := range []struct {
		name string
		km   credentials.KeyMaterial
		mod  func(*credentials.Profile)
	}{
		{"rs256", rsaKM, nil},
		{"ps256", rsaKM, func(p *credentials.Profile) { p.AssertionAlg = credentials.AlgPS256 }},
		{"es256", ecKM, nil},
		{"x5t only and issuer audience", rsaKM, func(p *credentials.Profile) {
			p.AssertionHeaders, p.AssertionAudience, p.IssuerURL, p.TokenURL = credentials.HeadersX5t, credentials.AudienceIssuer, idp.Issuer, ""
		}},
	} {
		p := pkSave(t, s, "pk "+c.name, idp.TokenURL, c.km, c.mod)
		for range 2 {
			res := ccTest(t, s, p.Name)
			ccWantActive(t, res)
			if res.Token.Username != "svc-pkjwt" {
				t.Errorf("%s: username %q", c.name, res.Token.Username)
			}
		}
	}

	p := pkSave(t, s, "pk foreign", idp.TokenURL, foreign, nil)
	f := ccWantFailed(t, ccTest(t, s, p.Name), CatCredentials)
	if strings.Contains(f.Error(), "eyJ") {
		t.Errorf("failure quotes a JWT: %v", f)
	}

	// The IdP itself refuses a replayed assertion: what makes a fresh one
	// per request necessary.
	pr, _ := s.repo.Get("pk rs256")
	pr.TokenURL = idp.TokenURL
	jwt, err := signAssertion(pr, assertionKey{key: rsaKM.Key, cert: rsaKM.Cert}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	post := func() int {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {pkjwtClientID}, "scope": {"api:read"},
			"client_assertion_type": {ClientAssertionType}, "client_assertion": {jwt}}
		resp, err := idp.HTTPClient().PostForm(idp.TokenURL, form)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if first, second := post(), post(); first != http.StatusOK || second != http.StatusUnauthorized {
		t.Errorf("replayed assertion: %d then %d, want 200 then 401", first, second)
	}
}

// The assertion's headers and claims are exactly those of RFC 7523 and the
// issue: iss = sub = client ID, aud, a random jti, a 5-minute lifetime, kid
// and the thumbprint headers as configured.
func TestSignAssertionClaims(t *testing.T) {
	km := pkGenerate(t)
	tp := credentials.CertThumbprints(km.Cert)
	k := assertionKey{key: km.Key, cert: km.Cert}
	now := time.Unix(1_700_000_000, 0)
	base := credentials.Profile{ClientID: "cid", TokenURL: "https://idp.example/token", IssuerURL: "https://idp.example"}
	jtis := map[string]bool{}
	for _, c := range []struct {
		name      string
		mod       func(*credentials.Profile)
		alg, aud  string
		x5t, s256 bool
	}{
		{"defaults", nil, "RS256", "https://idp.example/token", true, true},
		{"entra preset", func(p *credentials.Profile) {
			p.TokenURL = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
		}, "PS256", "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token", true, true},
		{"x5t only", func(p *credentials.Profile) { p.AssertionHeaders = credentials.HeadersX5t }, "RS256", "https://idp.example/token", true, false},
		{"x5t#S256 only, issuer", func(p *credentials.Profile) {
			p.AssertionHeaders, p.AssertionAudience = credentials.HeadersX5tS256, credentials.AudienceIssuer
		}, "RS256", "https://idp.example", false, true},
	} {
		p := base
		if c.mod != nil {
			c.mod(&p)
		}
		raw, err := signAssertion(p, k, now)
		if err != nil {
			t.Fatal(err)
		}
		jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.PS256})
		if err != nil {
			t.Fatal(err)
		}
		h := jws.Signatures[0].Protected
		payload, err := jws.Verify(km.Cert.PublicKey)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var cl map[string]any
		_ = json.Unmarshal(payload, &cl)
		kid, _ := KeyID(km.Cert.PublicKey)
		x5t, hasX5t := h.ExtraHeaders["x5t"]
		s256, hasS256 := h.ExtraHeaders["x5t#S256"]
		switch {
		case h.Algorithm != c.alg, h.KeyID != kid, h.ExtraHeaders["typ"] != "JWT":
			t.Errorf("%s: header %+v", c.name, h)
		case hasX5t != c.x5t || (c.x5t && x5t != tp.X5t), hasS256 != c.s256 || (c.s256 && s256 != tp.X5tS256):
			t.Errorf("%s: thumbprints %v %v", c.name, x5t, s256)
		case cl["iss"] != "cid" || cl["sub"] != "cid" || cl["aud"] != c.aud:
			t.Errorf("%s: claims %v", c.name, cl)
		case cl["iat"] != float64(now.Unix()) || cl["nbf"] != float64(now.Unix()) || cl["exp"] != float64(now.Add(5*time.Minute).Unix()):
			t.Errorf("%s: times %v", c.name, cl)
		}
		jti, _ := cl["jti"].(string)
		if len(jti) != 36 || jtis[jti] {
			t.Errorf("%s: jti %q not a fresh GUID", c.name, jti)
		}
		jtis[jti] = true
	}
}

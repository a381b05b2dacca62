package credentials

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

func TestKeyMaterialImport(t *testing.T) {
	km, err := GenerateKeyMaterial("orders-client", 365, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(km.Cert.NotAfter); d < 364*24*time.Hour || d > 366*24*time.Hour {
		t.Errorf("NotAfter in %v", d)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(km.Key)
	certPEM := CertificatePEM(km.Cert)
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	pkcs1PEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(km.Key.(*rsa.PrivateKey))}))
	pfx, err := pkcs12.Modern.Encode(km.Key, km.Cert, nil, "pfx-pass")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := GenerateKeyMaterial("other", 1, time.Now())
	otherKey, _ := x509.MarshalPKCS8PrivateKey(other.Key)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	smallDER, _ := x509.MarshalPKCS8PrivateKey(small)

	for _, c := range []struct {
		name, data, pass, wantErr string
	}{
		{"pem key first", keyPEM + certPEM, "", ""},
		{"pem cert first, pkcs1", certPEM + pkcs1PEM, "", ""},
		{"pfx", string(pfx), "pfx-pass", ""},
		{"pfx wrong password", string(pfx), "nope", "password is wrong"},
		{"not a key file", "hello", "", "neither PEM"},
		{"cert only", certPEM, "", "no private key"},
		{"key only", keyPEM, "", "no certificate"},
		{"foreign key", certPEM + string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: otherKey})), "", "does not belong"},
		{"encrypted", certPEM + "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", "", "encrypted"},
		{"small rsa", certPEM + string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: smallDER})), "", "1024 bits"},
	} {
		got, err := ParseKeyMaterial([]byte(c.data), c.pass)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.wantErr == "" && !got.Cert.Equal(km.Cert):
			t.Errorf("%s: other certificate", c.name)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: error %v, want %q", c.name, err, c.wantErr)
		case err != nil && strings.Contains(err.Error(), "MII"):
			t.Errorf("%s: error quotes key material: %v", c.name, err)
		}
	}

	enc, err := EncodePrivateKey(km.Key)
	if err != nil || len(enc) > 2560 { // fits Windows Credential Manager
		t.Fatalf("encoded key: %d bytes, %v", len(enc), err)
	}
	back, err := DecodePrivateKey(enc)
	if err != nil || !back.(*rsa.PrivateKey).Equal(km.Key) {
		t.Fatalf("round trip: %v", err)
	}
	tp := CertThumbprints(km.Cert)
	if len(tp.SHA1Hex) != 40 || len(tp.X5t) != 27 || len(tp.X5tS256) != 43 || strings.ToUpper(tp.SHA1Hex) != tp.SHA1Hex {
		t.Errorf("thumbprints %+v", tp)
	}
}

func TestValidatePrivateKeyJWT(t *testing.T) {
	km, _ := GenerateKeyMaterial("x", 10, time.Now())
	base := Profile{Name: "pk", Type: TypeApplication, TokenURL: "https://idp.example/token", ClientID: "c",
		AuthMethod: AuthPrivateKeyJWT, Certificate: CertificatePEM(km.Cert)}
	check := func(name string, mod func(*Profile), opt ValidateOptions, field string) {
		t.Helper()
		p := base
		if mod != nil {
			mod(&p)
		}
		p.Normalize()
		err := Validate(p, opt)
		ve, _ := err.(*ValidationError)
		if field == "" && err != nil || field != "" && ve.For(field) == "" {
			t.Errorf("%s: %v, want a problem with %q", name, err, field)
		}
	}
	check("ok", nil, ValidateOptions{HasPrivateKey: true}, "")
	check("no key", nil, ValidateOptions{HasSecret: true}, FieldPrivateKey)
	check("no cert", func(p *Profile) { p.Certificate = "" }, ValidateOptions{HasPrivateKey: true}, FieldCertificate)
	check("bad cert", func(p *Profile) { p.Certificate = "junk" }, ValidateOptions{HasPrivateKey: true}, FieldCertificate)
	check("alg", func(p *Profile) { p.AssertionAlg = "HS256" }, ValidateOptions{HasPrivateKey: true}, FieldAssertion)
	check("es256 on rsa", func(p *Profile) { p.AssertionAlg = "es256" }, ValidateOptions{HasPrivateKey: true}, FieldAssertion)
	check("headers", func(p *Profile) { p.AssertionHeaders = "x5c" }, ValidateOptions{HasPrivateKey: true}, FieldAssertion)
	check("issuer audience without issuer", func(p *Profile) { p.AssertionAudience = AudienceIssuer }, ValidateOptions{HasPrivateKey: true}, FieldAssertion)
	// A confidential User client may authenticate with a certificate too.
	user := func(p *Profile) {
		p.Type, p.GrantType, p.AuthURL = TypeUser, GrantAuthorizationCode, "https://idp.example/auth"
	}
	check("user profile", user, ValidateOptions{HasPrivateKey: true}, "")
	check("user profile without key", user, ValidateOptions{}, FieldPrivateKey)
	check("user profile, bad cert", func(p *Profile) { user(p); p.Certificate = "junk" }, ValidateOptions{HasPrivateKey: true}, FieldCertificate)
}

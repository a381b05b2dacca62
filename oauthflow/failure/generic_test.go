package failure

import (
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
)

// An IdP that names an unknown signing key is diagnosed as "the IdP does
// not know this certificate", not as a configuration error (#24.14).
func TestUnknownSigningKeyIsACertificateProblem(t *testing.T) {
	for _, body := range []string{
		`{"error":"invalid_request","error_description":"signing key with kid 'k-123' could not be found"}`,
		`{"error":"invalid_client","error_description":"no matching key found for the client assertion"}`,
	} {
		_, d := diagnoseBody([]byte(body))
		if d == nil {
			t.Fatalf("%s: no diagnosis", body)
		}
		f := &Failure{Category: CatConfig}
		d.apply(f)
		if f.Category != CatCredentials || !strings.Contains(f.Message, "does not know this certificate") {
			t.Errorf("%s: got %s %q", body, f.Category, f.Message)
		}
	}
}

// A private_key_jwt profile is told about its certificate, never about a
// client secret; a refusal by the profile's own MFA rule says so (#24.14).
func TestAdviceForProfile(t *testing.T) {
	jwt := credentials.Profile{AuthMethod: credentials.AuthPrivateKeyJWT}
	if a := AdviceFor(jwt, CatCredentials, "invalid_client"); strings.Contains(a, "client secret") && !strings.Contains(a, "No client secret") || !strings.Contains(a, "certificate") {
		t.Errorf("private_key_jwt advice: %q", a)
	}
	if a := AdviceFor(credentials.Profile{AuthMethod: credentials.AuthBasic}, CatCredentials, ""); !strings.Contains(a, "client secret") {
		t.Errorf("secret advice: %q", a)
	}
	mfa := credentials.Profile{MFA: credentials.MFAPolicy{Required: true}}
	own := "The login did not satisfy " + OwnMFAMarker + ": no amr"
	if a := AdviceFor(mfa, CatMFA, own); !strings.Contains(a, "This profile requires MFA") {
		t.Errorf("own MFA advice: %q", a)
	}
	if a := AdviceFor(mfa, CatMFA, "AADSTS50076: MFA required"); a != CatMFA.Advice() {
		t.Errorf("IdP MFA advice changed: %q", a)
	}
	f := (&Failure{Category: CatCredentials, Message: "invalid_client"}).ForProfile(jwt)
	if !strings.Contains(f.Advice(), "certificate") {
		t.Errorf("Failure.Advice: %q", f.Advice())
	}
}

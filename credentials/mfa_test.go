package credentials

import (
	"strings"
	"testing"
)

func TestValidateMFA(t *testing.T) {
	base := Profile{Name: "u", Type: TypeUser, IssuerURL: "https://idp.example", ClientID: "c"}
	for _, c := range []struct {
		name string
		m    MFAPolicy
		want string // "" = valid
	}{
		{"presets", MFAPolicy{Required: true, ACRValues: " urn:okta:loa:2fa:any   phr phrh "}, ""},
		{"Entra context", MFAPolicy{Required: true, AuthContext: "c25"}, ""},
		{"context c0", MFAPolicy{Required: true, AuthContext: "c0"}, "c1 to c99"},
		{"context c100", MFAPolicy{Required: true, AuthContext: "c100"}, "c1 to c99"},
		{"quote in acr", MFAPolicy{Required: true, ACRValues: `phr "x"`}, "not valid"},
	} {
		p := base
		p.MFA = c.m
		p.Normalize()
		err := Validate(p, ValidateOptions{})
		msg := ""
		if ve, ok := err.(*ValidationError); ok {
			msg = ve.For(FieldMFA)
		} else if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if (c.want == "") != (msg == "") || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %q, want %q", c.name, msg, c.want)
		}
	}
	p := base
	p.MFA.ACRValues = "  a   b "
	p.Normalize()
	if p.MFA.ACRValues != "a b" {
		t.Errorf("normalized acr values %q", p.MFA.ACRValues)
	}
}

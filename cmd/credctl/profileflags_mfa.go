package main

import (
	"fmt"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/spf13/pflag"
)

// mfaFlags are the multi-factor settings of a User profile (add and edit).
type mfaFlags struct {
	required, fresh, claims bool
	acr, authContext        string
}

func (m *mfaFlags) register(fs *pflag.FlagSet) {
	var presets []string
	for _, p := range credentials.MFAPresets {
		presets = append(presets, p.ACRValues)
	}
	fs.BoolVar(&m.required, "require-mfa", false, "User profiles: a login is Active only when its tokens prove MFA (--require-mfa=false turns it off)")
	fs.StringVar(&m.acr, "mfa-acr", "", "acr_values to ask for and accept as MFA, space-separated `values` (e.g. "+strings.Join(presets, ", ")+"); none clears")
	fs.BoolVar(&m.fresh, "mfa-fresh-login", false, "ask for a fresh sign-in when MFA is required (prompt=login, max_age=0)")
	fs.BoolVar(&m.claims, "mfa-claims", false, "ask for acr as an essential ID token claim (OIDC claims parameter)")
	fs.StringVar(&m.authContext, "mfa-auth-context", "", "Entra authentication context `ID` (c1…c99) requested and verified in the access token's acrs; none clears")
}

// apply copies the given MFA flags onto p.
func (m *mfaFlags) apply(cmd string, given func(string) bool, p *credentials.Profile) error {
	if given("require-mfa") {
		p.MFA.Required = m.required
	}
	if given("mfa-acr") {
		p.MFA.ACRValues = noneClears(m.acr)
	}
	if given("mfa-fresh-login") {
		p.MFA.FreshSignIn = m.fresh
	}
	if given("mfa-claims") {
		p.MFA.ClaimsParam = m.claims
	}
	if given("mfa-auth-context") {
		p.MFA.AuthContext = noneClears(m.authContext)
	}
	mfaGiven := given("mfa-acr") || given("mfa-fresh-login") || given("mfa-claims") || given("mfa-auth-context")
	if mfaGiven && !p.MFA.Required && !given("require-mfa") {
		return &usageError{cmd: cmd, msg: "the --mfa-* settings apply only with --require-mfa"}
	}
	if (p.MFA.Required || mfaGiven) && p.Type != credentials.TypeUser {
		return &usageError{cmd: cmd, msg: fmt.Sprintf("MFA applies to User profiles only (this one is %s)", p.Type.Label())}
	}
	return nil
}

func noneClears(v string) string {
	if strings.EqualFold(strings.TrimSpace(v), "none") {
		return ""
	}
	return v
}

// mfaSummary is the MFA policy in one line for show ("" when not required).
func mfaSummary(m credentials.MFAPolicy) string {
	if !m.Required {
		return ""
	}
	parts := []string{"required"}
	if m.ACRValues != "" {
		parts = append(parts, "acr_values "+m.ACRValues)
	}
	if m.FreshSignIn {
		parts = append(parts, "fresh sign-in")
	}
	if m.ClaimsParam {
		parts = append(parts, "essential acr claim")
	}
	if m.AuthContext != "" {
		parts = append(parts, "Entra authentication context "+m.AuthContext)
	}
	return strings.Join(parts, ", ")
}

func mfaJSON(m credentials.MFAPolicy) *credentials.MFAPolicy {
	if m.IsZero() {
		return nil
	}
	return &m
}

package credentials

import (
	"regexp"
	"strings"
	"sync"
)

// FieldMFA names the MFA settings in validation errors.
const FieldMFA = "mfa"

// MFAPolicy is a User profile's multi-factor requirement: what the login
// asks the IdP for, and that the login is verified against. It applies to
// User profiles only (an Application profile keeps but ignores it).
type MFAPolicy struct {
	// Required: a login is Active only when the tokens prove MFA.
	Required bool `json:"required,omitempty"`
	// ACRValues (space-separated) are sent as acr_values; an ID token acr
	// among them proves the requirement.
	ACRValues string `json:"acrValues,omitempty"`
	// FreshSignIn sends prompt=login and max_age=0: a new sign-in, not the
	// browser's existing session.
	FreshSignIn bool `json:"freshSignIn,omitempty"`
	// ClaimsParam requests acr as an essential ID token claim through the
	// OIDC claims parameter (with ACRValues as its values).
	ClaimsParam bool `json:"claimsParam,omitempty"`
	// AuthContext is an Entra authentication context ID (c1…c99): requested
	// as the access token's essential acrs claim, and verified there.
	AuthContext string `json:"authContext,omitempty"`
}

// MFAPreset is a named acr_values choice for the form and credctl.
type MFAPreset struct {
	Label     string
	ACRValues string
}

// MFAPresets are the acr values IdPs document for MFA.
var MFAPresets = []MFAPreset{
	{Label: "Okta: any two factors", ACRValues: "urn:okta:loa:2fa:any"},
	{Label: "Okta: two factors, one phishing-resistant", ACRValues: "phr"},
	{Label: "Okta: phishing-resistant hardware-bound", ACRValues: "phrh"},
	{Label: "Keycloak: level of authentication 2", ACRValues: "2"},
}

var (
	authContextRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^c([1-9]|[1-9][0-9])$`) })
	acrValueRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]+$`) }) // printable, no quote or backslash
)

// normalize trims the policy's text.
func (m *MFAPolicy) normalize() {
	m.ACRValues = strings.Join(strings.Fields(m.ACRValues), " ")
	m.AuthContext = strings.TrimSpace(m.AuthContext)
}

// IsZero reports an unset policy (json omitzero).
func (m MFAPolicy) IsZero() bool { return m == MFAPolicy{} }

// validateMFA checks the policy's values.
func validateMFA(m MFAPolicy, add func(field, format string, args ...any)) {
	for _, v := range strings.Fields(m.ACRValues) {
		if !acrValueRE().MatchString(v) || len(v) > 200 {
			add(FieldMFA, "MFA acr value %q is not valid: use the IdP's values separated by spaces (e.g. urn:okta:loa:2fa:any).", v)
			return
		}
	}
	if m.AuthContext != "" && !authContextRE().MatchString(m.AuthContext) {
		add(FieldMFA, "Entra authentication context %q is not valid: use its ID, c1 to c99.", m.AuthContext)
	}
}

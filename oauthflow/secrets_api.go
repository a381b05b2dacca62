package oauthflow

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// SecretLifecycle rotates client secrets where they live, at the IdP (#26):
// mint a new secret through the IdP's management API, keep it in the
// keyring, test it, switch the profile to it, revoke the old one now or
// later. It also reads secret expiry from the IdP and lists a tenant's
// secrets. Get it with Service.Secrets.
type SecretLifecycle struct{ s *Service }

// Secrets is the IdP secret lifecycle of the service's profiles.
func (s *Service) Secrets() *SecretLifecycle { return &SecretLifecycle{s: s} }

// Events of the secret lifecycle (Event.Kind). Each is logged with the
// management connection, app and key IDs (never a secret).
const (
	EventSecretMinted    EventKind = "secret minted"   // a new secret exists at the IdP and in the keyring
	EventSecretTested    EventKind = "secret tested"   // the new secret's test at the token endpoint (Result)
	EventSecretSwitched  EventKind = "secret switched" // the profile uses the new secret now
	EventSecretRevoked   EventKind = "secret revoked"  // an old (or unused new) secret was removed at the IdP
	EventPendingChanged  EventKind = "pending changed" // PendingAtIdP was recorded, changed or dropped
	EventExpiryRefreshed EventKind = "secret expiry refreshed"
)

// RevokeAfter says when the old secret is revoked after a rotation: Now,
// Never (it stays at the IdP), or After a grace period (a pending step the
// workbench or the next credctl command carries out). The zero value is Now.
type RevokeAfter struct {
	Now, Never bool
	After      time.Duration
}

// String is the form ParseRevokeAfter reads ("now", "never", "36h", "7d").
func (r RevokeAfter) String() string {
	switch {
	case r.Never:
		return "never"
	case r.After <= 0:
		return "now"
	case r.After%(24*time.Hour) == 0:
		return strconv.Itoa(int(r.After/(24*time.Hour))) + "d"
	}
	return r.After.String()
}

// ParseRevokeAfter reads "now", "never" or a duration ("24h", "7d", "90m").
func ParseRevokeAfter(s string) (RevokeAfter, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	switch v {
	case "", "now", "0", "immediately":
		return RevokeAfter{Now: true}, nil
	case "never":
		return RevokeAfter{Never: true}, nil
	}
	d, err := ParseDays(v)
	if err != nil || d < 0 {
		return RevokeAfter{}, fmt.Errorf("%q is not a grace period: give now, never, or a duration such as 24h or 7d", s)
	}
	if d == 0 {
		return RevokeAfter{Now: true}, nil
	}
	return RevokeAfter{After: d}, nil
}

// ParseDays reads a Go duration that may also count days ("7d", "1d12h").
func ParseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty duration")
	}
	var days int
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil || n < 0 || n > 36500 {
			return 0, fmt.Errorf("%q is not a duration such as 30d or 12h", s)
		}
		days, s = n, s[i+1:]
	}
	var rest time.Duration
	if s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration such as 30d or 12h", s)
		}
		rest = d
	}
	return time.Duration(days)*24*time.Hour + rest, nil
}

// AtIdPOptions tune a rotation at the IdP.
type AtIdPOptions struct {
	// RevokeOld is when the old secret is revoked (zero: now).
	RevokeOld RevokeAfter
	// Expires is the new secret's end date (Entra endDateTime); zero =
	// the IdP's default (or none).
	Expires time.Time
	// DisplayName is the new secret's name at the IdP (Entra); "" =
	// "credworkbench <profile> <date>".
	DisplayName string
}

// RotationStep names a step of a rotation at the IdP.
type RotationStep string

const (
	StepFind   RotationStep = "find"   // the management connection, the app, its secrets, the old key
	StepMint   RotationStep = "mint"   // the new secret created at the IdP
	StepStore  RotationStep = "store"  // the new secret kept in the keyring (NextClientSecret)
	StepTest   RotationStep = "test"   // a token fetched with the new secret
	StepSwitch RotationStep = "switch" // the profile uses the new secret
	StepRevoke RotationStep = "revoke" // the old secret removed at the IdP
)

// Rotation is what a rotation at the IdP (or a resumed or completed step)
// did. An error from the methods means it could not be attempted at all;
// a step that failed is in Failed/Failure, and Left says what it left at
// the IdP. Whatever failed, the profile has a working secret.
type Rotation struct {
	Profile   string // the profile's name
	ProfileID string
	API       string // entra, okta, keycloak, rfc7592
	App       string // the app's name at the IdP
	// Management names the connection: the management profile, or
	// "SSWS token" / "registration token" stored on the profile.
	Management string
	NewKeyID   string
	OldKeyID   string
	Done       []RotationStep // completed steps, in order
	Failed     RotationStep   // "" = no failure
	Failure    *Failure       // why, in our words (with the IdP's error code and advice)
	// Left is what is left at the IdP after a failure or a pending step,
	// e.g. "a new secret was created at Entra (keyId …) but failed its
	// test: it is still there; remove it or retry".
	Left string
	// Pending is what remains to do (zero: nothing).
	Pending credentials.PendingAtIdP
	// Result is the test with the new secret (zero when not tested).
	Result Result
	// Skipped: nothing was done, e.g. another process rotated the profile
	// meanwhile (Left says so).
	Skipped bool
	// Warnings are problems that did not stop the rotation (an RFC 7592
	// registration token the IdP rotated but that could not be kept).
	Warnings []string
}

// OK reports whether no step failed.
func (r Rotation) OK() bool { return r.Failed == "" && r.Failure == nil }

// Did reports whether step was completed.
func (r Rotation) Did(step RotationStep) bool {
	for _, d := range r.Done {
		if d == step {
			return true
		}
	}
	return false
}

// ExpiryInfo is what the IdP says about a profile's secret.
type ExpiryInfo struct {
	Profile   string
	API       string
	App       string
	KeyID     string    // the secret in use ("" = could not tell)
	Created   time.Time // zero = unknown
	Expires   time.Time // zero = none or unknown
	CheckedAt time.Time
	// MaxAgeDue is SecretCreatedAt + MaxSecretAge (Okta: no expiry at the
	// IdP, the admin's limit instead); zero = no limit set.
	MaxAgeDue time.Time
	// Certificates are the app's certificates (Entra keyCredentials).
	Certificates []idpadmin.Credential
}

// TenantCredential is a secret or certificate the management connection
// sees, with the local profiles that use it.
type TenantCredential struct {
	idpadmin.Credential
	UsedBy []string // local profile names
}

// DueAt is when p's secret must be replaced: the IdP's or the admin's
// expiry date, else (Okta) SecretCreatedAt + MaxSecretAge; zero = never.
func DueAt(p credentials.Profile) time.Time {
	if p.AuthMethod.UsesKey() {
		return time.Time{} // a certificate is replaced, not rotated at the IdP
	}
	at, _ := p.CredentialExpiry()
	return at
}

// SetManagementToken stores (or, with "", removes) a profile's Okta API
// token (credentials.ManagementToken) or RFC 7592 registration access
// token (credentials.RegistrationToken) in the keyring.
func (l *SecretLifecycle) SetManagementToken(nameOrID string, kind credentials.SecretKind, value string) error {
	return l.s.repo.SetManagementSecret(nameOrID, kind, value)
}

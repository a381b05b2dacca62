package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// The --json shapes below are a documented contract (docs/credctl.md): add
// fields, never rename or remove them. Times are RFC 3339 in UTC and left
// out when unknown.

// profileJSON is one profile in `list --json` and `show --json`.
type profileJSON struct {
	ID              string                 `json:"id"`
	Name            string                 `json:"name"`
	Type            string                 `json:"type"`
	GrantType       string                 `json:"grantType"`
	IssuerURL       string                 `json:"issuerUrl,omitempty"`
	TokenURL        string                 `json:"tokenUrl,omitempty"`
	AuthURL         string                 `json:"authUrl,omitempty"`
	RevocationURL   string                 `json:"revocationUrl,omitempty"`
	ClientID        string                 `json:"clientId"`
	AuthMethod      string                 `json:"authMethod"`
	Scope           string                 `json:"scope,omitempty"`
	Audience        string                 `json:"audience,omitempty"`
	Resource        string                 `json:"resource,omitempty"`
	RefreshInterval string                 `json:"refreshInterval"`
	RefreshSeconds  int64                  `json:"refreshIntervalSeconds"`
	Proxy           proxyJSON              `json:"proxy"`
	TLS             tlsJSON                `json:"tls"`
	UsernameClaim   string                 `json:"usernameClaim,omitempty"`
	RolesClaim      string                 `json:"rolesClaim,omitempty"`
	TenantClaim     string                 `json:"tenantClaim,omitempty"`
	Tenant          string                 `json:"tenant,omitempty"`
	TenantHeader    string                 `json:"tenantHeader"`
	RedirectPort    int                    `json:"redirectPort"`
	ClientSecret    secretJSON             `json:"clientSecret"`
	Certificate     *certificateJSON       `json:"certificate,omitempty"`
	MFA             *credentials.MFAPolicy `json:"mfa,omitempty"`
	DPoP            bool                   `json:"dpop,omitempty"` // RFC 9449; the key's thumbprint: show
	CredentialExp   *expiryJSON            `json:"credentialExpiry,omitempty"`
	IdP             *idpJSON               `json:"idp,omitempty"` // show_management.go (#26)
	Status          statusJSON             `json:"status"`
	Revision        int                    `json:"revision"`
	CreatedAt       time.Time              `json:"createdAt,omitzero"`
	UpdatedAt       time.Time              `json:"updatedAt,omitzero"`

	Derived *derivedJSON `json:"derived,omitempty"` // profileflags_derived.go
	// The browser login's request (#28, profileflags_login.go).
	PAR           bool `json:"par,omitempty"`
	RequestObject bool `json:"requestObject,omitempty"`
	// Mutual TLS (#28): certificate-bound tokens.
	BindTokensToCertificate bool `json:"bindTokensToCertificate,omitempty"`
}

type proxyJSON struct {
	Mode        string `json:"mode"` // none, system, url
	URL         string `json:"url,omitempty"`
	Username    string `json:"username,omitempty"`
	PasswordSet bool   `json:"passwordSet"`
}

type tlsJSON struct {
	CAFile             string `json:"caFile,omitempty"`
	InsecureSkipVerify bool   `json:"insecureSkipVerify"`
}

// secretJSON says whether a secret is stored, never what it is.
type secretJSON struct {
	Set       bool      `json:"set"`
	SetAt     time.Time `json:"setAt,omitzero"`
	RotatedAt time.Time `json:"rotatedAt,omitzero"`
}

type statusJSON struct {
	State string `json:"state"` // Untested, Active, Expired, Failed, Logged out
	// RenewalFailing: Active because the token is still valid, although
	// the last check failed (category, error say why).
	RenewalFailing bool      `json:"renewalFailing,omitempty"`
	Category       string    `json:"category,omitempty"`
	Error          string    `json:"error,omitempty"`
	CheckedAt      time.Time `json:"checkedAt,omitzero"`
	TokenExpiry    time.Time `json:"tokenExpiry,omitzero"`
	LoggedInAs     string    `json:"loggedInAs,omitempty"`
	LoginMFA       string    `json:"loginMfa,omitempty"` // what the login proved about MFA
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

func toProfileJSON(p credentials.Profile, now time.Time) profileJSON {
	sd := oauthflow.StandingOf(p, now)
	return profileJSON{
		ID: p.ID, Name: p.Name, Type: string(p.Type), GrantType: string(p.GrantType),
		IssuerURL: p.IssuerURL, TokenURL: p.TokenURL, AuthURL: p.AuthURL, RevocationURL: p.RevocationURL,
		ClientID: p.ClientID, AuthMethod: string(p.AuthMethod), Scope: p.Scope, Audience: p.Audience, Resource: p.Resource,
		RefreshInterval: p.RefreshInterval.D().String(), RefreshSeconds: int64(p.RefreshInterval.D() / time.Second),
		Proxy:         proxyJSON{Mode: string(p.Proxy.Mode), URL: p.Proxy.URL, Username: p.Proxy.Username, PasswordSet: p.HasProxyPass},
		TLS:           tlsJSON{CAFile: p.TLS.CAFile, InsecureSkipVerify: p.TLS.InsecureSkipVerify},
		UsernameClaim: p.UsernameClaim, RolesClaim: p.RolesClaim, TenantClaim: p.TenantClaim,
		Tenant: p.Tenant, TenantHeader: p.TenantHeader, RedirectPort: p.RedirectPort,
		ClientSecret:  secretJSON{Set: p.HasSecret, SetAt: utc(p.SecretSetAt), RotatedAt: utc(p.SecretRotatedAt)},
		Certificate:   toCertificateJSON(p),
		CredentialExp: toExpiryJSON(p, now),
		Status: statusJSON{
			State: string(sd.Status), RenewalFailing: sd.RenewalFailing(), Category: p.LastCategory, Error: p.LastError,
			CheckedAt: utc(p.LastChecked), TokenExpiry: utc(p.TokenExpiry), LoggedInAs: p.LoggedInAs,
			LoginMFA: p.LoginMFA,
		},
		MFA:      mfaJSON(p.MFA),
		DPoP:     p.DPoP,
		Derived:  toDerivedJSON(p),
		IdP:      toIdPJSON(p),
		Revision: p.Revision, CreatedAt: utc(p.CreatedAt), UpdatedAt: utc(p.UpdatedAt),
		PAR: p.PAR, RequestObject: p.RequestObject,

		BindTokensToCertificate: p.BindTokensToCertificate,
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// humanTime is a local time for people, "" when unknown.
func humanTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04:05 MST")
}

// humanUntil says how long until t ("in 59m", "3m ago").
func humanUntil(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := t.Sub(now) // truncated below: never promise more than is left
	if d < 0 {
		return shortDuration(-d) + " ago"
	}
	return "in " + shortDuration(d)
}

func shortDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d >= time.Hour:
		return fmt.Sprintf("%dh%dm", d/time.Hour, (d%time.Hour)/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

// orDash keeps empty table cells visible.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

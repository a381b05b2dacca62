package main

import (
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// managementRows are `credctl show`'s lines of the IdP secret lifecycle
// (#26): the management connection, where the expiry came from, the key
// at the IdP, the maximum age and a pending step.
func managementRows(a *app, p credentials.Profile, now time.Time, row func(k, v string)) {
	if p.HasManagement() {
		all, _ := a.profilesView()
		row("IdP management", credentials.ManagementLabel(p, all))
	}
	if !p.SecretExpiresAt.IsZero() {
		src := "entered by you"
		if p.SecretExpirySource == credentials.SecretExpiryFromIdP {
			src = "from the IdP"
			if l, ok := apiLabels[p.ManagementAPI]; ok {
				src = "from " + l
			}
			if !p.SecretExpiryCheckedAt.IsZero() {
				src += ", checked " + humanTime(p.SecretExpiryCheckedAt)
			}
		}
		row("Secret expiry source", src)
	}
	row("Secret key ID", p.SecretKeyID)
	if p.MaxSecretAge > 0 {
		v := shortDays(p.MaxSecretAge.D())
		if due := oauthflow.DueAt(p); !due.IsZero() && p.SecretExpiresAt.IsZero() {
			v += ", reached " + due.UTC().Format("2006-01-02")
			if !now.Before(due) {
				v += " (PAST: rotate the secret)"
			}
		}
		row("Maximum secret age", v)
	}
	if !p.SecretCreatedAt.IsZero() && p.HasManagement() {
		row("Secret created", humanTime(p.SecretCreatedAt))
	}
	if !p.PendingAtIdP.IsZero() {
		row("Pending at IdP", pendingLine(p.PendingAtIdP))
	}
}

// apiLabels name the management APIs as their vendors do.
var apiLabels = map[string]string{"entra": "Entra", "okta": "Okta", "keycloak": "Keycloak", "rfc7592": "the IdP (RFC 7592)"}

// shortDays is a duration in days where it is whole days ("90d").
func shortDays(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return oauthflow.RevokeAfter{After: d}.String()
	}
	return d.String()
}

// idpJSON is a profile's IdP secret lifecycle in `show --json` / `list --json`.
type idpJSON struct {
	ManagementProfile     string                    `json:"managementProfile,omitempty"` // the profile's ID
	ManagementAPI         string                    `json:"managementApi,omitempty"`
	ManagementURL         string                    `json:"managementUrl,omitempty"`
	RegistrationClientURI string                    `json:"registrationClientUri,omitempty"`
	MaxSecretAge          string                    `json:"maxSecretAge,omitempty"`
	SecretKeyID           string                    `json:"secretKeyId,omitempty"`
	ExpirySource          string                    `json:"secretExpirySource"` // "idp" or "admin"
	ExpiryCheckedAt       time.Time                 `json:"secretExpiryCheckedAt,omitzero"`
	SecretCreatedAt       time.Time                 `json:"secretCreatedAt,omitzero"`
	Pending               *credentials.PendingAtIdP `json:"pending,omitempty"`
}

func toIdPJSON(p credentials.Profile) *idpJSON {
	if !p.HasManagement() && p.PendingAtIdP.IsZero() {
		return nil
	}
	j := &idpJSON{ManagementProfile: p.ManagementProfile, ManagementAPI: p.ManagementAPI, ManagementURL: p.ManagementURL,
		RegistrationClientURI: p.RegistrationClientURI, SecretKeyID: p.SecretKeyID, ExpirySource: "admin",
		ExpiryCheckedAt: utc(p.SecretExpiryCheckedAt), SecretCreatedAt: utc(p.SecretCreatedAt)}
	if p.SecretExpirySource == credentials.SecretExpiryFromIdP {
		j.ExpirySource = "idp"
	}
	if p.MaxSecretAge > 0 {
		j.MaxSecretAge = shortDays(p.MaxSecretAge.D())
	}
	if !p.PendingAtIdP.IsZero() {
		pend := p.PendingAtIdP
		j.Pending = &pend
	}
	return j
}

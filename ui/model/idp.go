package model

import (
	"fmt"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// The IdP secret lifecycle (#26) as the window shows it: where a secret's
// expiry came from, how old an Okta secret is, the step still to do at the
// IdP. Words only; the widgets are in ui/*idp*.go.

// Management API kinds as the profile stores them ("" = inferred).
const (
	APIEntra    = string(idpadmin.Entra)
	APIOkta     = string(idpadmin.Okta)
	APIKeycloak = string(idpadmin.Keycloak)
	APIRFC7592  = string(idpadmin.RFC7592)
)

// APIKinds are the kinds the form offers, in its order.
var APIKinds = []string{APIEntra, APIOkta, APIKeycloak, APIRFC7592}

// APILabel is the name people know a management API by.
func APILabel(kind string) string {
	switch kind {
	case APIEntra:
		return "Entra"
	case APIOkta:
		return "Okta"
	case APIKeycloak:
		return "Keycloak"
	case APIRFC7592:
		return "RFC 7592"
	}
	return "the IdP"
}

// APIOf is the profile's management API: the one chosen, else the one of
// its pending step, else infer's guess from the issuer ("" = unknown).
func APIOf(p credentials.Profile, infer func(credentials.Profile) string) string {
	switch {
	case p.ManagementAPI != "":
		return p.ManagementAPI
	case p.PendingAtIdP.API != "":
		return p.PendingAtIdP.API
	case infer != nil:
		return infer(p)
	}
	return ""
}

// Ago is "just now", "5 min ago", "2 h ago", "3 days ago".
func Ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

// ExpirySource says where a profile's secret expiry date came from: "from
// Entra, checked 2 h ago" or "entered by you" ("" without a date).
func ExpirySource(p credentials.Profile, api string, now time.Time) string {
	if p.SecretExpiresAt.IsZero() {
		return ""
	}
	if p.SecretExpirySource != credentials.SecretExpiryFromIdP {
		return "entered by you"
	}
	s := "from " + APILabel(api)
	if !p.SecretExpiryCheckedAt.IsZero() {
		s += ", checked " + Ago(p.SecretExpiryCheckedAt, now)
	}
	return s
}

// SecretAge is an Okta-style secret without expiry: its age against the
// admin's maximum ("created 2026-10-01, 67 days old (max 90 days)"), and
// whether it is past that maximum. "" when the IdP gave no creation date.
func SecretAge(p credentials.Profile, now time.Time) (text string, over bool) {
	if p.SecretCreatedAt.IsZero() {
		return "", false
	}
	age := now.Sub(p.SecretCreatedAt)
	text = fmt.Sprintf("created %s, %s old", p.SecretCreatedAt.UTC().Format("2006-01-02"), days(age))
	if maxAge := p.MaxSecretAge.D(); maxAge > 0 {
		over = age > maxAge
		text += " (max " + days(maxAge) + ")"
		if over {
			text += ": past the maximum age, rotate it"
		}
	}
	return text, over
}

func days(d time.Duration) string {
	n := int(d.Hours() / 24)
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// shortKey is a key ID as a line has room for: its first 8 characters.
func shortKey(id string) string {
	if len(id) > 12 {
		return id[:8] + "…"
	}
	return id
}

// PendingLine is the step still to do at the IdP, as the details show it
// ("" when none): "Old secret (keyId 1a2b3c4d…) will be revoked at Entra on
// 2026-12-09 10:00."
func PendingLine(p credentials.Profile, now time.Time) string {
	return PendingText(p.PendingAtIdP, now)
}

// ProfileChoice is one entry of a profile select: the name shown, the ID kept.
type ProfileChoice struct{ Name, ID string }

// ManagementChoices are the profiles that may manage self (ID; "" for a
// new profile): every other profile, by name. A profile never manages itself.
func ManagementChoices(all []*credentials.Profile, self string) []ProfileChoice {
	var out []ProfileChoice
	for _, p := range all {
		if p.ID != self {
			out = append(out, ProfileChoice{Name: p.Name, ID: p.ID})
		}
	}
	return out
}

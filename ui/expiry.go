package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// Expiry warnings of client secrets and certificates: the table's
// "Secret expires" column and the details row. Warning colour from 30 days
// before, urgent (danger) from 7 days and once expired.

const (
	expiryWarnDays   = 30
	expiryUrgentDays = 7
)

// credentialExpiryText is "in 12 days", "expires today" or "expired
// 2026-01-31", with the colour that goes with it; "" when unknown.
func credentialExpiryText(p credentials.Profile, now time.Time) (string, widget.Importance) {
	at, _ := p.CredentialExpiry()
	if at.IsZero() {
		return "", widget.MediumImportance
	}
	if !now.Before(at) {
		return "expired " + at.UTC().Format("2006-01-02"), widget.DangerImportance
	}
	days := int(at.Sub(now) / (24 * time.Hour))
	text := fmt.Sprintf("in %d days", days)
	switch days {
	case 0:
		text = "expires today"
	case 1:
		text = "in 1 day"
	}
	switch {
	case days <= expiryUrgentDays:
		return text, widget.DangerImportance
	case days <= expiryWarnDays:
		return text, widget.WarningImportance
	}
	return text, widget.MediumImportance
}

// credentialExpiryDetail is the details row: the date and how far off.
func credentialExpiryDetail(p credentials.Profile, now time.Time) (label, value string) {
	at, what := p.CredentialExpiry()
	if at.IsZero() {
		return "", ""
	}
	text, _ := credentialExpiryText(p, now)
	if what == "certificate" {
		label = "Certificate expires"
	} else {
		label = "Secret expires"
	}
	return label, at.UTC().Format("2006-01-02") + " (" + text + ")"
}

// fieldSecretExpires is the form's secret-expiry input.
const fieldSecretExpires = "secretExpires"

// readSecretExpires parses the form's date; an unchanged date keeps the
// stored time exactly.
func (f *profileForm) readSecretExpires() time.Time {
	text := f.secretExpires.Text
	if f.orig != nil && !f.orig.SecretExpiresAt.IsZero() && text == f.orig.SecretExpiresAt.UTC().Format("2006-01-02") {
		return f.orig.SecretExpiresAt
	}
	t, err := credentials.ParseExpiryDate(text)
	if err != nil {
		f.extra[fieldSecretExpires] = "Secret expires: " + err.Error() + "."
	}
	return t
}

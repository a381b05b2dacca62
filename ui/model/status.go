package model

import (
	"fmt"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// Tone is how a status is coloured (the window maps it to its theme).
type Tone int

// Tones, from plain to alarming.
const (
	ToneNormal Tone = iota
	ToneSuccess
	ToneWarning
	ToneDanger
)

// Standing is the status as shown (oauthflow.StandingOf): Active while a
// token is valid, even when its renewal fails.
func (l *List) Standing(r *Row) oauthflow.Standing { return oauthflow.StandingOf(*r.P, l.now()) }

// Effective is the recorded status as it stands now.
func (l *List) Effective(r *Row) credentials.Status { return r.P.StatusAt(l.now()) }

// Status spells the row's status out (never colour alone) and picks its tone.
func (l *List) Status(r *Row) (string, Tone) {
	if b := l.busy[r.P.ID]; b != Idle {
		return b.Label(), ToneWarning
	}
	if NeedsSecret(r.P) {
		return "Needs secret", ToneWarning
	}
	st := l.Standing(r)
	switch {
	case st.RenewalFailing():
		// The token still works (credctl token serves it); its renewal does not.
		return st.Text(), ToneWarning
	case st.Status == credentials.StatusActive:
		if r.P.Type == credentials.TypeUser && r.P.LoggedInAs != "" {
			return "Active (" + r.P.LoggedInAs + ")", ToneSuccess
		}
		return "Active", ToneSuccess
	case st.Status == credentials.StatusFailed:
		if r.P.LastCategory != "" {
			return "Failed: " + CategoryLabel(r.P.LastCategory), ToneDanger
		}
		return "Failed", ToneDanger
	}
	return string(st.Status), ToneNormal
}

// ShortStatus is what the Status column shows: while a renewal fails (and
// nothing else is to say) the shorter "Active — renewal failing (Network)",
// whole is true then, as the cell must not cut it.
func (l *List) ShortStatus(r *Row) (text string, tone Tone, whole bool) {
	if st := l.Standing(r); st.RenewalFailing() && l.busy[r.P.ID] == Idle && !NeedsSecret(r.P) {
		return st.Short(), ToneWarning, true // the Expires column has the validity
	}
	text, tone = l.Status(r)
	return text, tone, false
}

// Failing is a profile that needs the user: it failed, or cannot be used
// until its secret is entered.
func (l *List) Failing(r *Row) bool {
	return NeedsSecret(r.P) || l.Effective(r) == credentials.StatusFailed
}

// ExpiresIn is the token's countdown, "—" when it has none.
func (l *List) ExpiresIn(r *Row) string {
	st := l.Standing(r)
	if st.Expiry.IsZero() || st.Status != credentials.StatusActive {
		return "—"
	}
	return Countdown(st.Left)
}

// CategoryLabel is a stored failure category in words.
func CategoryLabel(c string) string {
	if c == "" {
		return "unknown"
	}
	return oauthflow.Category(c).Label()
}

// Countdown formats a remaining time as "59m 58s", "1h 05m", "12s".
func Countdown(d time.Duration) string {
	if d <= 0 {
		return "expired"
	}
	d = d.Truncate(time.Second)
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd %02dh", int(d.Hours())/24, int(d.Hours())%24)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}

// ShortTime shows a time of today as 15:04:05 and others with their date.
func ShortTime(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	t = t.Local()
	now = now.Local()
	if t.YearDay() == now.YearDay() && t.Year() == now.Year() {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04")
}

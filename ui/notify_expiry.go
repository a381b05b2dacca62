package ui

import (
	"fmt"
	"strings"
	"time"
)

// prefExpiryNoted remembers which expiry warnings were given, across runs
// (a workbench started at every login would otherwise warn every day):
// entries "profileID|expiry date|30" or "…|7".
const prefExpiryNoted = "notify.expiryNoted"

// expiryCheckEvery is how often the expiry warnings are looked for while
// the agent runs (days pass while it does).
const expiryCheckEvery = time.Hour

func (n *notifier) expiryLoop() {
	n.checkExpiry()
	n.clock.AfterFunc(expiryCheckEvery, func() { n.w.do(n.expiryLoop) })
}

// checkExpiry warns once when a profile's client secret or certificate is
// 30 days from its expiry and once more at 7 days (a profile first seen
// inside 7 days gets only the second warning).
func (n *notifier) checkExpiry() {
	prefs := n.w.app.Preferences()
	if !prefs.BoolWithFallback(PrefNotifyExpiry, true) || len(n.w.m.Rows()) == 0 {
		return
	}
	now := n.clock.Now()
	noted := map[string]bool{}
	for _, k := range prefs.StringList(prefExpiryNoted) {
		noted[k] = true
	}
	var keep []string
	changed := false
	for _, r := range n.w.m.Rows() {
		at, what := r.P.CredentialExpiry()
		if at.IsZero() {
			continue
		}
		date := at.UTC().Format("2006-01-02")
		key := func(stage int) string { return fmt.Sprintf("%s|%s|%d", r.P.ID, date, stage) }
		for _, s := range []int{expiryWarnDays, expiryUrgentDays} {
			if noted[key(s)] {
				keep = append(keep, key(s))
			}
		}
		left := at.Sub(now)
		stage := 0
		switch {
		case left <= expiryUrgentDays*24*time.Hour:
			stage = expiryUrgentDays
		case left <= expiryWarnDays*24*time.Hour:
			stage = expiryWarnDays
		}
		if stage == 0 || noted[key(stage)] {
			continue
		}
		title := "Client secret expires soon"
		if what == "certificate" {
			title = "Certificate expires soon"
		}
		n.send(noteExpiry, title, expiryNote(r.P.Name, what, at, now))
		keep = append(keep, key(stage))
		if stage == expiryUrgentDays && !noted[key(expiryWarnDays)] {
			keep = append(keep, key(expiryWarnDays))
		}
		changed = true
	}
	// Entries of deleted profiles or replaced secrets are dropped.
	if changed || len(keep) != len(noted) {
		prefs.SetStringList(prefExpiryNoted, keep)
	}
}

// expiryNote says which credential of which profile expires when.
func expiryNote(name, what string, at, now time.Time) string {
	date := at.UTC().Format("2006-01-02")
	days := int(at.Sub(now) / (24 * time.Hour))
	var when string
	switch {
	case !now.Before(at):
		return fmt.Sprintf("%s: the %s expired on %s; enter a new one (Rotate secret).", name, what, date)
	case days == 0:
		when = "today"
	case days == 1:
		when = "in 1 day"
	default:
		when = fmt.Sprintf("in %d days", days)
	}
	return fmt.Sprintf("%s: the %s expires %s (%s); %s before then.", name, what, when, date, renewAdvice(what))
}

func renewAdvice(what string) string {
	if strings.Contains(what, "certificate") {
		return "register a new certificate"
	}
	return "rotate it"
}

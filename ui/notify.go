package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// Notifier shows a desktop notification. Texts are built here from profile
// names, states, categories and dates only: never a secret or token.
type Notifier interface {
	Notify(title, body string)
}

// appNotifier is fyne's SendNotification (the desktop's notification
// service; a toast on Windows).
type appNotifier struct{ app fyne.App }

func (n appNotifier) Notify(title, body string) {
	n.app.SendNotification(fyne.NewNotification(title, body))
}

// noteKind is one kind of notification, with the preference that turns it
// off (kinds without one are answers to the user's own action).
type noteKind struct {
	id, label, pref string
	// group is the title of several notes of this kind sent as one.
	group string
}

// Preference keys of the notification kinds (all on by default).
const (
	PrefNotifyRenewal  = "notify.renewalFailed"
	PrefNotifySession  = "notify.sessionEnded"
	PrefNotifyExpiry   = "notify.credentialExpiry"
	PrefNotifyRotation = "notify.rotated"
)

var (
	noteRenew   = noteKind{id: "renew", label: "renewal failures", pref: PrefNotifyRenewal, group: "%d profiles failed to renew"}
	noteSession = noteKind{id: "session", label: "ended sessions", pref: PrefNotifySession, group: "%d sessions ended"}
	noteExpiry  = noteKind{id: "expiry", label: "secret and certificate expiry", pref: PrefNotifyExpiry, group: "%d secrets or certificates expire soon"}
	noteRotated = noteKind{id: "rotated", label: "completed rotations", pref: PrefNotifyRotation, group: "%d secrets rotated"}
	noteAction  = noteKind{id: "action", group: "%d actions need attention"}
	noteAgent   = noteKind{id: "agent", group: "%d notices from Credential Workbench"}

	// noteKinds are the kinds the user can turn off (tray Settings).
	noteKinds = []noteKind{noteRenew, noteSession, noteExpiry, noteRotated}
)

const (
	// noteGroupDelay collects what happens at about the same time (a
	// network outage fails every renewal at once) into one notification.
	noteGroupDelay = 3 * time.Second
	// noteMinGap is the least time between two notifications of one kind.
	noteMinGap = time.Minute
	// noteMaxLines is how many profiles a grouped notification names.
	noteMaxLines = 5
)

type note struct{ title, body string }

// noteQueue collects one kind's notes until they are sent.
type noteQueue struct {
	notes     []note
	scheduled bool
	lastSent  time.Time
}

// notifier turns the service's events into notifications: once per
// episode (a profile that was Active and is no longer), grouped, at most one
// per kind per noteMinGap, each kind off by its preference.
type notifier struct {
	w      *Workbench
	out    Notifier
	clock  Clock
	active map[string]bool // profile ID → Active at the last event
	queues map[string]*noteQueue
}

func newNotifier(w *Workbench, out Notifier, c Clock) *notifier {
	return &notifier{w: w, out: out, clock: c, active: map[string]bool{}, queues: map[string]*noteQueue{}}
}

// start takes the profiles' current states as the starting point and
// begins the expiry checks.
func (n *notifier) start() {
	for _, r := range n.w.m.Rows() {
		n.active[r.P.ID] = n.w.m.Effective(r) == credentials.StatusActive
	}
	n.expiryLoop()
}

// onEvent runs on the UI goroutine after the workbench applied ev.
func (n *notifier) onEvent(ev oauthflow.Event) {
	id := ev.ProfileID
	switch ev.Kind {
	case oauthflow.EventDeleted:
		delete(n.active, id)
		return
	case oauthflow.EventSaved:
		n.checkExpiry() // a new expiry date may have been entered
		return
	case oauthflow.EventRotated:
		n.send(noteRotated, "Secret rotated", fmt.Sprintf("%s: the new client secret is in use.", ev.Name))
	}
	res := ev.Result
	if res == nil {
		return
	}
	f := res.Failure
	if f != nil && f.Category == oauthflow.CatCancelled {
		return // a cancelled test or login changes nothing
	}
	was := n.active[id]
	n.active[id] = res.Active()
	if !was || res.Active() {
		return
	}
	if ev.Kind == oauthflow.EventLoggedOut && f == nil {
		return // the user logged out (here, in the tray or with credctl)
	}
	r := n.w.m.Find(id)
	user := r != nil && r.P.Type == credentials.TypeUser
	switch {
	case user && (res.Status == credentials.StatusLoggedOut || f != nil && f.Category == oauthflow.CatLogin):
		n.send(noteSession, "Session ended",
			fmt.Sprintf("%s: the session has ended at the IdP (expired or revoked); log in again.", ev.Name))
	case f != nil:
		n.send(noteRenew, "Renewal failed",
			fmt.Sprintf("%s was Active and failed to renew (%s).", ev.Name, f.Category.Label()))
	case res.Status == credentials.StatusExpired:
		n.send(noteRenew, "Token expired", fmt.Sprintf("%s: the token expired and was not renewed.", ev.Name))
	}
}

// send queues a note of kind k unless its preference is off. The first note
// of a quiet kind waits noteGroupDelay for others; later ones wait until
// noteMinGap after the last notification of the kind.
func (n *notifier) send(k noteKind, title, body string) {
	if k.pref != "" && !n.w.app.Preferences().BoolWithFallback(k.pref, true) {
		return
	}
	q := n.queues[k.id]
	if q == nil {
		q = &noteQueue{}
		n.queues[k.id] = q
	}
	q.notes = append(q.notes, note{title: title, body: body})
	if q.scheduled {
		return
	}
	q.scheduled = true
	delay := noteGroupDelay
	if !q.lastSent.IsZero() {
		delay = max(delay, noteMinGap-n.clock.Now().Sub(q.lastSent))
	}
	n.clock.AfterFunc(delay, func() { n.w.do(func() { n.flush(k) }) })
}

// flush sends what the kind's queue holds: one note as it is, several as
// one notification naming the first few.
func (n *notifier) flush(k noteKind) {
	q := n.queues[k.id]
	if q == nil || len(q.notes) == 0 {
		return
	}
	notes := q.notes
	q.notes, q.scheduled, q.lastSent = nil, false, n.clock.Now()
	if len(notes) == 1 {
		n.out.Notify(notes[0].title, notes[0].body)
		return
	}
	var lines []string
	for i, nt := range notes {
		if i == noteMaxLines {
			lines = append(lines, fmt.Sprintf("… and %d more: see the workbench.", len(notes)-i))
			break
		}
		lines = append(lines, nt.body)
	}
	n.out.Notify(fmt.Sprintf(k.group, len(notes)), strings.Join(lines, "\n"))
}

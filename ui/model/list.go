package model

import (
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// historyKept is how many events per profile the details pane can list.
const historyKept = 20

// List is the workbench's profiles as the window shows them. It is used
// on one goroutine (the UI's).
type List struct {
	rows []*Row // every profile, as read from the store
	view []*Row // filtered and sorted: what the table shows
	// Sel is the selection among the rows shown (select.go).
	Sel      *Selection
	query    string // lower-cased
	status   StatusFilter
	sortCol  int
	sortDesc bool
	readOnly bool
	busy     map[string]Busy
	live     map[string]oauthflow.Result // latest result per profile from this session
	history  map[string][]oauthflow.Event
	clock    func() time.Time
}

// New is an empty list on the clock now (nil: time.Now).
func New(now func() time.Time) *List {
	if now == nil {
		now = time.Now
	}
	l := &List{clock: now, busy: map[string]Busy{}, live: map[string]oauthflow.Result{}, history: map[string][]oauthflow.Event{}}
	l.Sel = &Selection{l: l}
	return l
}

func (l *List) now() time.Time { return l.clock() }

// Now is the list's clock: what the countdowns count from.
func (l *List) Now() time.Time { return l.clock() }

// Load replaces the rows with ps (the store's read-only view: the rows
// point into it) and rebuilds the view.
func (l *List) Load(ps []credentials.Profile) {
	l.rows = NewRows(ps)
	l.Refilter()
}

// Rows are every profile; View those the filter shows, in table order.
func (l *List) Rows() []*Row { return l.rows }

// View is what the table shows, in its order.
func (l *List) View() []*Row { return l.view }

// ReadOnly: the store could not be read, so nothing may be written.
func (l *List) ReadOnly() bool { return l.readOnly }

// SetReadOnly turns writing off (a broken store) or on again.
func (l *List) SetReadOnly(on bool) { l.readOnly = on }

// Find is the row of a profile ID, nil if none.
func (l *List) Find(id string) *Row {
	for _, r := range l.rows {
		if r.P.ID == id {
			return r
		}
	}
	return nil
}

// NameOf is the name of a profile ID (the ID when it is gone).
func (l *List) NameOf(id string) string {
	if r := l.Find(id); r != nil {
		return r.P.Name
	}
	return id
}

// ViewIndex is the table row showing a profile ID, -1 if none.
func (l *List) ViewIndex(id string) int {
	if id == "" {
		return -1
	}
	for i, r := range l.view {
		if r.P.ID == id {
			return i
		}
	}
	return -1
}

// Busy is what a profile is busy with (Idle: nothing).
func (l *List) Busy(id string) Busy { return l.busy[id] }

// AnyBusy reports whether some profile is busy.
func (l *List) AnyBusy() bool { return len(l.busy) > 0 }

// SetBusy marks a profile busy with b (Idle: no longer).
func (l *List) SetBusy(id string, b Busy) {
	if b == Idle {
		delete(l.busy, id)
		return
	}
	l.busy[id] = b
}

// History is a profile's latest events, oldest first.
func (l *List) History(id string) []oauthflow.Event { return l.history[id] }

// Forget drops what this session knows of deleted profiles.
func (l *List) Forget(ids ...string) {
	for _, id := range ids {
		delete(l.live, id)
		delete(l.history, id)
	}
}

// ApplyResult takes a result into the row's bookkeeping (the one rule the
// service uses: oauthflow.ApplyResult), so the table shows it without
// re-reading the store. A cancelled attempt leaves the profile as it was;
// an older result than one already taken changes nothing.
func (l *List) ApplyResult(res oauthflow.Result) {
	if res.Failure != nil && res.Failure.Category == oauthflow.CatCancelled {
		return
	}
	if old, ok := l.live[res.ProfileID]; ok && old.CheckedAt.After(res.CheckedAt) {
		return
	}
	l.live[res.ProfileID] = res
	if r := l.Find(res.ProfileID); r != nil {
		p := r.Edit()
		oauthflow.ApplyResult(&p.Bookkeeping, *p, res) // as the state file records it
	}
}

// Event takes what the service reports. reload: the profiles changed and
// must be read again.
func (l *List) Event(ev oauthflow.Event) (reload bool) {
	if ev.ProfileID != "" {
		h := append(l.history[ev.ProfileID], ev)
		if len(h) > historyKept {
			h = h[len(h)-historyKept:]
		}
		l.history[ev.ProfileID] = h
	}
	switch ev.Kind {
	case oauthflow.EventSaved, oauthflow.EventDeleted:
		return true
	case oauthflow.EventTesting:
		if l.busy[ev.ProfileID] == Idle {
			l.busy[ev.ProfileID] = BusyTesting
		}
	}
	if ev.Result != nil {
		l.ApplyResult(*ev.Result)
		// A fetch the workbench did not start (a renewal, a test request's
		// token) only shows "Testing…" until its outcome arrives; the
		// workbench's own operations clear theirs when they return.
		if l.busy[ev.ProfileID] == BusyTesting {
			delete(l.busy, ev.ProfileID)
		}
	}
	return false
}

// CountingDown reports whether a shown row's countdown runs (or ran out
// less than a minute ago, so its status turns to Expired): the table's
// cells then change by the second.
func (l *List) CountingDown() bool {
	now := l.now()
	for _, r := range l.view {
		if !r.P.TokenExpiry.IsZero() && now.Before(r.P.TokenExpiry.Add(time.Minute)) {
			return true
		}
	}
	return false
}

// RenewalFailing reports whether any row's renewal fails.
func (l *List) RenewalFailing() bool {
	for _, r := range l.rows {
		if l.Standing(r).RenewalFailing() {
			return true
		}
	}
	return false
}

// DropResult forgets this session's last result of a profile (it was
// edited: the next result starts afresh).
func (l *List) DropResult(id string) { delete(l.live, id) }

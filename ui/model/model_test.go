package model

import (
	"slices"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

var t0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

func profiles() []credentials.Profile {
	ps := []credentials.Profile{
		{ID: "a", Name: "alpha", Type: credentials.TypeApplication, ClientID: "cid-a", TokenURL: "https://idp/token"},
		{ID: "b", Name: "Beta", Type: credentials.TypeApplication, ClientID: "cid-b", TokenURL: "https://other/token"},
		{ID: "c", Name: "carol", Type: credentials.TypeUser, ClientID: "cid-c", AuthURL: "https://idp/auth",
			Bookkeeping: credentials.Bookkeeping{LastStatus: credentials.StatusActive, LastChecked: t0, TokenExpiry: t0.Add(5 * time.Minute), LoggedInAs: "carol"}},
	}
	for i := range ps {
		ps[i].Revision = 1
	}
	ps[0].HasSecret = true
	return ps
}

func names(rows []*Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.P.Name)
	}
	return out
}

func newList() *List {
	l := New(func() time.Time { return t0 })
	l.Load(profiles())
	return l
}

func TestFilterAndSort(t *testing.T) {
	l := newList()
	if got := names(l.View()); !slices.Equal(got, []string{"alpha", "Beta", "carol"}) {
		t.Fatalf("by name: %v", got)
	}
	l.SetFilter("  OTHER ", AllStatuses)
	if got := names(l.View()); !slices.Equal(got, []string{"Beta"}) {
		t.Fatalf("text filter: %v", got)
	}
	l.SetFilter("", OnlyNeedsSecret)
	if got := names(l.View()); !slices.Equal(got, []string{"Beta"}) {
		t.Fatalf("needs secret: %v", got)
	}
	l.SetFilter("", OnlyExpiring)
	if got := names(l.View()); !slices.Equal(got, []string{"carol"}) {
		t.Fatalf("expiring: %v", got)
	}
	l.SetFilter("", AllStatuses)
	l.SortBy(ColName)
	if got := names(l.View()); !slices.Equal(got, []string{"carol", "Beta", "alpha"}) {
		t.Fatalf("name descending: %v", got)
	}
	l.SortBy(ColStatus) // "active (carol)" < "needs secret" < "untested"
	if got := names(l.View()); !slices.Equal(got, []string{"carol", "Beta", "alpha"}) {
		t.Fatalf("by status: %v", got)
	}
	if col, desc := l.Sort(); col != ColStatus || desc {
		t.Fatalf("sort = %d %v", col, desc)
	}
}

func TestFilterDropsHiddenSelection(t *testing.T) {
	l := newList()
	l.Sel.Select("a", false)
	l.SetFilter("beta", AllStatuses)
	if l.Sel.Selected() != nil {
		t.Fatal("a profile the filter hides stays selected")
	}
}

func TestStatusAndBusy(t *testing.T) {
	l := newList()
	c := l.Find("c")
	if s, tone := l.Status(c); s != "Active (carol)" || tone != ToneSuccess {
		t.Fatalf("status %q %v", s, tone)
	}
	if got := l.ExpiresIn(c); got != "5m 00s" {
		t.Fatalf("expires in %q", got)
	}
	l.SetBusy("c", BusyLoggingOut)
	if s, tone := l.Status(c); s != "Logging out…" || tone != ToneWarning {
		t.Fatalf("busy status %q %v", s, tone)
	}
	if l.Allowed(ActLogout, c) || !l.Allowed(ActRequest, c) {
		t.Fatal("a busy row allows Logout, or refuses Request")
	}
	l.SetBusy("c", Idle)
	if l.AnyBusy() || !l.Allowed(ActLogout, c) {
		t.Fatal("Idle did not clear the busy state")
	}
	if s, _ := l.Status(l.Find("b")); s != "Needs secret" {
		t.Fatalf("b: %q", s)
	}
}

func TestAllowed(t *testing.T) {
	l := newList()
	a, b, c := l.Find("a"), l.Find("b"), l.Find("c")
	for _, tc := range []struct {
		act  Action
		r    *Row
		want bool
	}{
		{ActRotate, a, true}, {ActRotate, b, false}, {ActRotate, c, false},
		{ActLogin, a, false}, {ActLogin, c, true}, {ActLogout, c, true},
		{ActTest, b, true}, {ActEdit, a, true}, {ActDelete, nil, false},
	} {
		if got := l.Allowed(tc.act, tc.r); got != tc.want {
			t.Errorf("Allowed(%d, %v) = %v", tc.act, tc.r, got)
		}
	}
	l.SetReadOnly(true)
	if l.Allowed(ActEdit, a) || l.Allowed(ActTest, a) || !l.Allowed(ActRequest, a) {
		t.Error("read-only: only Request stays")
	}
}

func TestMultipleSelection(t *testing.T) {
	l := newList()
	l.Sel.Select("a", false)
	if sel, keep := l.Sel.Click(2, true, false); sel != 2 || !keep {
		t.Fatalf("ctrl click = %d %v", sel, keep)
	}
	l.Sel.Select("c", true)
	if got := names(l.Sel.Selection()); !slices.Equal(got, []string{"alpha", "carol"}) {
		t.Fatalf("ctrl: %v", got)
	}
	// Ctrl on the selected marked row: it leaves, the details follow alpha.
	if sel, _ := l.Sel.Click(2, true, false); sel != 0 {
		t.Fatalf("unmark selected: next %d", sel)
	}
	l.Sel.Select("a", true)
	if l.Sel.Multi() != nil {
		t.Fatalf("one left is no multiple selection: %v", names(l.Sel.Multi()))
	}
	if sel, keep := l.Sel.Click(2, false, true); sel != 2 || !keep {
		t.Fatal("shift click")
	}
	l.Sel.Select("c", true)
	if got := names(l.Sel.Multi()); len(got) != 3 || !l.Sel.Marked("b") {
		t.Fatalf("shift: %v", got)
	}
	if !l.Sel.Select("b", false) || l.Sel.Multi() != nil {
		t.Fatal("a plain selection ends the marks")
	}
	if l.Sel.MarkAll() != -1 || len(l.Sel.Multi()) != 3 {
		t.Fatal("Ctrl+A")
	}
	if !l.Sel.ClearMarks() || l.Sel.ClearMarks() {
		t.Fatal("ClearMarks")
	}
}

func TestBulkPicks(t *testing.T) {
	l := newList()
	l.SetBusy("c", BusyLoggingIn)
	ids, need := l.StartTests(l.Rows())
	if !slices.Equal(ids, []string{"a"}) || need != 1 || l.Busy("a") != BusyTesting {
		t.Fatalf("StartTests = %v %d", ids, need)
	}
	if got := l.IdleIDs(l.Rows()); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("IdleIDs = %v", got)
	}
	l.SetBusy("a", Idle)
	if got := l.TakesSecret(l.Rows()); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("TakesSecret = %v", got)
	}
}

// Results follow the service's one bookkeeping rule; cancelled and older
// results change nothing; a test the service announces shows as Testing
// until its outcome arrives.
func TestEventsAndResults(t *testing.T) {
	l := newList()
	l.Event(oauthflow.Event{Kind: oauthflow.EventTesting, ProfileID: "a"})
	if l.Busy("a") != BusyTesting {
		t.Fatal("a Testing event did not mark the row")
	}
	ok := oauthflow.Result{ProfileID: "a", Status: credentials.StatusActive, Expiry: t0.Add(time.Hour), CheckedAt: t0}
	if l.Event(oauthflow.Event{Kind: oauthflow.EventTested, ProfileID: "a", Result: &ok}) {
		t.Fatal("a result asked for a reload")
	}
	a := l.Find("a")
	if l.Busy("a") != Idle || a.P.LastStatus != credentials.StatusActive || !a.P.TokenExpiry.Equal(t0.Add(time.Hour)) {
		t.Fatalf("after the result: busy %v, %+v", l.Busy("a"), a.P.Bookkeeping)
	}
	older := oauthflow.Result{ProfileID: "a", Status: credentials.StatusFailed, CheckedAt: t0.Add(-time.Minute),
		Failure: &oauthflow.Failure{Category: oauthflow.CatNetwork, Message: "down"}}
	l.ApplyResult(older)
	cancelled := oauthflow.Result{ProfileID: "a", Status: credentials.StatusFailed, CheckedAt: t0.Add(time.Minute),
		Failure: &oauthflow.Failure{Category: oauthflow.CatCancelled, Message: "cancelled"}}
	l.ApplyResult(cancelled)
	if a.P.LastStatus != credentials.StatusActive {
		t.Fatalf("an older or cancelled result changed the row: %+v", a.P.Bookkeeping)
	}
	// The row's copy is its own: the loaded profiles are not written.
	if len(l.History("a")) != 2 {
		t.Fatalf("history %d", len(l.History("a")))
	}
	if !l.Event(oauthflow.Event{Kind: oauthflow.EventSaved, ProfileID: "a"}) {
		t.Fatal("a save must reload")
	}
	l.Forget("a")
	if len(l.History("a")) != 0 {
		t.Fatal("Forget kept the history")
	}
}

func TestRowCopiesOnEdit(t *testing.T) {
	ps := profiles()
	rows := NewRows(ps)
	rows[0].Edit().Name = "changed"
	if ps[0].Name != "alpha" || rows[0].P.Name != "changed" {
		t.Fatal("Edit wrote the shared profile")
	}
}

func TestCountdownAndBusyLabels(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "expired", 12 * time.Second: "12s", 59*time.Minute + 58*time.Second: "59m 58s",
		65 * time.Minute: "1h 05m", 49 * time.Hour: "2d 01h"} {
		if got := Countdown(d); got != want {
			t.Errorf("Countdown(%v) = %q, want %q", d, got, want)
		}
	}
	for b := BusyTesting; b <= BusyRenewing; b++ {
		if b.Label() == "" {
			t.Errorf("busy %d has no label", b)
		}
	}
	if Idle.Label() != "" {
		t.Error("Idle has a label")
	}
}

// A logout's result leaves no user, token or login time behind (the rule
// the service records it by; the GUI's old copy kept the user).
func TestLogoutResult(t *testing.T) {
	l := newList()
	l.ApplyResult(oauthflow.Result{ProfileID: "c", Status: credentials.StatusLoggedOut, CheckedAt: t0.Add(time.Minute)})
	c := l.Find("c").P
	if c.LastStatus != credentials.StatusLoggedOut || c.LoggedInAs != "" || !c.TokenExpiry.IsZero() {
		t.Fatalf("after logout: %+v", c.Bookkeeping)
	}
	if s, _ := l.Status(l.Find("c")); s != string(credentials.StatusLoggedOut) {
		t.Fatalf("status %q", s)
	}
}

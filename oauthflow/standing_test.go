package oauthflow

import (
	"context"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// A failed check while the token of an earlier one is still valid is
// Active with its renewal failing (both facts); once the token runs out it
// is Failed.
func TestStandingOfRenewalFailing(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	p := credentials.Profile{Type: credentials.TypeApplication}
	p.LastStatus, p.LastCategory, p.LastError = credentials.StatusFailed, string(CatNetwork), "connection refused"
	p.TokenExpiry = now.Add(58*time.Minute + 30*time.Second)
	p.LastChecked = now

	st := StandingOf(p, now)
	if st.Status != credentials.StatusActive || !st.RenewalFailing() || st.Renewal != CatNetwork {
		t.Fatalf("standing %+v", st)
	}
	if got, want := st.Text(), "Active — renewal failing (Network), token valid 58 min"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
	if got, want := st.Short(), "Active — renewal failing (Network)"; got != want {
		t.Errorf("Short() = %q, want %q", got, want)
	}

	later := StandingOf(p, p.TokenExpiry)
	if later.Status != credentials.StatusFailed || later.RenewalFailing() || later.Text() != "Failed" || !later.Expiry.IsZero() {
		t.Errorf("after the token ran out: %+v (%q)", later, later.Text())
	}
}

func TestStandingOfPlainStates(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		status credentials.Status
		expiry time.Time
		want   string
		left   time.Duration
	}{
		{"untested", "", time.Time{}, "Untested", 0},
		{"active", credentials.StatusActive, now.Add(time.Hour), "Active", time.Hour},
		{"expired", credentials.StatusActive, now.Add(-time.Second), "Expired", 0},
		{"failed without a token", credentials.StatusFailed, time.Time{}, "Failed", 0},
		{"logged out", credentials.StatusLoggedOut, time.Time{}, "Logged out", 0},
	} {
		p := credentials.Profile{}
		p.LastStatus, p.TokenExpiry = c.status, c.expiry
		st := StandingOf(p, now)
		if st.Text() != c.want || st.RenewalFailing() || st.Left != c.left {
			t.Errorf("%s: %+v %q, want %q", c.name, st, st.Text(), c.want)
		}
	}
}

func TestValidFor(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second:                    "0 s",
		40 * time.Second:                "40 s",
		59*time.Minute + 59*time.Second: "59 min",
		65 * time.Minute:                "1 h 05 min",
		72 * time.Hour:                  "3 days",
	} {
		if got := ValidFor(d); got != want {
			t.Errorf("ValidFor(%v) = %q, want %q", d, got, want)
		}
	}
}

// A check that could not ask the IdP (no secret stored, no session) leaves
// a never-checked profile as it was: no "Last checked" time, no "Logged
// out" it never was. A profile checked before records it as usual.
func TestApplyResultUnasked(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	user := credentials.Profile{Type: credentials.TypeUser}
	user.LastStatus = credentials.StatusUntested
	notIn := Result{Status: credentials.StatusLoggedOut, CheckedAt: now,
		Failure: &Failure{Category: CatLogin, Message: "not logged in: log in to start a session"}}
	b := user.Bookkeeping
	ApplyResult(&b, user, notIn)
	if b.LastStatus != credentials.StatusUntested || !b.LastChecked.IsZero() {
		t.Errorf("never-logged-in User profile: %s, checked %v", b.LastStatus, b.LastChecked)
	}

	app := credentials.Profile{Type: credentials.TypeApplication}
	noSecret := Result{Status: credentials.StatusFailed, CheckedAt: now,
		Failure: &Failure{Category: CatCredentials, Message: "no client secret is stored"}}
	b = app.Bookkeeping
	ApplyResult(&b, app, noSecret)
	if b.LastStatus != "" || !b.LastChecked.IsZero() {
		t.Errorf("Application profile without a secret: %s, checked %v", b.LastStatus, b.LastChecked)
	}

	// Checked before: the outcome is recorded.
	user.LastStatus, user.LastChecked = credentials.StatusActive, now.Add(-time.Hour)
	b = user.Bookkeeping
	ApplyResult(&b, user, notIn)
	if b.LastStatus != credentials.StatusLoggedOut || !b.LastChecked.Equal(now) {
		t.Errorf("User profile logged in before: %s, checked %v", b.LastStatus, b.LastChecked)
	}
	// A refused secret is a check that happened.
	app.HasSecret = true
	b = app.Bookkeeping
	ApplyResult(&b, app, noSecret)
	if b.LastStatus != credentials.StatusFailed || !b.LastChecked.Equal(now) {
		t.Errorf("Application profile with a secret: %s, checked %v", b.LastStatus, b.LastChecked)
	}
	// A failure keeps the valid token's expiry (the standing needs it).
	b.TokenExpiry = now.Add(time.Hour)
	ApplyResult(&b, app, Result{Status: credentials.StatusFailed, CheckedAt: now, Failure: &Failure{Category: CatNetwork, Message: "x"}})
	if !b.TokenExpiry.Equal(now.Add(time.Hour)) {
		t.Errorf("token expiry %v after a failed check", b.TokenExpiry)
	}
}

// "Last checked" of a login is when it ended (the user took their time in
// the browser), in the result and in the state file.
func TestLoginLastCheckedIsItsEnd(t *testing.T) {
	idp := testidp.Shared(t)
	repo := loginRepo(t)
	p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
	const dawdle = 1500 * time.Millisecond
	login := idp.Browser(testidp.Username, testidp.Password)
	s := NewService(repo, newFakeBrowser(func(ctx context.Context, u string) error {
		time.Sleep(dawdle)
		return login(ctx, u)
	}), nil)
	defer s.Close()
	start := time.Now()
	res := loginOK(t, s, p.Name, LoginOptions{})
	if res.CheckedAt.Sub(start) < dawdle {
		t.Errorf("result checked at %v, %v after the login began; want its end", res.CheckedAt, res.CheckedAt.Sub(start))
	}
	got, err := repo.Get(p.Name)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastChecked.Sub(start) < dawdle {
		t.Errorf("recorded Last checked %v, %v after the login began; want its end", got.LastChecked, got.LastChecked.Sub(start))
	}
}

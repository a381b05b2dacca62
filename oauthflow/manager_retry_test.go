package oauthflow

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
)

// A failed renewal is retried while the kept token still works (within half
// its remaining lifetime), not after the usual retry delay of a minute, which
// for a short-lived token comes after its expiry (hardening finding 7).
//
// The token endpoint answers 1: a 60 s token, 2 and 3: 503, 4: a new token.
// Renewal is due at +30 s (30 s before expiry) and fails; the retries come at
// +45 s (half of 30 s left) and +52.5 s (half of 15 s left), the second one
// succeeding — all before the first token expires at +60 s.
func TestManagerRetriesFailedRenewalBeforeExpiry(t *testing.T) {
	clock := newCCFakeClock()
	var (
		mu    sync.Mutex
		calls []time.Time // service-clock time of each token request
	)
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls = append(calls, clock.Now())
		n := len(calls)
		mu.Unlock()
		if n == 2 || n == 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":60}`, n)
	}))
	t.Cleanup(idp.Close)
	callCount := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(calls)
	}

	s := ccServiceWithClock(t, clock)
	ev := ccSubscribe(t, s)
	p := ccSave(t, s, ccApp("retry", idp.URL+"/token"), "retry-secret") // interval 5 min
	t0 := clock.Now()
	first := ccTest(t, s, p.Name)
	ccWantActive(t, first)
	expiry := t0.Add(60 * time.Second)
	if !first.Expiry.Equal(expiry) {
		t.Fatalf("expiry %v, want now+60s", first.Expiry)
	}

	clock.Advance(30 * time.Second) // renewal due; answered 503
	failed := ev.wait(t, p.ID, EventFailed, 5*time.Second)
	if failed.Result.Failure == nil || failed.Result.Failure.Category != CatEndpoint {
		t.Fatalf("renewal failure %+v", failed.Result.Failure)
	}
	if tok, err := s.Token(context.Background(), p.Name); err != nil || tok.AccessToken != "tok-1" {
		t.Fatalf("Token after the failed renewal: %v, %v; want the still-valid tok-1", tok, err)
	}

	// No retry before half the remaining lifetime: the IdP is not hammered.
	clock.Advance(14 * time.Second) // +44 s
	ev.none(t, p.ID, EventFailed, 200*time.Millisecond)
	if n := callCount(); n != 2 {
		t.Fatalf("%d token requests at +44 s, want 2 (no early retry)", n)
	}
	clock.Advance(time.Second) // +45 s: first retry, fails again
	ev.wait(t, p.ID, EventFailed, 5*time.Second)
	if st, _ := s.Status(p.Name); st.Status != credentials.StatusFailed {
		t.Errorf("status %s at +45 s, want Failed (the token still works)", st.Status)
	}
	clock.Advance(7 * time.Second) // +52 s
	ev.none(t, p.ID, EventRenewed, 200*time.Millisecond)
	clock.Advance(500 * time.Millisecond) // +52.5 s: second retry succeeds
	renewed := ev.wait(t, p.ID, EventRenewed, 5*time.Second)

	mu.Lock()
	got := append([]time.Time(nil), calls...)
	mu.Unlock()
	want := []time.Duration{0, 30 * time.Second, 45 * time.Second, 52500 * time.Millisecond}
	if len(got) != len(want) {
		t.Fatalf("%d token requests, want %d", len(got), len(want))
	}
	for i, at := range got {
		if d := at.Sub(t0); d != want[i] {
			t.Errorf("token request %d at +%v, want +%v", i+1, d, want[i])
		}
		if !at.Before(expiry) {
			t.Errorf("token request %d at +%v, after the first token expired (+60s)", i+1, at.Sub(t0))
		}
	}
	if renewed.Result == nil || !renewed.Result.Active() || !renewed.Result.Expiry.Equal(t0.Add(52500*time.Millisecond+60*time.Second)) {
		t.Fatalf("renewal result %+v", renewed.Result)
	}
	clock.Advance(8 * time.Second) // +60.5 s: past the first token's expiry
	st, err := s.Status(p.Name)
	if err != nil || !st.Active() {
		t.Fatalf("status after the first token's expiry: %s, %v; want Active", st.Status, err)
	}
	if tok, err := s.Token(context.Background(), p.Name); err != nil || tok.AccessToken != "tok-4" {
		t.Fatalf("Token: %v, %v; want the renewed tok-4", tok, err)
	}
	if n := callCount(); n != 4 {
		t.Errorf("%d token requests, want 4 (the renewed token is served)", n)
	}
}

// A renewal refused for a reason that will not fix itself (the secret was
// revoked: invalid_client) is not retried every minute; the token is kept
// while it works and the status keeps saying why it failed.
func TestManagerDoesNotRetryRefusedCredentials(t *testing.T) {
	clock := newCCFakeClock()
	var (
		mu    sync.Mutex
		calls int
	)
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if n > 1 {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = fmt.Fprint(w, `{"error":"invalid_client","error_description":"client authentication failed"}`)
			return
		}
		_, _ = fmt.Fprint(w, `{"access_token":"tok-1","token_type":"Bearer","expires_in":600}`)
	}))
	t.Cleanup(idp.Close)

	s := ccServiceWithClock(t, clock)
	ev := ccSubscribe(t, s)
	p := ccApp("revoked", idp.URL+"/token")
	p.RefreshInterval = credentials.Duration(time.Minute)
	p = ccSave(t, s, p, "revoked-secret")
	ccWantActive(t, ccTest(t, s, p.Name))

	clock.Advance(time.Minute) // renewal at the interval: refused
	failed := ev.wait(t, p.ID, EventFailed, 5*time.Second)
	if failed.Result.Failure == nil || failed.Result.Failure.Category != CatCredentials {
		t.Fatalf("renewal failure %+v", failed.Result.Failure)
	}
	for range 5 { // five more minutes: nobody asks the IdP again
		clock.Advance(time.Minute)
		ev.none(t, p.ID, EventFailed, 100*time.Millisecond)
	}
	mu.Lock()
	n := calls
	mu.Unlock()
	if n != 2 {
		t.Errorf("%d token requests, want 2 (no retries of refused credentials)", n)
	}
	clock.Advance(10 * time.Minute) // past the kept token's expiry
	st, _ := s.Status(p.Name)
	if st.Status != credentials.StatusFailed || st.Failure == nil || st.Failure.Category != CatCredentials {
		t.Errorf("status %s (%v), want Failed: Credentials", st.Status, st.Failure)
	}
}

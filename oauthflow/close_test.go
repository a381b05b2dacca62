package oauthflow

import (
	"context"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// Close while a refresh-token redemption is in flight (#24.5): the IdP has
// rotated the refresh token and answers 2 s later. Close waits for the
// answer and keeps the new refresh token, so the next refresh, by another
// process, succeeds; abandoning it kept the used token, and its reuse made
// the IdP end the session.
func TestCloseKeepsRedemptionInFlight(t *testing.T) {
	idp := testidp.Shared(t)
	repo := loginRepo(t)
	p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
	s := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
	loginOK(t, s, p.Name, LoginOptions{})

	idp.Reset(t)
	idp.SetTokenFault(t, testidp.Fault{AnswerDelay: 2 * time.Second})
	go func() { _, _ = s.Test(context.Background(), p.Name) }()
	for deadline := time.Now().Add(10 * time.Second); idp.Stats(t).Grants["refresh_token"] == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the refresh did not reach the IdP within 10 s")
		}
	}
	start := time.Now()
	s.Close()
	if d := time.Since(start); d > DefaultHTTPTimeout {
		t.Errorf("Close took %v, more than the HTTP timeout", d)
	}

	idp.Reset(t)
	next := NewService(repo, nil, nil)
	defer next.Close()
	res, err := next.Test(context.Background(), p.Name)
	if err != nil || !res.Active() {
		t.Fatalf("the refresh after Close: %v %+v (IdP errors %v): the session was lost", err, res.Failure, idp.Stats(t).TokenErrors)
	}
}

// A one-shot process (credctl) renews nothing in the background: a token
// it fetched schedules no renewal, so no redemption can be in flight when
// the command ends.
func TestOneShotSchedulesNoRenewal(t *testing.T) {
	idp := testidp.Shared(t)
	clock := newCCFakeClock()
	s := ccServiceWithClock(t, clock)
	s.OneShot = true
	p := ccSave(t, s, ccApp("one-shot", idp.TokenURL), testidp.AppClientSecret)
	if _, err := s.Token(context.Background(), p.Name); err != nil {
		t.Fatal(err)
	}
	if n := clock.pending(); n != 0 {
		t.Fatalf("%d renewals scheduled in a one-shot service", n)
	}
}

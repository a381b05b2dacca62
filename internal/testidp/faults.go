package testidp

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// Refresh tokens: the IdP rotates every refresh token it redeems
// (oidc-provider's rotateRefreshToken) and detects reuse, as Okta, Auth0 and
// Keycloak with "revoke refresh token" do: redeeming a rotated-out refresh
// token again fails with invalid_grant ("refresh token already used") and
// revokes the whole grant, so the token the first redemption issued stops
// working too: the session is gone.

// Fault makes the token endpoint misbehave (see IdP.SetTokenFault).
type Fault struct {
	Status int           // HTTP status to answer with; 0 = answer normally (after Delay)
	Delay  time.Duration // delay before answering
	Count  int           // number of requests affected; 0 = all until Reset
	// AnswerDelay holds back the answer of a request the IdP has carried
	// out: a refresh token is redeemed (and rotated) at once, its answer
	// arrives this much later, as from an IdP that is slow to respond.
	// A client that gives up meanwhile has lost the new refresh token.
	AnswerDelay time.Duration
}

// Reset zeroes the counters and clears any fault.
func (p *IdP) Reset(t testing.TB) {
	t.Helper()
	if err := p.call(http.MethodPost, p.Issuer+"/__test/reset", nil, nil); err != nil {
		t.Fatalf("testidp: reset: %v", err)
	}
}

// SetTokenFault makes the token endpoint slow and/or fail (until Reset).
func (p *IdP) SetTokenFault(t testing.TB, f Fault) {
	t.Helper()
	form := url.Values{
		"status":        {fmt.Sprint(f.Status)},
		"delayMs":       {fmt.Sprint(f.Delay.Milliseconds())},
		"count":         {fmt.Sprint(f.Count)},
		"answerDelayMs": {fmt.Sprint(f.AnswerDelay.Milliseconds())},
	}
	if f.Count == 0 {
		form.Set("count", "-1")
	}
	if err := p.call(http.MethodPost, p.Issuer+"/__test/fault", form, nil); err != nil {
		t.Fatalf("testidp: fault: %v", err)
	}
}

// SetDeviceSlowDown answers the next n pending device-code polls with
// slow_down (oidc-provider itself never does; until Reset).
func (p *IdP) SetDeviceSlowDown(t testing.TB, n int) {
	t.Helper()
	if err := p.call(http.MethodPost, p.Issuer+"/__test/device", url.Values{"slowDown": {fmt.Sprint(n)}}, nil); err != nil {
		t.Fatalf("testidp: device slow_down: %v", err)
	}
}

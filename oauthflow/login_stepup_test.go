package oauthflow

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

const stepUpACR = "urn:credworkbench:loa:mfa"

// stepUpUser logs in as carol, entering her one-time code only when otp is set.
type stepUpUser struct {
	mu   sync.Mutex
	otp  string
	seen []*url.URL
}

func (u *stepUpUser) login(ctx context.Context, start string) error {
	u.mu.Lock()
	opts := []testidp.BrowserOption{testidp.WithAuthURL(func(x *url.URL) { u.mu.Lock(); u.seen = append(u.seen, x); u.mu.Unlock() })}
	if u.otp != "" {
		opts = append(opts, testidp.WithOTP(u.otp))
	}
	u.mu.Unlock()
	return testidp.BrowserLogin(ctx, start, "carol", "secure", opts...)
}

// TestStepUp: an API that demands an acr answers the RFC 9470 challenge;
// the request reports it, a step-up login asks the IdP for it, the MFA
// verification checks the result, and the retried request passes. A
// step-up login without the second factor fails with our diagnosis.
func TestStepUp(t *testing.T) {
	requireKeyring(t)
	const otp = "271828"
	idp := testidp.Start(t, testidp.WithStepUp(),
		testidp.WithUser(testidp.User{Username: "carol", Password: "secure", Roles: []string{"viewer"}, OTP: otp}))
	api := testapi.StartStepUp(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource},
		testapi.StepUpPolicy{ACRValues: []string{stepUpACR}})

	setup := func(t *testing.T) (*Service, credentials.Profile, *stepUpUser, *credentials.Repository) {
		repo := loginRepo(t)
		p := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", nil)
		u := &stepUpUser{}
		s := NewService(repo, newFakeBrowser(u.login), nil)
		t.Cleanup(s.Close)
		loginOK(t, s, p.Name, LoginOptions{}) // password only
		return s, p, u, repo
	}
	request := func(t *testing.T, s *Service, name string) *Response {
		resp, err := s.Request(context.Background(), name, RequestSpec{URL: api.URL + "/orders"})
		if err != nil {
			t.Fatalf("Request: %v", err)
		}
		return resp
	}

	t.Run("step-up and retry", func(t *testing.T) {
		s, p, u, repo := setup(t)
		resp := request(t, s, p.Name)
		if resp.Status != http.StatusUnauthorized || resp.StepUp == nil || len(resp.StepUp.ACRValues) != 1 || resp.StepUp.ACRValues[0] != stepUpACR {
			t.Fatalf("first request: %d %+v (%s)", resp.Status, resp.StepUp, resp.AuthProblem)
		}
		stored, _ := repo.Get(p.ID)
		if adv := StepUpAdvice(stored, resp.StepUp, "--step-up"); !strings.Contains(adv, "--step-up") || !strings.Contains(adv, stepUpACR) {
			t.Errorf("advice %q", adv)
		}
		u.otp = otp
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		res, err := s.Login(ctx, p.Name, LoginOptions{StepUp: resp.StepUp})
		if err != nil || !res.Active() {
			t.Fatalf("step-up login: %v %s %v", err, res.Status, res.Failure)
		}
		if !strings.Contains(res.Token.MFA, "MFA verified") {
			t.Errorf("step-up result MFA %q", res.Token.MFA)
		}
		if q := u.seen[len(u.seen)-1].Query(); q.Get("acr_values") != stepUpACR {
			t.Errorf("the step-up login did not ask for the acr: %v", q)
		}
		if resp := request(t, s, p.Name); resp.Status != http.StatusOK {
			t.Fatalf("retried request: %d %s", resp.Status, resp.AuthProblem)
		}
	})

	t.Run("max_age: a recent sign-in", func(t *testing.T) {
		fresh := testapi.StartStepUp(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource},
			testapi.StepUpPolicy{MaxAge: 2 * time.Second})
		s, p, u, _ := setup(t)
		time.Sleep(3 * time.Second) // the login is older than the API accepts now
		resp, err := s.Request(context.Background(), p.Name, RequestSpec{URL: fresh.URL + "/orders"})
		if err != nil || resp.StepUp == nil || resp.StepUp.MaxAge != 2 {
			t.Fatalf("request: %v %+v", err, resp)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		res, err := s.Login(ctx, p.Name, LoginOptions{StepUp: resp.StepUp})
		if err != nil || !res.Active() {
			t.Fatalf("step-up login: %v %s %v", err, res.Status, res.Failure)
		}
		if q := u.seen[len(u.seen)-1].Query(); q.Get("max_age") != "2" {
			t.Errorf("the step-up login did not send max_age: %v", q)
		}
		resp, err = s.Request(context.Background(), p.Name, RequestSpec{URL: fresh.URL + "/orders"})
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("retried request: %v %+v", err, resp)
		}
	})

	t.Run("step-up without the second factor", func(t *testing.T) {
		s, p, _, _ := setup(t)
		resp := request(t, s, p.Name)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		res, err := s.Login(ctx, p.Name, LoginOptions{StepUp: resp.StepUp})
		if err != nil {
			t.Fatal(err)
		}
		if res.Active() || res.Failure == nil || res.Failure.Category != CatMFA || !strings.Contains(res.Failure.Message, "does not meet what the API asks") {
			t.Fatalf("step-up without MFA: %s %+v", res.Status, res.Failure)
		}
	})
}

package oauthflow

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

const (
	teClientID     = "exchanger"
	teClientSecret = "exchanger-secret"
	teNoGrantID    = "no-exchange"
	tePublicID     = "public-exchanger"
	jbClientID     = "bearer"
)

// teIdP is the test IdP with token exchange and JWT bearer switched on,
// and the clients of these tests.
func teIdP(t *testing.T, jwks ...json.RawMessage) *testidp.IdP {
	t.Helper()
	opts := []testidp.Option{testidp.WithTokenExchange(),
		testidp.WithClient(testidp.Client{ID: teClientID, Secrets: []string{teClientSecret}, GrantTypes: []string{testidp.TokenExchangeGrant}}),
		testidp.WithClient(testidp.Client{ID: tePublicID, GrantTypes: []string{testidp.TokenExchangeGrant}}),
		testidp.WithClient(testidp.Client{ID: teNoGrantID, Secrets: []string{teClientSecret}, GrantTypes: []string{"client_credentials"}}),
	}
	if len(jwks) > 0 {
		opts = append(opts, testidp.WithClient(testidp.Client{ID: jbClientID, GrantTypes: []string{testidp.JWTBearerGrant}, JWKS: jwks,
			Metadata: map[string]any{"token_endpoint_auth_method": "none"}}))
	}
	return testidp.Start(t, opts...)
}

func teProfile(name, tokenURL, clientID, subjectID string) credentials.Profile {
	return credentials.Profile{
		Name: name, Type: credentials.TypeApplication, GrantType: credentials.GrantTokenExchange,
		TokenURL: tokenURL, ClientID: clientID, SubjectProfile: subjectID, Audience: testidp.ExchangeAudience,
		RefreshInterval: credentials.Duration(5 * time.Minute),
	}
}

func teSave(t *testing.T, s *Service, p credentials.Profile, secret string) credentials.Profile {
	t.Helper()
	ch := credentials.SecretChange{}
	if secret != "" {
		ch.ClientSecret = credentials.Secret(secret)
	}
	saved, err := s.Save(p, ch)
	if err != nil {
		t.Fatalf("save %s: %v", p.Name, err)
	}
	t.Cleanup(func() { _ = s.repo.Delete(saved.ID) })
	return saved
}

func wantMessage(t *testing.T, res Result, want string) {
	t.Helper()
	if res.Failure == nil || !strings.Contains(res.Failure.Message, want) {
		t.Fatalf("status %s, failure %v; want a failure saying %q", res.Status, res.Failure, want)
	}
}

// Token exchange against the real oidc-provider with the grant registered
// (exchange.mjs): the user's token is exchanged for one of another
// audience that a resource server of that audience accepts, with act for
// an actor; the failures read as our diagnoses; the derived token is
// exchanged again when the subject's renews and dropped when the subject
// logs out; deleting the subject names the derived profile.
func TestTokenExchangeAgainstTestIdP(t *testing.T) {
	idp := teIdP(t)
	repo := loginRepo(t)
	s := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
	defer s.Close()
	alice := saveUserProfile(t, repo, idp.Issuer, testidp.PublicClientID, "", func(p *credentials.Profile) { p.Name = "alice-portal" })
	orders := teSave(t, s, teProfile("orders", idp.TokenURL, teClientID, alice.ID), teClientSecret)
	api := testapi.StartJSON(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.ExchangeAudience})

	res := ccTest(t, s, orders.Name)
	wantMessage(t, res, "log in to 'alice-portal' first: the token exchange needs its token")

	loginOK(t, s, alice.Name, LoginOptions{})
	res = ccTest(t, s, orders.Name)
	ccWantActive(t, res)
	if res.Token == nil || res.Token.Subject != "" && res.Token.Subject != testidp.Username || res.Token.Claims["sub"] != testidp.Username {
		t.Fatalf("the exchanged token is not alice's: %+v", res.Token)
	}
	if !strings.Contains(strings.Join(res.Token.Audience, " "), testidp.ExchangeAudience) {
		t.Fatalf("audience %v, want %s", res.Token.Audience, testidp.ExchangeAudience)
	}
	resp, err := s.Request(context.Background(), orders.Name, RequestSpec{Method: "GET", URL: api.URL + "/orders"})
	if err != nil || resp.Status != 200 {
		t.Fatalf("the API refused the exchanged token: %v %+v", err, resp)
	}
	soap := testapi.StartSOAP11(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.ExchangeAudience}, testapi.FromWSSecurity)
	if _, err := s.Transports().Save(credentials.Transport{Name: "invoices", Type: credentials.TransportWSSOAP, URL: soap.URL, SOAPVersion: "1.1",
		SOAPAction: "urn:billing:GetInvoice", Body: soap11Env, Authorization: credentials.AuthCredential, ProfileID: orders.ID, TokenIn: credentials.TokenInWSSE}); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Transports().Run(context.Background(), "invoices", RunOptions{}); err != nil || r.Outcome != OutcomeOK {
		t.Fatalf("a WS_SOAP transport with the exchanged token: %v %+v", err, r)
	}

	t.Run("actor", func(t *testing.T) {
		app := ccSave(t, s, ccApp("robot", idp.TokenURL), testidp.AppClientSecret)
		p := teProfile("orders as robot", idp.TokenURL, teClientID, alice.ID)
		p.ActorProfile, p.RequestedTokenType = app.ID, credentials.TokenTypeJWT
		p = teSave(t, s, p, teClientSecret)
		res := ccTest(t, s, p.Name)
		ccWantActive(t, res)
		act, _ := res.Token.Claims["act"].(map[string]any)
		if act["sub"] != testidp.AppClientID {
			t.Fatalf("act = %v, want sub %s", res.Token.Claims["act"], testidp.AppClientID)
		}
		// A resource server that takes delegated tokens only, through a
		// transport; the subject's own token is refused there.
		cfg := testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.ExchangeAudience}
		actAPI := testapi.StartActAPI(t, cfg, testidp.AppClientID)
		for _, tr := range []credentials.Transport{
			{Name: "delegated", Type: credentials.TransportHTTP, URL: actAPI.URL + "/orders", Method: "GET", Authorization: credentials.AuthCredential, ProfileID: p.ID},
			{Name: "not delegated", Type: credentials.TransportHTTP, URL: actAPI.URL + "/orders", Method: "GET", Authorization: credentials.AuthCredential, ProfileID: orders.ID},
		} {
			if _, err := s.Transports().Save(tr); err != nil {
				t.Fatal(err)
			}
		}
		run := func(name string) *RunResult {
			r, err := s.Transports().Run(context.Background(), name, RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		wantOutcome(t, run("delegated"), OutcomeOK)
		if r := run("not delegated"); r.Outcome == OutcomeOK {
			t.Fatal("the API took a token without act")
		}
	})
	t.Run("public client", func(t *testing.T) {
		res := ccTest(t, s, teSave(t, s, teProfile("orders public", idp.TokenURL, tePublicID, alice.ID), "").Name)
		ccWantActive(t, res)
	})
	t.Run("grant not allowed", func(t *testing.T) {
		res := ccTest(t, s, teSave(t, s, teProfile("orders no grant", idp.TokenURL, teNoGrantID, alice.ID), teClientSecret).Name)
		wantMessage(t, res, "the IdP does not allow token exchange for this client")
	})
	t.Run("unknown audience", func(t *testing.T) {
		p := teProfile("orders elsewhere", idp.TokenURL, teClientID, alice.ID)
		p.Audience = "https://elsewhere.credworkbench.test"
		res := ccTest(t, s, teSave(t, s, p, teClientSecret).Name)
		wantMessage(t, res, "invalid_target")
	})

	// Subject and derived fetched at once from many goroutines: the
	// subject's lock is taken first and released before the derived
	// profile's, so nothing waits for anything in a circle.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := orders.Name
			if i%2 == 0 {
				name = alice.Name
			}
			if _, err := s.Test(context.Background(), name); err != nil {
				t.Error(err)
			}
		}()
	}
	waited := make(chan struct{})
	go func() { wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(60 * time.Second):
		t.Fatal("concurrent tests of a subject and its derived profile hang")
	}

	events := ccSubscribe(t, s)
	before, _ := s.Token(context.Background(), orders.Name)
	if _, err := s.Test(context.Background(), alice.Name); err != nil { // the subject renews
		t.Fatal(err)
	}
	events.wait(t, orders.ID, EventRenewed, 30*time.Second)
	after, _ := s.Token(context.Background(), orders.Name)
	if before == nil || after == nil || before.AccessToken == after.AccessToken {
		t.Fatal("the derived token was not exchanged again when the subject's token renewed")
	}

	var inUse *InUseError
	if err := s.Delete(alice.Name, DeleteOptions{}); !errors.As(err, &inUse) || !strings.Contains(err.Error(), `"orders"`) {
		t.Fatalf("deleting the subject: %v; want it to name the derived profile", err)
	}

	if err := s.Logout(context.Background(), alice.Name); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Tokens.Load(orders.ID); ok {
		t.Fatal("the derived token outlived its subject's session in the shared store")
	}
	st, _ := s.Status(orders.Name)
	wantMessage(t, st, "logged out")
	res = ccTest(t, s, orders.Name)
	wantMessage(t, res, "log in to 'alice-portal' first")
}

// The JWT bearer grant: an assertion signed with the profile's key for a
// subject gets that subject's token; a key the IdP does not know is our
// diagnosis, without the assertion in it.
func TestJWTBearerAgainstTestIdP(t *testing.T) {
	km, foreign := pkGenerate(t), pkGenerate(t)
	idp := teIdP(t, pkJWK(t, km))
	ccRequireRealKeyring(t)
	s := ccService(t, nil)
	save := func(name string, k credentials.KeyMaterial) credentials.Profile {
		return pkSave(t, s, name, idp.TokenURL, k, func(p *credentials.Profile) {
			p.ClientID, p.AuthMethod, p.GrantType, p.AssertionSubject = jbClientID, credentials.AuthBasic, credentials.GrantJWTBearer, testidp.Username2
		})
	}
	res := ccTest(t, s, save("bearer bob", km).Name)
	ccWantActive(t, res)
	if res.Token.Claims["sub"] != testidp.Username2 {
		t.Fatalf("sub = %v, want %s", res.Token.Claims["sub"], testidp.Username2)
	}
	res = ccTest(t, s, save("bearer foreign", foreign).Name)
	wantMessage(t, res, "the IdP refused the assertion for subject")
	if strings.Contains(res.Failure.Error(), "eyJ") {
		t.Fatalf("the failure quotes the assertion: %v", res.Failure)
	}
}

// Profiles that exchange each other's tokens in a circle (the file allows
// it: each was valid when saved) fail with our diagnosis instead of
// waiting for each other; a deleted subject says so.
func TestTokenExchangeCycleAndDeletedSubject(t *testing.T) {
	ccRequireRealKeyring(t)
	s := ccService(t, nil)
	app := ccSave(t, s, ccApp("robot", "http://127.0.0.1:1/token"), "x")
	a := teSave(t, s, teProfile("a", "http://127.0.0.1:1/token", teClientID, app.ID), "")
	b := teSave(t, s, teProfile("b", "http://127.0.0.1:1/token", teClientID, a.ID), "")
	a.SubjectProfile = b.ID
	a = teSave(t, s, a, "")
	done := make(chan Result, 1)
	go func() { done <- ccTest(t, s, a.Name) }()
	select {
	case res := <-done:
		wantMessage(t, res, "leads back to itself")
	case <-time.After(30 * time.Second):
		t.Fatal("a circle of token exchanges hangs")
	}

	if err := s.Delete(app.ID, DeleteOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	c := teSave(t, s, teProfile("c", "http://127.0.0.1:1/token", teClientID, b.ID), "")
	if err := s.Delete(b.ID, DeleteOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	wantMessage(t, ccTest(t, s, c.Name), "no longer exists")
}

package oauthflow

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow/apicall"
	"github.com/credworkbench/credworkbench/oauthflow/dpop"
)

// dpopApp saves an Application profile for the DPoP client of idp.
func dpopApp(t *testing.T, s *Service, idp *testidp.IdP, name, clientID, secret string, on bool) credentials.Profile {
	t.Helper()
	p := ccApp(name, "")
	p.IssuerURL, p.ClientID, p.Resource, p.DPoP = idp.Issuer, clientID, testidp.Resource, on
	p = ccSave(t, s, p, secret)
	t.Cleanup(func() { _ = s.repo.Secrets.Delete(p.ID, credentials.DPoPKey) })
	return p
}

func dpopAPI(t *testing.T, idp *testidp.IdP, opt testapi.DPoPOptions) *testapi.DPoPServer {
	return testapi.StartDPoP(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource}, opt)
}

func wantFailure(t *testing.T, res Result, parts ...string) {
	t.Helper()
	if res.Status != credentials.StatusFailed || res.Failure == nil {
		t.Fatalf("status %s, failure %v: want Failed", res.Status, res.Failure)
	}
	for _, part := range parts {
		if !strings.Contains(res.Failure.Error(), part) {
			t.Errorf("failure %q does not say %q", res.Failure.Error(), part)
		}
	}
}

func TestDPoPClientCredentialsWithTestIdP(t *testing.T) {
	ccRequireRealKeyring(t)
	idp := testidp.Start(t, testidp.WithDPoP(testidp.DPoPSettings{}))
	api := dpopAPI(t, idp, testapi.DPoPOptions{})
	s := ccService(t, nil)
	ctx := context.Background()

	p := dpopApp(t, s, idp, "dpop app", testidp.DPoPClientID, testidp.DPoPClientSecret, true)
	raw, err := s.repo.Secrets.Get(p.ID, credentials.DPoPKey)
	if err != nil {
		t.Fatalf("no DPoP key in the keyring after save: %v", err)
	}
	key, err := dpop.DecodeKey(raw)
	if err != nil || key.Alg != "ES256" {
		t.Fatalf("key %v, %v: want an ES256 key", key, err)
	}

	t.Run("token request with proof and IdP nonce", func(t *testing.T) {
		res := ccTest(t, s, p.Name)
		if !res.Active() {
			t.Fatalf("status %s: %v", res.Status, res.Failure)
		}
		tok, err := s.Token(ctx, p.Name)
		if err != nil || tok.Type() != "DPoP" {
			t.Fatalf("token type %v (%v): want DPoP", tok, err)
		}
		st, ok, err := s.Tokens.Load(p.ID)
		if err != nil || !ok || st.TokenType != "DPoP" {
			t.Fatalf("stored token type %q (ok %t, %v): want DPoP kept for other processes", st.TokenType, ok, err)
		}
	})

	t.Run("request with proof, API nonce, cnf.jkt", func(t *testing.T) {
		resp, err := s.Request(ctx, p.Name, RequestSpec{Method: http.MethodGet, URL: api.URL + "/orders?x=1"})
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("request: %v %+v", err, resp)
		}
		if !strings.Contains(string(resp.Body), key.Thumbprint()) {
			t.Errorf("the API saw another key than the profile's (%s): %s", key.Thumbprint(), resp.Body)
		}
		// A second process (its own service, the shared store) presents
		// the stored token with a proof too.
		s2 := NewService(s.repo, nil, nil)
		defer s2.Close()
		resp, err = s2.Request(ctx, p.Name, RequestSpec{Method: http.MethodPost, URL: api.URL + "/orders", Body: []byte("{}")})
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("second process: %v %+v", err, resp)
		}
	})

	t.Run("IdP refuses the proof", func(t *testing.T) {
		idp.SetDPoPFaults(t, 0, 1)
		wantFailure(t, ccTest(t, s, p.Name), "refused the DPoP proof", "clock")
	})

	t.Run("IdP insists on a nonce twice", func(t *testing.T) {
		idp.SetDPoPFaults(t, 2, 0)
		wantFailure(t, ccTest(t, s, p.Name), "nonce loop")
		idp.SetDPoPFaults(t, 1, 0) // once: the retry with the nonce succeeds
		if res := ccTest(t, s, p.Name); !res.Active() {
			t.Fatalf("one use_dpop_nonce: status %s: %v", res.Status, res.Failure)
		}
	})

	t.Run("profile without DPoP for a DPoP client", func(t *testing.T) {
		q := dpopApp(t, s, idp, "no dpop", testidp.DPoPClientID, testidp.DPoPClientSecret, false)
		wantFailure(t, ccTest(t, s, q.Name), "sends no DPoP proof", "--dpop")
		if _, err := s.repo.Secrets.Get(q.ID, credentials.DPoPKey); err == nil {
			t.Error("a profile without DPoP has a DPoP key")
		}
	})

	t.Run("API refuses: nonce loop, htu, Bearer", func(t *testing.T) {
		loop := dpopAPI(t, idp, testapi.DPoPOptions{InsistNonce: true})
		resp, err := s.Request(ctx, p.Name, RequestSpec{URL: loop.URL + "/x"})
		if err != nil || resp.Status != http.StatusUnauthorized || !strings.Contains(resp.Advice, "nonce loop") {
			t.Errorf("nonce loop: %v %+v", err, resp)
		}
		if n := len(loop.Requests()); n != 2 {
			t.Errorf("the API saw %d requests: want 2 (one retry with its nonce)", n)
		}
		gw := dpopAPI(t, idp, testapi.DPoPOptions{PublicURL: "https://gateway.credworkbench.test/api"})
		resp, err = s.Request(ctx, p.Name, RequestSpec{URL: gw.URL + "/x"})
		if err != nil || resp.Status != http.StatusUnauthorized || !strings.Contains(resp.Advice, "htu") ||
			!strings.Contains(resp.AuthProblem, "DPoP challenge") {
			t.Errorf("htu: %v %+v", err, resp)
		}
		// The token did not become useless: a proof problem keeps it.
		if _, ok := s.CurrentToken(p.Name); !ok {
			t.Error("a refused proof evicted the token")
		}
		// Someone else presents the DPoP-bound token as Bearer.
		tok, _ := s.Token(ctx, p.Name)
		req, _ := http.NewRequest(http.MethodGet, api.URL+"/x", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		problem := apicall.AuthProblem(r.StatusCode, r.Header.Values("WWW-Authenticate"))
		if advice := AuthAdvice(r.StatusCode, problem); !strings.Contains(advice, "presented as a Bearer token") || !strings.Contains(advice, "--dpop-proof-for") {
			t.Errorf("Bearer presentation: %q / %q", problem, advice)
		}
	})

	t.Run("API refuses: replayed proof, swapped token", func(t *testing.T) {
		for _, tc := range []struct {
			name, want string
			tamper     func(*http.Request, *tamperState)
		}{
			{"replay", "jti replay", func(r *http.Request, st *tamperState) {
				if st.proof == "" {
					st.proof = r.Header.Get("DPoP")
				} else {
					r.Header.Set("DPoP", st.proof)
				}
			}},
			{"ath", "ath", func(r *http.Request, st *tamperState) {
				if st.n++; st.n > 1 {
					r.Header.Set("Authorization", "DPoP "+st.other)
				}
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c, err := s.HTTPClient(ctx, p.Name)
				if err != nil {
					t.Fatal(err)
				}
				// Another valid token bound to the same key, then a newer one
				// the client presents.
				other, _, err := s.FetchToken(ctx, p.Name, TokenOptions{Fresh: true})
				if err != nil {
					t.Fatal(err)
				}
				if _, _, err := s.FetchToken(ctx, p.Name, TokenOptions{Fresh: true}); err != nil {
					t.Fatal(err)
				}
				b := c.Transport.(*apicall.Bearer)
				st := &tamperState{other: other.AccessToken}
				b.Base = tamperTransport{base: b.Base, st: st, fn: tc.tamper}
				var last *http.Response
				for range 3 {
					r, err := c.Get(api.URL + "/x")
					if err != nil {
						t.Fatal(err)
					}
					r.Body.Close()
					last = r
				}
				if other.AccessToken == "" || last.StatusCode != http.StatusUnauthorized {
					t.Fatalf("status %d: want 401", last.StatusCode)
				}
				problem := apicall.AuthProblem(last.StatusCode, last.Header.Values("WWW-Authenticate"))
				if advice := AuthAdvice(last.StatusCode, problem); !strings.Contains(advice, tc.want) {
					t.Errorf("%s: advice %q (problem %q)", tc.name, advice, problem)
				}
			})
		}
	})

	t.Run("transports: HTTP and WS_SOAP prove, WS-Security is refused", func(t *testing.T) {
		for _, tr := range []credentials.Transport{
			{Name: "orders", Type: credentials.TransportHTTP, URL: api.URL + "/orders", Method: "GET",
				Authorization: credentials.AuthCredential, ProfileID: p.ID},
			{Name: "billing", Type: credentials.TransportWSSOAP, URL: api.URL + "/billing", SOAPVersion: "1.1", SOAPAction: "urn:get",
				Body:          `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>`,
				Authorization: credentials.AuthCredential, ProfileID: p.ID},
		} {
			if _, err := s.Transports().Save(tr); err != nil {
				t.Fatal(err)
			}
			res, err := s.Transports().Run(ctx, tr.Name, RunOptions{})
			if err != nil || res.Outcome != OutcomeOK {
				t.Errorf("%s: %v %s %+v", tr.Name, err, res.Outcome, res.Diagnosis)
			}
		}
		wsse := credentials.Transport{Name: "billing wsse", Type: credentials.TransportWSSOAP, URL: api.URL + "/billing", SOAPVersion: "1.1",
			SOAPAction: "urn:get", Body: `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>`,
			Authorization: credentials.AuthCredential, ProfileID: p.ID, TokenIn: credentials.TokenInWSSE}
		if _, err := s.Transports().Save(wsse); err != nil {
			t.Fatal(err)
		}
		res, err := s.Transports().Run(ctx, wsse.Name, RunOptions{})
		if err != nil || res.Outcome != OutcomeInvalid || res.Diagnosis == nil || !strings.Contains(res.Diagnosis.Cause, "DPoP-bound") {
			t.Errorf("wsse: %v %s %+v", err, res.Outcome, res.Diagnosis)
		}
	})

	t.Run("WS-Security cannot carry a DPoP token", func(t *testing.T) {
		tok, _ := s.Token(ctx, p.Name)
		if d := wsseDPoP(tok); d == nil || !strings.Contains(d.Cause, "DPoP-bound") {
			t.Errorf("diagnosis %+v", d)
		}
	})

	t.Run("delete removes the key", func(t *testing.T) {
		if err := s.Delete(p.ID, DeleteOptions{Force: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.repo.Secrets.Get(p.ID, credentials.DPoPKey); err == nil {
			t.Error("the DPoP key outlived its profile")
		}
	})
}

type tamperState struct {
	proof, other string
	n            int
}

// tamperTransport changes a request after the proof was put on it: what
// a proxy between the client and the API might do (failure injection).
type tamperTransport struct {
	base http.RoundTripper
	st   *tamperState
	fn   func(*http.Request, *tamperState)
}

func (t tamperTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	t.fn(r, t.st)
	return t.base.RoundTrip(r)
}

func TestDPoPBearerTokenForDPoPProfile(t *testing.T) {
	ccRequireRealKeyring(t)
	idp := testidp.Start(t, testidp.WithoutDPoP()) // the proof header is ignored, a Bearer token comes
	s := ccService(t, nil)
	p := dpopApp(t, s, idp, "dpop app", testidp.AppClientID, testidp.AppClientSecret, true)
	wantFailure(t, ccTest(t, s, p.Name), "issued a Bearer token although this profile asks for DPoP",
		"not set up for DPoP at the IdP")
}

func TestDPoPAlgorithmFromDiscovery(t *testing.T) {
	ccRequireRealKeyring(t)
	idp := testidp.Start(t, testidp.WithDPoP(testidp.DPoPSettings{Algs: []string{"ES384", "PS256"}}))
	s := ccService(t, nil)
	p := dpopApp(t, s, idp, "dpop app", testidp.DPoPClientID, testidp.DPoPClientSecret, true)
	res := ccTest(t, s, p.Name)
	if !res.Active() {
		t.Fatalf("status %s: %v", res.Status, res.Failure)
	}
	raw, _ := s.repo.Secrets.Get(p.ID, credentials.DPoPKey)
	if k, err := dpop.DecodeKey(raw); err != nil || k.Alg != "ES384" {
		t.Fatalf("key %v %v: want ES384, the IdP's first that we make", k, err)
	}
	if !strings.Contains(strings.Join(res.Warnings, " "), "does not accept DPoP proofs signed with ES256") {
		t.Errorf("no note on the replaced key: %q", res.Warnings)
	}

	// An IdP that accepts only what we cannot make (oidc-provider under
	// this Node has no such algorithm): the key cannot be made, and why.
	_, _, err := loadDPoPKey(s.repo.Secrets, credentials.Profile{ID: "0123456789abcdef", DPoP: true}, []string{"ML-DSA-44"})
	if err == nil || !strings.Contains(err.Error(), "ML-DSA-44 only") || !strings.Contains(err.Error(), "none of which this client can make") {
		t.Errorf("unsupported algorithms: %v", err)
	}
}

func TestDPoPUserLoginWithTestIdP(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithDPoP(testidp.DPoPSettings{}))
	api := dpopAPI(t, idp, testapi.DPoPOptions{})
	repo := loginRepo(t)
	p := saveUserProfile(t, repo, idp.Issuer, testidp.DPoPUserClientID, "", func(p *credentials.Profile) { p.DPoP = true })
	s := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
	defer s.Close()
	res := loginOK(t, s, p.Name, LoginOptions{})
	assertAlice(t, res)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The refresh is bound to the same key (public clients: RFC 9449 §5).
	if res, err := s.Test(ctx, p.Name); err != nil || !res.Active() {
		t.Fatalf("refresh: %v %v", err, res.Failure)
	}
	tok, err := s.Token(ctx, p.Name)
	if err != nil || tok.Type() != "DPoP" {
		t.Fatalf("token %v %v: want DPoP", tok, err)
	}
	resp, err := s.Request(ctx, p.Name, RequestSpec{URL: api.URL + "/me"})
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("request: %v %+v", err, resp)
	}

	// The device flow: proofs on the device authorization and every poll.
	u := newDeviceUser(approveAs(testidp.Username, testidp.Password))
	res = deviceLogin(t, s, p.Name, LoginOptions{OnDeviceCode: u.onCode})
	if err := <-u.done; err != nil {
		t.Fatalf("approving: %v", err)
	}
	if !res.Active() {
		t.Fatalf("device login: %s %v", res.Status, res.Failure)
	}
	if tok, err := s.Token(ctx, p.Name); err != nil || tok.Type() != "DPoP" {
		t.Fatalf("device login token %v %v: want DPoP", tok, err)
	}
}

// A User profile without DPoP for a client the IdP binds to DPoP: the
// login's code exchange is refused, and the diagnosis names DPoP.
func TestDPoPMissingAtLogin(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithDPoP(testidp.DPoPSettings{}))
	repo := loginRepo(t)
	p := saveUserProfile(t, repo, idp.Issuer, testidp.DPoPUserClientID, "", nil)
	s := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := s.Login(ctx, p.Name, LoginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantFailure(t, res, "sends no DPoP proof", "--dpop")
}

package oauthflow

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
)

// Issue #23.3: a hostile IdP's device answer. Its verification URIs are
// shown only as plain ASCII (no C0, C1 or bidi character reaches the
// terminal or the window, an IDN host as punycode) and must be https; the
// user code is cleaned the same way.

// hostileDeviceIdP discovers like an IdP and answers the device
// authorization request with answer(issuer); every poll is denied, so a
// login that shows a code ends at once.
func hostileDeviceIdP(t *testing.T, answer func(issuer string) map[string]any) string {
	t.Helper()
	var srv *httptest.Server
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"issuer": srv.URL, "authorization_endpoint": srv.URL + "/auth", "token_endpoint": srv.URL + "/token",
			"jwks_uri": srv.URL + "/jwks", "device_authorization_endpoint": srv.URL + "/device/auth",
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("POST /device/auth", func(w http.ResponseWriter, r *http.Request) {
		a := answer(srv.URL)
		a["device_code"], a["expires_in"], a["interval"] = "dc-1", 60, 1
		writeJSON(w, a)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, map[string]any{"error": "access_denied"})
	})
	srv = httptest.NewUnstartedServer(mux)
	srv.Start() // after srv is set: the handlers read it
	t.Cleanup(srv.Close)
	return srv.URL
}

// hostileDeviceLogin runs a device login against answer and returns what
// was shown (nil when nothing was) and the result.
func hostileDeviceLogin(t *testing.T, answer func(issuer string) map[string]any) (*DeviceCode, Result) {
	t.Helper()
	issuer := hostileDeviceIdP(t, answer)
	s := ccService(t, testenv.NewMemKeyring())
	p := saveUserProfile(t, s.repo, issuer, "device-client", "", func(p *credentials.Profile) { p.Resource = "" })
	var shown atomic.Pointer[DeviceCode]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := s.Login(ctx, p.Name, LoginOptions{Device: true, OnDeviceCode: func(c DeviceCode) { shown.Store(&c) }})
	if err != nil {
		t.Fatal(err)
	}
	return shown.Load(), res
}

func TestDeviceLoginHostileVerificationURIs(t *testing.T) {
	t.Run("bidi and C1 characters are never shown raw", func(t *testing.T) {
		c, res := hostileDeviceLogin(t, func(iss string) map[string]any {
			return map[string]any{"user_code": "AB\u202eCD\u009b[2JEF", "verification_uri": iss + "/device/\u202eelif\u009b",
				"verification_uri_complete": iss + "/device?user_code=AB\u202eCD\u009b"}
		})
		if c == nil {
			t.Fatalf("no code shown: %+v", res.Failure)
		}
		for _, s := range []string{c.UserCode, c.VerificationURI, c.VerificationURIComplete} {
			if strings.ContainsAny(s, "\u202e\u009b\x1b") {
				t.Fatalf("shown raw: %q", s)
			}
		}
		if !strings.HasSuffix(c.VerificationURI, "/device/%E2%80%AEelif%C2%9B") || !strings.HasSuffix(c.VerificationURIComplete, "user_code=AB%E2%80%AECD%C2%9B") {
			t.Fatalf("shown %q and %q: want the characters percent-encoded", c.VerificationURI, c.VerificationURIComplete)
		}
		if c.UserCode != "ABCD[2JEF" {
			t.Fatalf("user code %q", c.UserCode)
		}
	})
	for name, tc := range map[string]struct {
		uri, complete string
		want          []string
	}{
		"verification_uri_complete on another local port": {uri: "/device", complete: "http://127.0.0.1:9999/steal",
			want: []string{"verification_uri_complete must use https", `"http://127.0.0.1:9999/steal"`}},
		"verification_uri on another local port": {uri: "http://127.0.0.1:9999/steal",
			want: []string{"verification_uri must use https"}},
		"plain http elsewhere": {uri: "http://login.example.com/device", want: []string{"must use https"}},
		"bidi override in the host": {uri: "https://ex\u202eample.com/device",
			want: []string{"not a valid internationalized domain name", `ex\u202eample.com`}},
		"C1 in the host": {uri: "https://a\u009bb.example/device", want: []string{"not a valid internationalized domain name"}},
		"user info":      {uri: "https://idp.example.com@evil.example/device", want: []string{"must not carry a user"}},
	} {
		t.Run(name, func(t *testing.T) {
			c, res := hostileDeviceLogin(t, func(iss string) map[string]any {
				uri := tc.uri
				if strings.HasPrefix(uri, "/") {
					uri = iss + uri
				}
				a := map[string]any{"user_code": "WDJB-MJHT", "verification_uri": uri}
				if tc.complete != "" {
					a["verification_uri_complete"] = tc.complete
				}
				return a
			})
			if c != nil {
				t.Fatalf("shown %+v", *c)
			}
			f := res.Failure
			if f == nil || f.Category != CatEndpoint || !strings.Contains(f.Message, "device login is refused") {
				t.Fatalf("result %s %+v", res.Status, f)
			}
			for _, w := range tc.want {
				if !strings.Contains(f.Message, w) {
					t.Errorf("failure %q lacks %q", f.Message, w)
				}
			}
			if strings.ContainsAny(f.Message, "\u202e\u009b") {
				t.Errorf("failure shows the character raw: %q", f.Message)
			}
		})
	}
	t.Run("IDN host shown as punycode", func(t *testing.T) {
		c, res := hostileDeviceLogin(t, func(iss string) map[string]any {
			return map[string]any{"user_code": "WDJB-MJHT", "verification_uri": "https://bücher.example/device"}
		})
		if c == nil || c.VerificationURI != "https://xn--bcher-kva.example/device" {
			t.Fatalf("shown %+v, failure %+v", c, res.Failure)
		}
	})
}

package idp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// TestPushAuthorizationAnswers: what the PAR endpoint answers, hostile or
// not, becomes a request_uri or our diagnosis, never the secret.
func TestPushAuthorizationAnswers(t *testing.T) {
	const secret = "s3cret-PAR"
	for _, tc := range []struct {
		name   string
		status int
		ctype  string
		body   string
		want   string // "" = success
	}{
		{"created", 201, "application/json", `{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":60}`, ""},
		{"invalid_client", 401, "application/json", `{"error":"invalid_client","error_description":"bad ` + secret + `"}`, "refused the client at its pushed authorization request endpoint"},
		{"request object refused", 400, "application/json", `{"error":"invalid_request_object"}`, "refused the signed request object"},
		{"no request_uri", 201, "application/json", `{"expires_in":60}`, "without a request_uri"},
		{"html", 200, "text/html", `<html>login</html>`, "without a request_uri"},
		{"huge", 201, "application/json", `{"request_uri":"` + strings.Repeat("a", 70<<10) + `"}`, "more than 64 KiB"},
		{"control characters", 201, "application/json", `{"request_uri":"urn:x\u0007y"}`, "not a printable URI"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_ = r.ParseForm()
				if id, sec, ok := r.BasicAuth(); !ok || id != "client" || sec != secret || r.PostForm.Get("client_id") != "client" || r.PostForm.Get("state") != "st" {
					w.WriteHeader(http.StatusTeapot)
					return
				}
				w.Header().Set("Content-Type", tc.ctype)
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			got, f := PushAuthorization(context.Background(), srv.Client(), srv.URL, url.Values{"state": {"st"}},
				PARClient{ID: "client", Secret: secret, Style: oauth2.AuthStyleInHeader})
			switch {
			case tc.want == "" && (f != nil || got.RequestURI != "urn:ietf:params:oauth:request_uri:abc" || got.ExpiresIn != 60):
				t.Fatalf("PushAuthorization = %+v, %v", got, f)
			case tc.want != "" && (f == nil || !strings.Contains(f.Error(), tc.want)):
				t.Fatalf("PushAuthorization failure %v, want %q", f, tc.want)
			case f != nil && strings.Contains(f.Error(), secret):
				t.Fatalf("the failure carries the secret: %v", f)
			}
		})
	}
	if u, err := PushedAuthURL("https://idp.example.com/auth?tenant=x", "c", "urn:r"); err != nil ||
		u != "https://idp.example.com/auth?client_id=c&request_uri=urn%3Ar&tenant=x" {
		t.Errorf("PushedAuthURL = %q, %v", u, err)
	}
}

func TestRequestObjectAlg(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, tc := range []struct {
		name      string
		key       RequestObjectKey
		supported []string
		want      string
	}{
		{"rsa, IdP silent", RequestObjectKey{Signer: rk}, nil, "PS256"},
		{"rsa, IdP lists RS256 only", RequestObjectKey{Signer: rk}, []string{"RS256", "HS256"}, "RS256"},
		{"profile's alg wins", RequestObjectKey{Signer: rk, Alg: "RS256"}, []string{"PS256", "RS256"}, "RS256"},
		{"ec", RequestObjectKey{Signer: ek}, []string{"RS256", "ES256"}, "ES256"},
		{"none fits", RequestObjectKey{Signer: ek}, []string{"RS256", "HS256"}, ""},
	} {
		if got, _ := RequestObjectAlg(tc.key, tc.supported); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

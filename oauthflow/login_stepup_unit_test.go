package oauthflow

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

// TestCheckStepUp: the step-up login's ID token must carry one of the
// acr values the API asked for and an auth_time within its max_age.
func TestCheckStepUp(t *testing.T) {
	now := time.Now()
	idTok := func(claims map[string]any) *oauth2.Token {
		b, _ := json.Marshal(claims)
		raw := "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(b) + ".sig"
		return (&oauth2.Token{AccessToken: "at"}).WithExtra(map[string]any{"id_token": raw})
	}
	u := &userClient{p: credentials.Profile{Name: "p"}, ep: idp.Endpoints{JWKSURL: "https://idp.example.com/jwks"}}
	for _, tc := range []struct {
		name   string
		s      StepUp
		claims map[string]any
		want   string // "" = accepted
	}{
		{"acr met", StepUp{ACRValues: []string{"gold"}, MaxAge: -1}, map[string]any{"acr": "gold", "amr": []any{"pwd", "otp"}}, ""},
		{"acr missing", StepUp{ACRValues: []string{"gold"}, MaxAge: -1}, map[string]any{"amr": []any{"pwd", "otp"}}, "has no acr"},
		{"other acr", StepUp{ACRValues: []string{"gold"}, MaxAge: -1}, map[string]any{"acr": "silver"}, `acr is "silver"`},
		{"recent", StepUp{MaxAge: 300}, map[string]any{"auth_time": float64(now.Add(-time.Minute).Unix())}, ""},
		{"too old", StepUp{MaxAge: 300}, map[string]any{"auth_time": float64(now.Add(-time.Hour).Unix())}, "reused a sign-in"},
		{"no auth_time", StepUp{MaxAge: 0}, map[string]any{"acr": "x"}, "no auth_time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Result{Token: &TokenInfo{}}
			f := checkStepUp(u, idTok(tc.claims), &res, &tc.s, now)
			switch {
			case tc.want == "" && f != nil:
				t.Fatalf("refused: %v", f)
			case tc.want != "" && (f == nil || !strings.Contains(f.Message, tc.want) || f.Category != CatMFA):
				t.Fatalf("failure %v, want %q", f, tc.want)
			}
		})
	}
}

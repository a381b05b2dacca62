package apicall

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestParseStepUp(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     int
		challenges []string
		want       *StepUp
	}{
		{"acr and max_age", 401, []string{`Bearer error="insufficient_user_authentication", error_description="more", acr_values="urn:a urn:b", max_age=300`},
			&StepUp{ACRValues: []string{"urn:a", "urn:b"}, MaxAge: 300}},
		{"max_age only", 401, []string{`Bearer error="insufficient_user_authentication", max_age="0"`}, &StepUp{MaxAge: 0}},
		{"second challenge", 401, []string{`Basic realm="x"`, `DPoP error="insufficient_user_authentication", acr_values="gold"`},
			&StepUp{ACRValues: []string{"gold"}, MaxAge: -1}},
		{"another error", 401, []string{`Bearer error="invalid_token"`}, nil},
		{"403 is not step-up", 403, []string{`Bearer error="insufficient_user_authentication", acr_values="x"`}, nil},
		{"hostile values dropped", 401, []string{`Bearer error="insufficient_user_authentication", acr_values="ok <script> ` + strings.Repeat("v ", 50) + `", max_age=-5`},
			&StepUp{ACRValues: []string{"ok", "v", "v", "v", "v", "v", "v", "v", "v", "v"}, MaxAge: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ParseStepUp(tc.status, tc.challenges)
			if (got == nil) != (tc.want == nil) || (got != nil && (!slices.Equal(got.ACRValues, tc.want.ACRValues) || got.MaxAge != tc.want.MaxAge)) {
				t.Fatalf("ParseStepUp = %+v, want %+v", got, tc.want)
			}
		})
	}
	if d := (&StepUp{ACRValues: []string{"gold"}, MaxAge: 600}).Describe(); d != "the API asks for an authentication level (acr) of gold and a sign-in within the last 10 min" {
		t.Errorf("Describe = %q", d)
	}
	_ = http.StatusUnauthorized
}

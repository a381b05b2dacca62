package apicall

import (
	"testing"
)

func TestChallengeParams(t *testing.T) {
	got := ChallengeParams(`Bearer realm="example", error="insufficient_scope", error_description="needs \"admin\"", scope=api:admin`)
	if got["realm"] != "example" || got["error"] != "insufficient_scope" || got["error_description"] != `needs "admin"` || got["scope"] != "api:admin" {
		t.Errorf("%v", got)
	}
	if msg := AuthProblem(403, []string{`Bearer error="insufficient_scope", scope="api:admin"`}); msg != "the API accepted the token but refused access (403 Forbidden): insufficient_scope (needs scope api:admin)" {
		t.Errorf("%q", msg)
	}
	if msg := AuthProblem(401, nil); msg != "the API refused the token (401 Unauthorized)" {
		t.Errorf("%q", msg)
	}
}

package e2e

import (
	"strings"
	"testing"
)

// TestTokenCachedAndAccepted: `credctl token` twice asks the IdP once (the
// second is served from the shared token store), prints the same token,
// and the test API accepts it (`credctl request`).
func TestTokenCachedAndAccepted(t *testing.T) {
	h := New(t)
	h.AddApp(nil, "Billing API")
	api := h.API(nil, "api:read")

	h.IdP.Reset(t)
	first := h.MustCredctl("token", "Billing API")
	second := h.MustCredctl("token", "Billing API")
	if tok := strings.TrimSpace(first.Stdout); strings.Count(tok, ".") != 2 || tok != strings.TrimSpace(second.Stdout) {
		t.Fatalf("two tokens in a row differ or are not JWTs:\n%s\n%s", first, second)
	}
	if st := h.IdP.Stats(t); st.Token != 1 || st.Grants["client_credentials"] != 1 {
		t.Fatalf("two `credctl token` made %d token requests (grants %v), want 1", st.Token, st.Grants)
	}
	// The token never reaches standard error.
	if strings.Contains(first.Stderr, strings.TrimSpace(first.Stdout)) {
		t.Fatal("the token is on standard error")
	}

	r := h.MustCredctl("request", "Billing API", api.URL+"/orders")
	if !strings.Contains(r.Stdout, `"ok":true`) {
		t.Fatalf("the API did not accept the token:\n%s", r)
	}
	if st := h.IdP.Stats(t); st.Token != 1 {
		t.Fatalf("`credctl request` asked the IdP again (%d token requests)", st.Token)
	}
}

package failure

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// The DPoP answers of token endpoints read as our diagnoses.
func TestClassifyDPoPAnswers(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{`{"error":"invalid_dpop_proof","error_description":"DPoP proof htu mismatch"}`, "refused the DPoP proof"},
		{`{"error":"use_dpop_nonce","error_description":"nonce is required in the DPoP proof"}`, "nonce loop"},
		{`{"error":"invalid_request","error_description":"DPoP proof is missing"}`, "sends no DPoP proof"},
		{`{"error":"invalid_dpop_proof","error_description":"The DPoP proof JWT header is missing."}`, "sends no DPoP proof"},
	} {
		re := &oauth2.RetrieveError{Response: &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {"application/json"}}}, Body: []byte(c.body)}
		if f := Classify(re); !strings.Contains(f.Message, c.want) {
			t.Errorf("%s: %q, want %q", c.body, f.Message, c.want)
		}
	}
}

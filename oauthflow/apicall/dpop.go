package apicall

import (
	"net/http"
	"strings"

	"github.com/credworkbench/credworkbench/oauthflow/dpop"
)

// send presents the token: Authorization: Bearer, or for a DPoP-bound
// token (c.DPoP set) Authorization: DPoP with a fresh proof bound to it,
// retried once when the API asks for a nonce (RFC 9449 §7, §9).
func (c Credential) send(rt http.RoundTripper, r *http.Request, access string) (*http.Response, error) {
	if c.DPoP == nil {
		return rt.RoundTrip(r)
	}
	r.Header.Set("Authorization", dpop.TokenType+" "+access)
	return (&dpop.Transport{Base: rt, Prover: c.DPoP, AccessToken: access}).RoundTrip(r)
}

// tokenRefused reports a 401 that refuses the token itself, not only a
// DPoP proof (a proof problem does not make the token useless).
func tokenRefused(resp *http.Response) bool {
	for _, ch := range resp.Header.Values("WWW-Authenticate") {
		if dpop.IsChallenge(ch) {
			if e := ChallengeParams(ch)["error"]; e != "" && e != "invalid_token" {
				return false
			}
		}
	}
	return true
}

// dpopAdvice is what to check after a refusal that names DPoP; "" when
// the refusal is not about DPoP. problem is AuthProblem's text, dpopChallenge
// whether the API answered with a DPoP challenge.
func dpopAdvice(problem string) string {
	low := strings.ToLower(problem)
	switch {
	case strings.Contains(low, "use_dpop_nonce"):
		return "The API asked for a DPoP nonce again after the request was retried with the nonce it had just sent (a nonce loop): " +
			"its nonces expire at once or its servers do not share them (a load balancer); ask the API's operators."
	case strings.Contains(low, "invalid_dpop_proof") && strings.Contains(low, "htu"):
		return "The API refused the DPoP proof's htu: the proof names the URL this request was sent to, and the API compares it with " +
			"another (an API behind a gateway or proxy that rewrites the URL must compare with its public URL). Call the API by the URL it knows itself by."
	case strings.Contains(low, "invalid_dpop_proof") && strings.Contains(low, "ath"):
		return "The API refused the DPoP proof's ath: the proof is bound to the token this request carried, so something between here " +
			"and the API replaced the Authorization header (a proxy adding its own token?)."
	case strings.Contains(low, "invalid_dpop_proof") && (strings.Contains(low, "replay") || strings.Contains(low, "jti")):
		return "The API saw this DPoP proof before (jti replay): each proof is single-use, so something resent the request " +
			"(a retrying proxy or middleware). Send the request again; it gets a fresh proof."
	case strings.Contains(low, "invalid_dpop_proof"):
		return "The API refused the DPoP proof: check this machine's clock (the proof's iat must be recent) and that the API accepts " +
			"the DPoP key's algorithm (its WWW-Authenticate names them in algs)."
	case strings.Contains(low, "dpop-bound") && strings.Contains(low, "bearer"):
		return "The token is DPoP-bound and was presented as a Bearer token: present it with Authorization: DPoP and a fresh DPoP proof " +
			"(credctl token NAME --dpop-proof-for METHOD URL prints both); a copied Bearer header cannot work."
	case strings.Contains(low, "dpop challenge"):
		return "The API wants DPoP-bound tokens (it answered with a DPoP challenge): turn on DPoP for the profile " +
			"(credctl edit NAME --dpop, or the form's DPoP box) and set the client up for DPoP at the IdP."
	}
	return ""
}

// dpopChallenged marks an AuthProblem whose only challenge is DPoP's.
func dpopChallenged(base string, challenges []string) string {
	for _, c := range challenges {
		if dpop.IsChallenge(c) {
			return strings.Replace(base, ")", ", DPoP challenge)", 1)
		}
	}
	return base
}

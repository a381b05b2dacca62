package dpop

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// Transport puts a fresh proof on each request it is given and, when the
// server answers that it wants a nonce (RFC 9449 §8 at an authorization
// server: 400 use_dpop_nonce; §9 at a resource server: 401 with a DPoP
// challenge error="use_dpop_nonce"), sends the request once more with the
// nonce it handed out. Every DPoP-Nonce seen is remembered for its origin.
type Transport struct {
	Base   http.RoundTripper
	Prover *Prover
	// AccessToken binds the proofs to the token presented (ath); "" for
	// token requests. The caller sets Authorization itself.
	AccessToken string
	// Only, when set, picks the requests that get a proof (the others pass
	// through untouched).
	Only func(*http.Request) bool
}

// TokenRequests is Transport.Only for an IdP client: proofs go on POSTs
// (token, PAR, device authorization), not on discovery or key downloads.
func TokenRequests(r *http.Request) bool { return r.Method == http.MethodPost }

// maxErrorBody bounds what is read of an answer to see whether it asks for a nonce.
const maxErrorBody = 64 << 10

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if t.Only != nil && !t.Only(req) {
		return base.RoundTrip(req)
	}
	resp, err := t.send(base, req, t.Prover.Nonces.Get(req.URL.String()))
	if err != nil {
		return nil, err
	}
	nonce := resp.Header.Get(NonceHeader)
	if nonce == "" || !t.wantsNonce(resp) {
		return resp, nil
	}
	// Asked for a nonce: once more with it, if the body can be sent again.
	if req.Body != nil && req.GetBody == nil {
		return resp, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	_ = resp.Body.Close()
	again := req.Clone(req.Context())
	if req.GetBody != nil {
		if again.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	return t.send(base, again, nonce)
}

func (t *Transport) send(base http.RoundTripper, req *http.Request, nonce string) (*http.Response, error) {
	proof, err := t.Prover.ProofWithNonce(req.Method, req.URL.String(), t.AccessToken, nonce)
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Header.Set(Header, proof)
	resp, err := base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	t.Prover.Nonces.Set(req.URL.String(), resp.Header.Get(NonceHeader))
	return resp, nil
}

// wantsNonce reads whether resp asks for a DPoP nonce; a body it reads is
// put back for the caller.
func (t *Transport) wantsNonce(resp *http.Response) bool {
	if resp.StatusCode == http.StatusUnauthorized {
		for _, c := range resp.Header.Values("WWW-Authenticate") {
			if IsChallenge(c) && strings.Contains(strings.ToLower(c), "use_dpop_nonce") {
				return true
			}
		}
		return false
	}
	if resp.StatusCode != http.StatusBadRequest || resp.Body == nil {
		return false
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	rest := resp.Body
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), rest), rest}
	if err != nil {
		return false
	}
	var e struct {
		Error string `json:"error"`
	}
	return json.Unmarshal(b, &e) == nil && e.Error == "use_dpop_nonce"
}

// IsChallenge reports a WWW-Authenticate challenge of the DPoP scheme.
func IsChallenge(c string) bool {
	c = strings.TrimSpace(c)
	return len(c) >= 4 && strings.EqualFold(c[:4], "dpop") && (len(c) == 4 || c[4] == ' ')
}

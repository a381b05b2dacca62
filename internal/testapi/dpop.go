package testapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"crypto"
	"crypto/rand"

	"github.com/go-jose/go-jose/v4"
)

// DPoPOptions tune the DPoP API (StartDPoP).
type DPoPOptions struct {
	// NoNonce: no nonce is demanded (by default every proof must carry the
	// latest nonce the API handed out, RFC 9449 §9).
	NoNonce bool
	// InsistNonce refuses every proof with use_dpop_nonce and a new nonce
	// (an API whose nonces never satisfy it: the client's nonce loop).
	InsistNonce bool
	// PublicURL is the URL the API believes it is reached at (htu is
	// compared against it), as behind a gateway; "" = its own URL.
	PublicURL string
}

// dpopAlgs are the proof signatures the API accepts.
var dpopAlgs = []string{"ES256", "ES384", "ES512", "EdDSA", "PS256", "RS256"}

// iatWindow is how far a proof's iat may be from the API's clock.
const iatWindow = 60 * time.Second

// DPoPServer is a JSON API that requires DPoP-bound tokens (RFC 9449 §7):
// Authorization: DPoP with a proof whose signature and embedded jwk, htm,
// htu, iat, jti (no replay), ath and nonce it checks, and whose key is the
// one the token is bound to (cnf.jkt). A DPoP-bound token presented as
// Bearer is refused.
type DPoPServer struct {
	*Server
	opt DPoPOptions

	mu    sync.Mutex
	nonce string
	jtis  map[string]time.Time
}

// StartDPoP runs the DPoP API. Any path answers, for a valid token and
// proof, 200 {"ok":true,"subject":…,"jkt":…,"method":…,"path":…}.
func StartDPoP(t testing.TB, cfg Config, opt DPoPOptions) *DPoPServer {
	d := &DPoPServer{opt: opt, jtis: map[string]time.Time{}}
	d.newNonce()
	d.Server = start(t, cfg, func(s *Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { d.serve(s, w, r) })
	})
	return d
}

func (d *DPoPServer) newNonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	d.nonce = base64.RawURLEncoding.EncodeToString(b)
	return d.nonce
}

// dpopRefusal is a refusal with a DPoP challenge (RFC 9449 §7.1).
type dpopRefusal struct {
	status     int
	code, desc string
	nonce      string
}

func (d *DPoPServer) serve(s *Server, w http.ResponseWriter, r *http.Request) {
	seen := Seen{Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type")}
	claims, ref := d.check(s, r, &seen)
	w.Header().Set("Content-Type", "application/json")
	if ref != nil {
		seen.Outcome = orNoToken(ref.code)
		s.record(seen)
		c := fmt.Sprintf(`DPoP algs=%q`, strings.Join(dpopAlgs, " "))
		if ref.code != "" {
			c += fmt.Sprintf(`, error=%q, error_description=%q`, ref.code, ref.desc)
		}
		w.Header().Set("WWW-Authenticate", c)
		if ref.nonce != "" {
			w.Header().Set("DPoP-Nonce", ref.nonce)
		}
		w.WriteHeader(ref.status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": orNoToken(ref.code), "error_description": ref.desc})
		return
	}
	seen.Outcome = "ok"
	s.record(seen)
	cnf, _ := claims["cnf"].(map[string]any)
	jkt, _ := cnf["jkt"].(string)
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "subject": claims.str("sub"), "jkt": jkt, "method": r.Method, "path": r.URL.Path})
}

func (d *DPoPServer) check(s *Server, r *http.Request, seen *Seen) (Claims, *dpopRefusal) {
	unauthorized := func(code, desc string) (Claims, *dpopRefusal) {
		return nil, &dpopRefusal{status: http.StatusUnauthorized, code: code, desc: desc}
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	switch {
	case token == "":
		return unauthorized("", "no token")
	case strings.EqualFold(scheme, "bearer"):
		seen.HadBearer = true
		claims, ref := s.verify(r.Context(), token, "")
		if ref == nil && jktOf(claims) != "" {
			return unauthorized("invalid_token", "the token is DPoP-bound and was presented as a Bearer token")
		}
		return unauthorized("invalid_token", "this API accepts DPoP-bound tokens only")
	case !strings.EqualFold(scheme, "dpop"):
		return unauthorized("invalid_token", "unsupported authorization scheme")
	}
	claims, ref := s.verify(r.Context(), token, "")
	if ref != nil {
		return unauthorized(orNoToken(ref.Code), ref.Description)
	}
	jkt := jktOf(claims)
	if jkt == "" {
		return unauthorized("invalid_token", "the token is not DPoP-bound (no cnf.jkt)")
	}
	proofs := r.Header.Values("DPoP")
	if len(proofs) != 1 {
		return nil, &dpopRefusal{status: http.StatusUnauthorized, code: "invalid_dpop_proof", desc: "exactly one DPoP proof is required"}
	}
	return d.checkProof(r, proofs[0], token, jkt, claims)
}

func jktOf(c Claims) string {
	cnf, _ := c["cnf"].(map[string]any)
	jkt, _ := cnf["jkt"].(string)
	return jkt
}

func (d *DPoPServer) checkProof(r *http.Request, proof, token, jkt string, claims Claims) (Claims, *dpopRefusal) {
	bad := func(desc string) (Claims, *dpopRefusal) {
		return nil, &dpopRefusal{status: http.StatusUnauthorized, code: "invalid_dpop_proof", desc: desc}
	}
	algs := make([]jose.SignatureAlgorithm, len(dpopAlgs))
	for i, a := range dpopAlgs {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	jws, err := jose.ParseSigned(proof, algs)
	if err != nil || len(jws.Signatures) != 1 {
		return bad("the DPoP proof is not a JWS signed with an accepted algorithm")
	}
	h := jws.Signatures[0].Protected
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "dpop+jwt" {
		return bad("the DPoP proof's typ is not dpop+jwt")
	}
	if h.JSONWebKey == nil || !h.JSONWebKey.IsPublic() || !h.JSONWebKey.Valid() {
		return bad("the DPoP proof has no public jwk header")
	}
	payload, err := jws.Verify(h.JSONWebKey)
	if err != nil {
		return bad("the DPoP proof's signature does not verify with its jwk")
	}
	var p struct {
		JTI, HTM, HTU, ATH, Nonce string
		IAT                       int64
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		return bad("the DPoP proof's claims cannot be read")
	}
	if p.HTM != r.Method {
		return bad("DPoP proof htm mismatch")
	}
	if p.HTU != d.htu(r) {
		return bad("DPoP proof htu mismatch")
	}
	if iat := time.Unix(p.IAT, 0); time.Since(iat) > iatWindow || time.Until(iat) > iatWindow {
		return bad("DPoP proof iat is not recent enough")
	}
	sum := sha256.Sum256([]byte(token))
	if p.ATH != base64.RawURLEncoding.EncodeToString(sum[:]) {
		return bad("DPoP proof ath mismatch")
	}
	tp, err := h.JSONWebKey.Thumbprint(crypto.SHA256)
	if err != nil || base64.RawURLEncoding.EncodeToString(tp) != jkt {
		return nil, &dpopRefusal{status: http.StatusUnauthorized, code: "invalid_token", desc: "the DPoP proof's key is not the key the token is bound to (cnf.jkt)"}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.opt.NoNonce && (d.opt.InsistNonce || p.Nonce != d.nonce) {
		return nil, &dpopRefusal{status: http.StatusUnauthorized, code: "use_dpop_nonce", desc: "the API requires a DPoP nonce", nonce: d.newNonce()}
	}
	if p.JTI == "" {
		return bad("the DPoP proof has no jti")
	}
	for j, at := range d.jtis {
		if time.Since(at) > 2*iatWindow {
			delete(d.jtis, j)
		}
	}
	if _, replay := d.jtis[p.JTI]; replay {
		return bad("DPoP proof jti replay detected")
	}
	d.jtis[p.JTI] = time.Now()
	return claims, nil
}

// htu is the URL the proof must name: the request's, without query.
func (d *DPoPServer) htu(r *http.Request) string {
	base := d.opt.PublicURL
	if base == "" {
		base = d.URL
	}
	return strings.TrimSuffix(base, "/") + r.URL.EscapedPath()
}

// Nonces lists nothing secret: the current nonce (tests compare).
func (d *DPoPServer) Nonce() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.nonce
}

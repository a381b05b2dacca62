package dpop

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// TokenType is the token_type of a DPoP-bound access token and the
// Authorization scheme it is presented with.
const TokenType = "DPoP"

// Header is the request header that carries the proof; NonceHeader is
// where servers hand out nonces.
const (
	Header      = "DPoP"
	NonceHeader = "DPoP-Nonce"
)

// Prover signs proofs with a profile's key.
type Prover struct {
	Key *Key
	// Nonces remembers the nonces servers handed out (nil: none kept).
	Nonces *Nonces
	// Now is the clock of iat (nil: time.Now). Servers compare it with
	// their real clock, so only tests set it.
	Now func() time.Time
}

// claims are a proof's payload (RFC 9449 §4.2).
type claims struct {
	JTI   string `json:"jti"`
	HTM   string `json:"htm"`
	HTU   string `json:"htu"`
	IAT   int64  `json:"iat"`
	ATH   string `json:"ath,omitempty"`
	Nonce string `json:"nonce,omitempty"`
}

// HTU is the proof's htu for a request URL: without query and fragment.
func HTU(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("a DPoP proof needs an absolute URL")
	}
	u.RawQuery, u.Fragment, u.RawFragment, u.ForceQuery = "", "", "", false
	u.User = nil
	return u.String(), nil
}

// ATH is the proof's ath for an access token: base64url SHA-256.
func ATH(accessToken string) string {
	h := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// Proof is a fresh proof for method and URL; accessToken, when set, binds
// it to that token (ath, for resource requests). The nonce is the one
// remembered for the URL's origin.
func (p *Prover) Proof(method, rawURL, accessToken string) (string, error) {
	return p.ProofWithNonce(method, rawURL, accessToken, p.Nonces.Get(rawURL))
}

// ProofWithNonce is Proof with an explicit nonce ("" = none).
func (p *Prover) ProofWithNonce(method, rawURL, accessToken, nonce string) (string, error) {
	if p == nil || p.Key == nil {
		return "", fmt.Errorf("the profile has no DPoP key")
	}
	htu, err := HTU(rawURL)
	if err != nil {
		return "", err
	}
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	c := claims{JTI: base64.RawURLEncoding.EncodeToString(jti), HTM: strings.ToUpper(method), HTU: htu, IAT: now().Unix(), Nonce: nonce}
	if accessToken != "" {
		c.ATH = ATH(accessToken)
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	opts := (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt")
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: p.Key.Alg, Key: p.Key.Signer}, opts)
	if err != nil {
		return "", fmt.Errorf("cannot sign the DPoP proof: %v", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("cannot sign the DPoP proof: %v", err)
	}
	return jws.CompactSerialize()
}

// Nonces are the latest DPoP-Nonce of each origin (scheme://host:port).
// Safe for concurrent use; a nil *Nonces keeps nothing.
type Nonces struct {
	mu sync.Mutex
	m  map[string]string
}

// NewNonces returns an empty set.
func NewNonces() *Nonces { return &Nonces{m: map[string]string{}} }

func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}

// Get is the nonce remembered for rawURL's origin.
func (n *Nonces) Get(rawURL string) string {
	if n == nil {
		return ""
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.m[origin(rawURL)]
}

// Set remembers a nonce for rawURL's origin ("" is ignored). Nonces are
// short opaque strings; an absurd one is not kept.
func (n *Nonces) Set(rawURL, nonce string) {
	if n == nil || nonce == "" || len(nonce) > 1024 {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.m) > 1000 { // a process talks to few origins; never grow without bound
		clear(n.m)
	}
	n.m[origin(rawURL)] = nonce
}

package dpop

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

func TestKeyRoundTripAndThumbprint(t *testing.T) {
	for _, alg := range []jose.SignatureAlgorithm{"", jose.ES384, jose.EdDSA, jose.PS256} {
		k, err := NewKey(alg)
		if err != nil {
			t.Fatal(err)
		}
		enc, err := k.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeKey(enc)
		if err != nil || back.Alg != k.Alg || back.Thumbprint() != k.Thumbprint() || len(k.Thumbprint()) != 43 {
			t.Errorf("%s: decoded %v %v, thumbprints %s / %s", alg, back, err, back.Thumbprint(), k.Thumbprint())
		}
	}
	if k, _ := NewKey(""); k.Alg != jose.ES256 {
		t.Errorf("default alg %s", k.Alg)
	}
	for _, bad := range []string{"", "ES256", "ES256:!!!", "ES256:" + "aGVsbG8="} {
		if _, err := DecodeKey(bad); err == nil {
			t.Errorf("DecodeKey(%q) accepted", bad)
		}
	}
}

func TestChooseAlg(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want jose.SignatureAlgorithm
	}{
		{nil, jose.ES256}, {[]string{"ES256", "EdDSA"}, jose.ES256}, {[]string{"PS256", "ES384"}, jose.ES384},
		{[]string{"Ed25519"}, jose.EdDSA}, {[]string{"ML-DSA-44"}, ""},
	} {
		if got := ChooseAlg(c.in); got != c.want {
			t.Errorf("ChooseAlg(%v) = %q, want %q", c.in, got, c.want)
		}
	}
	if Accepted([]string{"EdDSA"}, jose.ES256) || !Accepted(nil, jose.ES256) {
		t.Error("Accepted")
	}
}

// proofClaims verifies a proof with its embedded jwk, as a server does.
func proofClaims(t *testing.T, proof string) (jose.Header, map[string]any) {
	t.Helper()
	jws, err := jose.ParseSigned(proof, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	h := jws.Signatures[0].Protected
	if h.JSONWebKey == nil || !h.JSONWebKey.IsPublic() {
		t.Fatal("no public jwk header")
	}
	payload, err := jws.Verify(h.JSONWebKey)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	_ = json.Unmarshal(payload, &c)
	return h, c
}

func TestProof(t *testing.T) {
	k, _ := NewKey("")
	now := time.Unix(1_800_000_000, 0)
	p := &Prover{Key: k, Nonces: NewNonces(), Now: func() time.Time { return now }}
	p.Nonces.Set("https://API.example.com/other", "n-1")
	proof, err := p.Proof("get", "https://api.example.com/orders?page=2#frag", "tok")
	if err != nil {
		t.Fatal(err)
	}
	h, c := proofClaims(t, proof)
	if h.ExtraHeaders["typ"] != "dpop+jwt" {
		t.Errorf("typ %v", h.ExtraHeaders["typ"])
	}
	want := map[string]any{"htm": "GET", "htu": "https://api.example.com/orders", "iat": float64(now.Unix()),
		"ath": ATH("tok"), "nonce": "n-1"}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("%s = %v, want %v", k, c[k], v)
		}
	}
	if jti, _ := c["jti"].(string); len(jti) < 16 {
		t.Errorf("jti %q", jti)
	}
	other, _ := p.Proof("GET", "https://api.example.com/orders", "")
	if _, c2 := proofClaims(t, other); c2["jti"] == c["jti"] || c2["ath"] != nil {
		t.Errorf("a second proof: %v", c2)
	}
	if strings.Contains(proof, "\"d\"") {
		t.Error("the private key is in the proof")
	}
}

// The round tripper retries once with the nonce an authorization server
// (400 use_dpop_nonce) or a resource server (401 DPoP challenge) hands
// out, and not twice.
func TestTransportNonceRetry(t *testing.T) {
	for _, c := range []struct {
		name   string
		refuse func(w http.ResponseWriter)
	}{
		{"IdP", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"use_dpop_nonce"}`)
		}},
		{"API", func(w http.ResponseWriter) {
			w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce", error_description="nonce"`)
			w.WriteHeader(http.StatusUnauthorized)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var calls atomic.Int32
			insist := false
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				body, _ := io.ReadAll(r.Body)
				if string(body) != "grant_type=x" {
					t.Errorf("body %q", body)
				}
				_, claims := proofClaims(t, r.Header.Get("DPoP"))
				if claims["nonce"] != "srv-nonce" || insist {
					w.Header().Set("DPoP-Nonce", "srv-nonce")
					c.refuse(w)
					return
				}
				_, _ = io.WriteString(w, "ok")
			}))
			defer srv.Close()
			k, _ := NewKey("")
			tr := &Transport{Prover: &Prover{Key: k, Nonces: NewNonces()}}
			client := &http.Client{Transport: tr}
			resp, err := client.Post(srv.URL+"/token", "application/x-www-form-urlencoded", strings.NewReader("grant_type=x"))
			if err != nil || resp.StatusCode != http.StatusOK || calls.Load() != 2 {
				t.Fatalf("first: %v %v, %d calls", resp, err, calls.Load())
			}
			resp.Body.Close()
			// The nonce is remembered: no retry needed.
			resp, _ = client.Post(srv.URL+"/token", "application/x-www-form-urlencoded", strings.NewReader("grant_type=x"))
			resp.Body.Close()
			if calls.Load() != 3 {
				t.Errorf("the remembered nonce was not used: %d calls", calls.Load())
			}
			// A server that insists: one retry, then its answer.
			insist = true
			resp, _ = client.Post(srv.URL+"/token", "application/x-www-form-urlencoded", strings.NewReader("grant_type=x"))
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if calls.Load() != 5 || resp.StatusCode == http.StatusOK {
				t.Errorf("insisting server: %d calls, status %d", calls.Load(), resp.StatusCode)
			}
			if c.name == "IdP" && !strings.Contains(string(b), "use_dpop_nonce") {
				t.Errorf("the refusal's body was lost: %q", b)
			}
		})
	}
}

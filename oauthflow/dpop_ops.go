package oauthflow

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/dpop"
)

// DPoPKeys are the DPoP operations of the profiles (Service.DPoP): the
// public face of their keys and proofs for callers that send the request
// themselves.
type DPoPKeys struct{ s *Service }

// DPoP returns the DPoP operations.
func (s *Service) DPoP() *DPoPKeys { return &DPoPKeys{s: s} }

// Thumbprint is the RFC 7638 JWK SHA-256 thumbprint of the profile's DPoP
// key (public: the cnf.jkt of its tokens); "" when it has none yet.
func (d *DPoPKeys) Thumbprint(nameOrID string) (string, error) {
	p, err := d.s.repo.Get(nameOrID)
	if err != nil {
		return "", err
	}
	raw, err := d.s.repo.Secrets.Get(p.ID, credentials.DPoPKey)
	if errors.Is(err, credentials.ErrSecretNotFound) {
		return "", nil
	}
	if err != nil {
		return "", dpopKeyFailure(err)
	}
	k, err := dpop.DecodeKey(raw)
	if err != nil {
		return "", &Failure{Category: CatConfig, Err: err, Message: err.Error()}
	}
	return k.Thumbprint(), nil
}

// Proof returns a valid token of a DPoP profile (as Service.FetchToken)
// and a fresh proof bound to it for one request (method, URL), with the
// given nonce, else the one last seen from that origin in this process. A
// profile without DPoP is refused: its token needs no proof.
func (d *DPoPKeys) Proof(ctx context.Context, nameOrID, method, rawURL, nonce string, opt TokenOptions) (*oauth2.Token, string, error) {
	p, err := d.s.repo.Get(nameOrID)
	if err != nil {
		return nil, "", err
	}
	if !p.DPoP {
		return nil, "", &Failure{Category: CatConfig, Message: "the profile does not use DPoP, so its token needs no proof: " +
			"turn DPoP on (credctl edit NAME --dpop) if the API wants DPoP-bound tokens"}
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "", &Failure{Category: CatConfig, Message: "the proof's URL is not an http:// or https:// URL with a host"}
	}
	method = strings.ToUpper(strings.TrimSpace(method))
	if method == "" || strings.ContainsAny(method, " \t/:") {
		return nil, "", &Failure{Category: CatConfig, Message: "the proof's method is not an HTTP method (GET, POST, …)"}
	}
	tok, _, err := d.s.FetchToken(ctx, p.ID, opt)
	if err != nil {
		return nil, "", err
	}
	prover, err := dpopProver(d.s.repo.Secrets, p, tok)
	if err != nil {
		return nil, "", err
	}
	if prover == nil { // Failed already when fetched; kept as a guard
		return nil, "", &Failure{Category: CatConfig, Message: "the profile's token is not DPoP-bound"}
	}
	if nonce == "" {
		nonce = prover.Nonces.Get(u.String())
	}
	proof, err := prover.ProofWithNonce(method, u.String(), tok.AccessToken, nonce)
	if err != nil {
		return nil, "", &Failure{Category: CatConfig, Err: err, Message: "cannot make the DPoP proof: " + err.Error()}
	}
	return tok, proof, nil
}

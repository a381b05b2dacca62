package oauthflow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/dpop"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// DPoP (RFC 9449): a DPoP profile's key lives in the keyring only
// (credentials.DPoPKey); it is made when the profile is saved with DPoP
// on (or, for an imported profile, at its first token request) and goes
// when DPoP is turned off or the profile is deleted. Every token request
// and every API call of the profile carries a fresh proof.

// dpopNonces are the nonces servers handed out, per origin, for this
// process (RFC 9449 §8, §9: a nonce belongs to the server, not the key).
var dpopNonces = dpop.NewNonces()

// keepDPoPKey makes p's DPoP key when DPoP is on and it has none, and
// removes it when DPoP is off.
func keepDPoPKey(secrets *credentials.Secrets, p credentials.Profile) error {
	if !p.DPoP {
		if err := secrets.Delete(p.ID, credentials.DPoPKey); err != nil && !errors.Is(err, credentials.ErrSecretNotFound) {
			return err
		}
		return nil
	}
	_, _, err := loadDPoPKey(secrets, p, nil)
	return err
}

// loadDPoPKey reads p's key, making one (for the first of algs we can
// make, ES256 when algs is empty) when there is none or when the IdP
// does not accept the stored key's algorithm. The note says what was done.
func loadDPoPKey(secrets *credentials.Secrets, p credentials.Profile, algs []string) (*dpop.Key, string, error) {
	raw, err := secrets.Get(p.ID, credentials.DPoPKey)
	switch {
	case err == nil:
		k, derr := dpop.DecodeKey(raw)
		if derr == nil && dpop.Accepted(algs, k.Alg) {
			return k, "", nil
		}
		if derr == nil {
			return newDPoPKey(secrets, p, algs, fmt.Sprintf(
				"The IdP does not accept DPoP proofs signed with %s (dpop_signing_alg_values_supported: %s): the profile's DPoP key was replaced by one it accepts.",
				k.Alg, strings.Join(algs, ", ")))
		}
		return newDPoPKey(secrets, p, algs, "The stored DPoP key could not be read ("+derr.Error()+"): a new one was made.")
	case errors.Is(err, credentials.ErrSecretNotFound):
		return newDPoPKey(secrets, p, algs, "")
	default:
		return nil, "", err
	}
}

func newDPoPKey(secrets *credentials.Secrets, p credentials.Profile, algs []string, note string) (*dpop.Key, string, error) {
	alg := dpop.ChooseAlg(algs)
	if alg == "" {
		return nil, "", &Failure{Category: CatConfig, Message: fmt.Sprintf(
			"the IdP accepts DPoP proofs signed with %s only (dpop_signing_alg_values_supported), none of which this client can make "+
				"(it makes ES256, ES384, ES512, EdDSA, PS256 and RS256 keys)", failure.Sanitize(strings.Join(algs, ", "), 200))}
	}
	k, err := dpop.NewKey(alg)
	if err != nil {
		return nil, "", err
	}
	enc, err := k.Encode()
	if err != nil {
		return nil, "", err
	}
	if err := secrets.Set(p.ID, credentials.DPoPKey, enc); err != nil {
		return nil, "", err
	}
	return k, note, nil
}

// dpopKeyFailure explains a key that cannot be had.
func dpopKeyFailure(err error) *Failure {
	if f, ok := AsFailure(err); ok {
		return f
	}
	f := failure.Classify(err)
	f.Message = "the profile's DPoP key cannot be read or stored in the OS keyring: " + f.Message
	return f
}

// dpopIdPClient is client with proofs on p's token requests (POSTs to
// the IdP), the key matched to the algorithms the IdP's discovery names.
func (pr protocol) dpopIdPClient(ctx context.Context, p credentials.Profile, client *http.Client) (*http.Client, []string, *Failure) {
	if !p.DPoP {
		return client, nil, nil
	}
	var algs []string
	if p.IssuerURL != "" {
		ep, err := discovered(ctx, pr.s.mgr.http, p, client)
		if err != nil {
			return nil, nil, failure.Classify(err)
		}
		algs = ep.DPoPAlgs
	}
	k, note, err := loadDPoPKey(pr.s.repo.Secrets, p, algs)
	if err != nil {
		return nil, nil, dpopKeyFailure(err)
	}
	base := transportOf(client)
	if p.Type == credentials.TypeApplication && p.AuthMethod == credentials.AuthPrivateKeyJWT {
		// The grant's client assertion is single-use: a nonce retry gets a
		// fresh one (User profiles have this transport already, inside).
		ak, f := loadAssertionKey(pr.s.repo.Secrets, p)
		if f != nil {
			return nil, nil, f
		}
		base = &assertionTransport{base: base, targets: map[string]bool{endpointKey(p.TokenURL): true},
			sign: func() (string, error) { return signAssertion(p, ak, time.Now()) }} // the IdP checks real time
	}
	c := *client
	c.Transport = &dpop.Transport{Base: base, Prover: &dpop.Prover{Key: k, Nonces: dpopNonces}, Only: dpop.TokenRequests}
	var notes []string
	if note != "" {
		notes = append(notes, note)
	}
	return &c, notes, nil
}

// userClient is the IdP client of a User profile; a DPoP profile's puts
// proofs on its token requests, outermost, so that a nonce retry goes
// through the client assertion's transport again and gets a fresh one.
func (pr protocol) userClient(ctx context.Context, p credentials.Profile) (*userClient, *Failure) {
	u, f := pr.userClientNoDPoP(ctx, p)
	if f != nil || !p.DPoP {
		return u, f
	}
	c, notes, f := pr.dpopIdPClient(ctx, p, u.http)
	if f != nil {
		return u, f
	}
	u.http = c
	if len(notes) > 0 {
		u.warnings = append(slices.Clone(u.warnings), notes...) // never into the client cache's slice
	}
	return u, nil
}

// dpopProver is the prover for presenting tok: nil for a Bearer token.
func dpopProver(secrets *credentials.Secrets, p credentials.Profile, tok *oauth2.Token) (*dpop.Prover, error) {
	if tok == nil || !strings.EqualFold(tok.TokenType, dpop.TokenType) {
		return nil, nil
	}
	raw, err := secrets.Get(p.ID, credentials.DPoPKey)
	if errors.Is(err, credentials.ErrSecretNotFound) {
		return nil, &Failure{Category: CatConfig, Err: err, Message: "the token is DPoP-bound but the profile's DPoP key is missing from the OS keyring: " +
			"test the profile again to get a token bound to a new key"}
	}
	if err != nil {
		return nil, dpopKeyFailure(err)
	}
	k, err := dpop.DecodeKey(raw)
	if err != nil {
		return nil, &Failure{Category: CatConfig, Err: err, Message: err.Error() + ": test the profile again to get a token bound to a new key"}
	}
	return &dpop.Prover{Key: k, Nonces: dpopNonces}, nil
}

// wsseDPoP refuses to put a DPoP-bound token into a WS-Security header:
// RFC 9449 binds it to Authorization: DPoP with a proof, which a SOAP
// service reading the envelope never checks.
func wsseDPoP(tok *oauth2.Token) *Diagnosis {
	if tok == nil || !strings.EqualFold(tok.TokenType, dpop.TokenType) {
		return nil
	}
	return &Diagnosis{Category: CatConfig,
		Cause: "the profile's token is DPoP-bound, which a WS-Security header cannot carry: it is presented only with " +
			"Authorization: DPoP and a DPoP proof (RFC 9449)",
		Checks: []string{"Edit the transport: send the token in the HTTP Authorization header instead of the WS-Security header."}}
}

// MsgDPoPMissing is added to a refusal of a profile without DPoP by an
// IdP that supports DPoP and hides why (oidc-provider answers a missing
// proof with a bare invalid_grant).
const MsgDPoPMissing = "if the client is set up at the IdP for DPoP-bound tokens (the IdP supports DPoP: its discovery lists " +
	"dpop_signing_alg_values_supported), this profile sends no DPoP proof: turn on DPoP for the profile (credctl edit NAME --dpop, or the form's DPoP box)"

func (pr protocol) dpopMissing(ctx context.Context, p credentials.Profile, client *http.Client, f *Failure) *Failure {
	if !dpopMayBeMissing(p, f) {
		return f
	}
	if ep, err := discovered(ctx, pr.s.mgr.http, p, client); err == nil {
		dpopMissingHint(f, p, ep.DPoPAlgs)
	}
	return f
}

func dpopMayBeMissing(p credentials.Profile, f *Failure) bool {
	return f != nil && !p.DPoP && p.IssuerURL != "" && (f.IdPError == "invalid_grant" || f.IdPError == "invalid_request") &&
		!strings.Contains(f.Message, "DPoP")
}

// dpopMissingHint adds MsgDPoPMissing to f when it may apply (algs: the
// IdP's dpop_signing_alg_values_supported).
func dpopMissingHint(f *Failure, p credentials.Profile, algs []string) {
	if dpopMayBeMissing(p, f) && len(algs) > 0 {
		f.Message += "; or " + MsgDPoPMissing
	}
}

package ui

import (
	"context"
	"path/filepath"

	"github.com/credworkbench/credworkbench/internal/instance"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// AgentTokens answers credctl's token requests on the instance socket
// (internal/instance, token.go) through svc's FetchToken, the door every
// token goes through: freshness, renewal, the shared store, logout and
// derived-profile rules are the Service's, not a second copy. It declines
// (credctl then asks the keyring itself) what it should not answer: another
// store, an unknown profile (credctl's own lookup says so in its words),
// a helper asking for certificate-bound tokens (credctl refuses those
// before any fetch), an error that is not a categorised failure.
func AgentTokens(svc *oauthflow.Service) instance.TokenFunc {
	store := filepath.Clean(svc.StorePath())
	return func(ctx context.Context, q instance.TokenRequest) instance.TokenAnswer {
		declined := instance.TokenAnswer{Status: instance.TokenDeclined}
		if filepath.Clean(q.Store) != store {
			return declined
		}
		p, err := svc.Profile(q.Profile)
		if err != nil || (q.Helper && p.BindTokensToCertificate) {
			return declined
		}
		ap := &instance.TokenProfile{ID: p.ID, Name: p.Name, Type: string(p.Type), DPoP: p.DPoP, GitUsername: p.GitUsername, Tenant: p.Tenant}
		tok, cached, err := svc.FetchToken(ctx, p.ID, oauthflow.TokenOptions{})
		if err != nil {
			f, ok := oauthflow.AsFailure(err)
			if !ok || f.Category == "" {
				return declined
			}
			return instance.TokenAnswer{Status: instance.TokenFailed, Profile: ap, Error: tokenError(err, f)}
		}
		return instance.TokenAnswer{Status: instance.TokenOK, Profile: ap, Token: &instance.TokenValue{
			AccessToken: tok.AccessToken, TokenType: tok.Type(), Expiry: tok.Expiry, Cached: cached}}
	}
}

// tokenError is err (whose failure is f) as the answer carries it.
func tokenError(err error, f *oauthflow.Failure) *instance.TokenError {
	return &instance.TokenError{Text: err.Error(), Category: string(f.Category), Message: f.Message, Advice: f.Advice(),
		IdPError: f.IdPError, IdPDescription: f.IdPDescription, HTTPStatus: f.HTTPStatus, IdPCode: f.IdPCode, Fix: f.Fix,
		ProposedScope: f.ProposedScope, TraceID: f.Support.TraceID, CorrelationID: f.Support.CorrelationID,
		Timestamp: f.Support.Timestamp, RequestID: f.Support.RequestID}
}

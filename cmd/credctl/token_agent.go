package main

import (
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/instance"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// Ask the agent first: a running workbench holds every live token in
// memory and answers on its private instance socket (internal/instance,
// token.go) through its Service's FetchToken, the same rules as here. One
// round trip there replaces opening the store, the keyring session and the
// token lookup; when no workbench answers (none runs, a stale socket, an
// older release, a timeout) or it declines, credctl does what it always did.

// agentTimeout bounds the whole round trip. A token from the workbench's
// memory takes well under a millisecond; a workbench that is busy fetching
// is left to the keyring path after this, which then waits on the
// profile's lock and takes the token the workbench stored.
const agentTimeout = time.Second

// agentResult is the running workbench's answer.
type agentResult struct {
	tok    *oauth2.Token
	p      credentials.Profile // the fields the front ends use (TokenProfile)
	cached bool
}

// agentToken asks the running workbench for name's token (by name or ID,
// as credctl looks profiles up); helper says a protocol helper asks.
// asked is false when no agent answered or it declined: the caller goes
// on as before. err is the workbench's failure, with the text and exit
// code a fetch here would have given.
func (a *app) agentToken(name string, helper bool) (r agentResult, asked bool, err error) {
	store, err := credentials.DefaultStorePath()
	if err != nil {
		return r, false, nil //nolint:nilerr // the keyring path reports it
	}
	ans, err := instance.AskToken("credworkbench", instance.TokenRequest{Profile: name, Store: store, Helper: helper}, agentTimeout)
	if err != nil || ans.Status == instance.TokenDeclined {
		return r, false, nil //nolint:nilerr // no agent: ask the keyring
	}
	ap := ans.Profile
	r.p = credentials.Profile{ID: ap.ID, Name: ap.Name, Type: credentials.Type(ap.Type), DPoP: ap.DPoP,
		GitUsername: ap.GitUsername, Tenant: ap.Tenant}
	if ans.Status == instance.TokenFailed {
		return r, true, agentFailure(ans.Error)
	}
	t := ans.Token
	r.tok = &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, Expiry: t.Expiry}
	r.cached = t.Cached
	return r, true, nil
}

// agentError is the workbench's failure: its whole text, and the failure
// that decides the category, advice and exit code.
type agentError struct {
	text string
	f    *oauthflow.Failure
}

func (e *agentError) Error() string { return e.text }
func (e *agentError) Unwrap() error { return e.f }

func agentFailure(e *instance.TokenError) error {
	f := &oauthflow.Failure{Category: oauthflow.Category(e.Category), Message: e.Message, IdPError: e.IdPError,
		IdPDescription: e.IdPDescription, HTTPStatus: e.HTTPStatus, IdPCode: e.IdPCode, Fix: e.Fix, ProposedScope: e.ProposedScope,
		Support: oauthflow.SupportIDs{TraceID: e.TraceID, CorrelationID: e.CorrelationID, Timestamp: e.Timestamp, RequestID: e.RequestID}}
	return &agentError{text: e.Text, f: f.WithAdvice(e.Advice)}
}

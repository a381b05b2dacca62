package oauthflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
	"github.com/credworkbench/credworkbench/oauthflow/tokens"
)

// Derived profiles (#28): a token exchange (RFC 8693) of another profile's
// token, or a JWT bearer assertion (RFC 7523 §2.1) for a subject. They use
// the client-credentials machinery (endpoints, client authentication, the
// shared store, renewal); idp.Grant swaps the grant.

// maxExchangeChain bounds subject-of-subject chains (and so cycles a hand
// edited file could make).
const maxExchangeChain = 8

// derivedIn is what a derived fetch needs from other profiles. It is
// gathered before the derived profile's lock is taken: each subject token
// is obtained under its own profile's lock first, so locks are always taken
// subject before derived and never nested the other way round (no
// deadlock between processes).
type derivedIn struct {
	subject, actor credentials.Profile
	subjectTok     *oauth2.Token
	actorTok       *oauth2.Token
	fail           *Failure
}

// derivedInputs returns nil for profiles that are not token exchanges.
func derivedInputs(m *Manager, p credentials.Profile) *derivedIn {
	if p.GrantType != credentials.GrantTokenExchange {
		return nil
	}
	in := &derivedIn{}
	if f := checkChain(m.s.repo, p); f != nil {
		in.fail = f
		return in
	}
	in.subject, in.subjectTok, in.fail = derivedSource(m, p.SubjectProfile, "subject")
	if in.fail == nil && p.ActorProfile != "" {
		in.actor, in.actorTok, in.fail = derivedSource(m, p.ActorProfile, "actor")
	}
	return in
}

// sourceLoggedOut reports whether a token exchange's subject or actor (or
// theirs, down the chain) is a User profile that is logged out. Its
// exchanged token is then not handed out from memory even before this
// process has handled the logout's event: the process that logged out has
// dropped it from the shared store already (dropDerived), and a running
// workbench answers credctl's token requests (ui.AgentTokens) at once.
func sourceLoggedOut(repo *credentials.Repository, p credentials.Profile, depth int) bool {
	if repo == nil || depth >= maxExchangeChain {
		return false
	}
	for _, id := range p.DerivedFrom() {
		src, err := repo.Get(id)
		if err != nil {
			continue // a deleted source is the fetch's to explain
		}
		if tokens.LoggedOut(src) || sourceLoggedOut(repo, src, depth+1) {
			return true
		}
	}
	return false
}

// checkChain refuses profiles that exchange each other's tokens in a circle
// (the fetches would wait for each other).
func checkChain(repo *credentials.Repository, p credentials.Profile) *Failure {
	seen := map[string]bool{p.ID: true}
	next := p.DerivedFrom()
	for depth := 0; len(next) > 0; depth++ {
		if depth >= maxExchangeChain {
			return &Failure{Category: CatConfig, Message: fmt.Sprintf("the token exchange chain of '%s' is longer than %d profiles: exchange a profile's token nearer the start", p.Name, maxExchangeChain)}
		}
		var after []string
		for _, id := range next {
			if seen[id] {
				return &Failure{Category: CatConfig, Message: fmt.Sprintf("the token exchange of '%s' leads back to itself through its subject or actor profiles: choose a subject that does not derive from it", p.Name)}
			}
			seen[id] = true
			if q, err := repo.Get(id); err == nil {
				after = append(after, q.DerivedFrom()...)
			}
		}
		next = after
	}
	return nil
}

// derivedSource is the current token of the profile id names.
func derivedSource(m *Manager, id, role string) (credentials.Profile, *oauth2.Token, *Failure) {
	src, err := m.s.repo.Get(id)
	if errors.Is(err, credentials.ErrNotFound) {
		return src, nil, &Failure{Category: CatConfig, Err: err, Message: fmt.Sprintf(
			"the %s profile of this token exchange no longer exists (it was deleted): edit the profile and choose another %s profile", role, role)}
	}
	if err != nil {
		return src, nil, failure.Classify(err)
	}
	tok, err := m.Token(m.ctx, src)
	if err == nil {
		return src, tok, nil
	}
	why := err.Error()
	if f, ok := failure.As(err); ok {
		why = f.Message
	}
	if src.Type == credentials.TypeUser {
		return src, nil, &Failure{Category: CatLogin, Err: err, Message: fmt.Sprintf(
			"log in to '%s' first: the token exchange needs its token (%s)", src.Name, why)}
	}
	return src, nil, &Failure{Category: CatCredentials, Err: err, Message: fmt.Sprintf(
		"the token exchange needs a token of its %s profile '%s', which has none: %s", role, src.Name, why)}
}

// fetchDerived runs p's derived grant once; for a token exchange, in holds
// the subject (and actor) token. Like fetchClientCredentials it neither
// records nor caches.
func (pr protocol) fetchDerived(ctx context.Context, p credentials.Profile, in *derivedIn) (*oauth2.Token, Result, error) {
	s := pr.s
	start := s.Clock.Now()
	fail := func(f *Failure) (*oauth2.Token, Result, error) { return nil, failedResult(p, f, nil, start), f }
	g := &idp.Grant{Type: p.GrantType}
	switch p.GrantType {
	case credentials.GrantTokenExchange:
		if in == nil {
			return fail(&Failure{Category: CatOther, Message: "the token exchange has no subject token"})
		}
		if in.fail != nil {
			return fail(in.fail)
		}
		actor := ""
		if in.actorTok != nil {
			actor = in.actorTok.AccessToken
			g.Hide = append(g.Hide, actor)
		}
		g.Params = idp.TokenExchangeParams(in.subjectTok.AccessToken, actor, p.RequestedTokenType)
		g.Hide = append(g.Hide, in.subjectTok.AccessToken)
		g.Subject, g.Requested = in.subject.Name, p.RequestedTokenType
	case credentials.GrantJWTBearer:
		jwt, f := pr.bearerAssertion(ctx, p)
		if f != nil {
			return fail(f)
		}
		g.Params = map[string][]string{"assertion": {jwt}}
		g.Hide, g.Subject = []string{jwt}, p.AssertionSubject
	}
	return pr.fetchClientCredentials(idp.WithGrant(ctx, g), p, nil)
}

// bearerAssertion signs the JWT bearer grant's assertion (RFC 7523 §3):
// iss = client_id, sub = the assertion subject, aud = the token endpoint
// (or issuer), a short exp and a fresh jti.
func (pr protocol) bearerAssertion(ctx context.Context, p credentials.Profile) (string, *Failure) {
	k, f := loadAssertionKey(pr.s.repo.Secrets, p)
	if f != nil {
		return "", f
	}
	if now := pr.s.Clock.Now(); now.After(k.cert.NotAfter) {
		return "", &Failure{Category: CatCredentials, Message: fmt.Sprintf(
			"the certificate that signs the JWT bearer assertion expired on %s: generate or import a new one and register it at the IdP", k.cert.NotAfter.UTC().Format("2006-01-02"))}
	}
	if p.TokenURL == "" && p.IssuerURL != "" {
		// The audience is the token endpoint: discover it first.
		client, _, err := pr.s.mgr.http.IdP(p)
		if err == nil {
			if q, _, err := withEndpoints(ctx, pr.s.mgr.http, p, client); err == nil {
				p = q
			}
		}
	}
	jwt, err := signAssertionFor(p, k, p.AssertionSubject, time.Now()) // the IdP checks it against real time
	_ = 0                                                              //)
	if err != nil {
		return "", &Failure{Category: CatConfig, Message: err.Error()}
	}
	return jwt, nil
}

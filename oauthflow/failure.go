package oauthflow

import (
	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// The failure vocabulary lives in oauthflow/failure; these names keep the
// facade's API (cmd/ and ui/ use them).
type (
	Category   = failure.Category
	Failure    = failure.Failure
	SupportIDs = failure.SupportIDs
)

const (
	CatCredentials = failure.CatCredentials
	CatScope       = failure.CatScope
	CatEndpoint    = failure.CatEndpoint
	CatNetwork     = failure.CatNetwork
	CatProxy       = failure.CatProxy
	CatTLS         = failure.CatTLS
	CatRedirect    = failure.CatRedirect
	CatLogin       = failure.CatLogin
	CatClaims      = failure.CatClaims
	CatConfig      = failure.CatConfig
	CatKeyring     = failure.CatKeyring
	CatCancelled   = failure.CatCancelled
	CatOther       = failure.CatOther
	CatMFA         = failure.CatMFA
	CatConsent     = failure.CatConsent
	CatTenant      = failure.CatTenant
)

// AsFailure returns err's Failure, if it has one.
func AsFailure(err error) (*Failure, bool) { return failure.As(err) }

// AdviceFor is the check that applies to a stored failure of p; see
// failure.AdviceFor.
func AdviceFor(p credentials.Profile, cat Category, message string) string {
	return failure.AdviceFor(p, cat, message)
}

// DefaultScopeProposal turns a scope into Entra ID's "<resource>/.default"
// form; see failure.DefaultScopeProposal.
func DefaultScopeProposal(scope string) string { return failure.DefaultScopeProposal(scope) }

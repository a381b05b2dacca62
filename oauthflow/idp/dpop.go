package idp

import (
	"strings"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// Token binding messages (RFC 9449 §5): the token type must be the one the
// profile asked for, or the token cannot be presented.
const (
	MsgBearerForDPoP = "the IdP issued a Bearer token although this profile asks for DPoP: " +
		"the client is not set up for DPoP at the IdP, or the IdP does not support it"
	MsgDPoPForBearer = "the IdP issued a DPoP-bound token although this profile does not use DPoP: " +
		"the client is set up for DPoP at the IdP; turn on DPoP for the profile (credctl edit NAME --dpop, or the form's DPoP box)"
)

// CheckTokenBinding refuses a token whose type does not match the
// profile's DPoP choice: a Bearer token for a DPoP profile would be sent
// unbound, a DPoP token for a Bearer profile could not be presented.
func CheckTokenBinding(tok *oauth2.Token, dpop bool) *failure.Failure {
	isDPoP := strings.EqualFold(tok.TokenType, "dpop")
	switch {
	case dpop && !isDPoP:
		return &failure.Failure{Category: failure.CatConfig, Message: MsgBearerForDPoP}
	case !dpop && isDPoP:
		return &failure.Failure{Category: failure.CatConfig, Message: MsgDPoPForBearer}
	}
	return nil
}

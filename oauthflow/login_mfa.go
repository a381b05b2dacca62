package oauthflow

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// Optional multi-factor authentication for User profiles: the login asks
// the IdP for it (acr_values, a fresh sign-in, the OIDC claims parameter,
// Entra's authentication context) and then verifies it from the tokens.
// Only the tokens count: an IdP that does not say what the sign-in used is
// "not verifiable", never "verified".

// mfaOptions are the authorization (or device authorization) request's MFA
// parameters.
func mfaOptions(p credentials.Profile) []oauth2.AuthCodeOption {
	m := p.MFA
	if !m.Required {
		return nil
	}
	var opts []oauth2.AuthCodeOption
	if m.ACRValues != "" {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", m.ACRValues))
	}
	if m.FreshSignIn {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", "login"), oauth2.SetAuthURLParam("max_age", "0"))
	}
	if c := mfaClaimsParam(m); c != "" {
		opts = append(opts, oauth2.SetAuthURLParam("claims", c))
	}
	return opts
}

// mfaClaimsParam is the OIDC claims parameter (Core §5.5): an essential
// acr in the ID token, and Entra's acrs in the access token.
func mfaClaimsParam(m credentials.MFAPolicy) string {
	req := map[string]any{}
	if m.ClaimsParam {
		acr := map[string]any{"essential": true}
		if vs := strings.Fields(m.ACRValues); len(vs) > 0 {
			acr["values"] = vs
		}
		req["id_token"] = map[string]any{"acr": acr}
	}
	if m.AuthContext != "" {
		req["access_token"] = map[string]any{"acrs": map[string]any{"essential": true, "value": m.AuthContext}}
	}
	if len(req) == 0 {
		return ""
	}
	b, _ := json.Marshal(req) // maps of strings and bools always marshal
	return string(b)
}

// mfaMethods are RFC 8176 amr values that are a factor beyond a password.
var mfaMethods = []string{"mfa", "otp", "hwk", "swk", "sms", "tel", "fido", "face", "fpt", "iris", "retina", "vbm", "sc", "pin", "bio", "kba"}

// mfaACRs are acr values IdPs document as multi-factor.
var mfaACRs = []string{
	"urn:okta:loa:2fa:any", "urn:okta:loa:2fa:any:ifpossible", "phr", "phrh",
	"http://schemas.openid.net/pape/policies/2007/06/multi-factor",
	"http://schemas.openid.net/pape/policies/2007/06/multi-factor-physical",
	"mfa",
}

// mfaVerdict is what a login's tokens say about MFA.
type mfaVerdict struct {
	verified   bool
	unprovable bool   // the tokens say nothing either way
	text       string // for the session: "MFA verified: otp, pwd"
	why        string // for a failure: what the tokens showed instead
}

// verifyMFA reads the verified ID token's acr/amr and the access token's
// acrs (Entra authentication context).
func verifyMFA(m credentials.MFAPolicy, idClaims, atClaims map[string]any) mfaVerdict {
	if m.AuthContext != "" && atClaims != nil {
		acrs := claimStrings(atClaims["acrs"])
		if slices.Contains(acrs, m.AuthContext) {
			return mfaVerdict{verified: true, text: "MFA verified: authentication context " + m.AuthContext}
		}
		return mfaVerdict{why: fmt.Sprintf("the access token's acrs claim does not contain the authentication context %s (it has: %s)",
			m.AuthContext, mfaList(acrs))}
	}
	amr := claimStrings(idClaims["amr"])
	acr, _ := idClaims["acr"].(string)
	acr = failure.Sanitize(acr, 200)
	wanted := strings.Fields(m.ACRValues)
	if slices.ContainsFunc(amr, func(a string) bool { return slices.Contains(mfaMethods, strings.ToLower(a)) }) {
		return mfaVerdict{verified: true, text: "MFA verified: " + strings.Join(amr, ", ")}
	}
	if acr != "" && (slices.Contains(wanted, acr) || (len(wanted) == 0 && slices.Contains(mfaACRs, acr))) {
		text := "MFA verified: acr " + acr
		if len(amr) > 0 {
			text += " (" + strings.Join(amr, ", ") + ")"
		}
		return mfaVerdict{verified: true, text: text}
	}
	switch {
	case len(amr) > 0:
		return mfaVerdict{why: fmt.Sprintf("the IdP reports the sign-in methods %s, none of them a second factor", strings.Join(amr, ", "))}
	case acr != "" && len(wanted) > 0:
		return mfaVerdict{why: fmt.Sprintf("the ID token's acr is %q, not one of the required %s", acr, strings.Join(wanted, ", "))}
	}
	what := "the ID token has neither amr nor an acr this profile accepts"
	if acr != "" {
		what = fmt.Sprintf("the ID token's acr %q is not known as multi-factor (set the acr values the IdP uses for MFA)", acr)
	}
	return mfaVerdict{unprovable: true, text: "MFA not verifiable: " + what}
}

// checkMFA applies the profile's MFA requirement to a login's result: a
// login the tokens show without MFA fails (nothing is kept); one they say
// nothing about stays Active with "MFA not verifiable".
func checkMFA(u *userClient, tok *oauth2.Token, res *Result) *Failure {
	m := u.p.MFA
	if !m.Required || res.Token == nil {
		return nil
	}
	var idClaims map[string]any
	if raw, _ := tok.Extra("id_token").(string); raw != "" && u.ep.JWKSURL != "" {
		// userResult verified it already (signature, issuer, audience).
		_, idClaims, _ = decodeJWT(raw)
	}
	var atClaims map[string]any
	if _, c, ok := decodeJWT(tok.AccessToken); ok {
		atClaims = c
	}
	v := verifyMFA(m, idClaims, atClaims)
	switch {
	case v.verified:
		res.Token.MFA = v.text
	case v.unprovable:
		res.Token.MFA = v.text
		res.Warnings = append(res.Warnings, v.text+". The login is Active, but whether MFA was used is unknown "+
			"(Entra v2.0 ID tokens carry no amr: use an authentication context instead).")
	default:
		return (&Failure{Category: CatMFA, Message: "The login did not satisfy " + failure.OwnMFAMarker + ": " + v.why +
			". The session was not kept. Sign in again and complete the second factor, or have the IdP's administrator " +
			"require MFA for this application (the acr values the profile asks for must be configured there)."}).WithAdvice(failure.AdviceOwnMFA)
	}
	return nil
}

func claimStrings(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{failure.Sanitize(t, 100)}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, failure.Sanitize(s, 100))
			}
		}
		return out
	}
	return nil
}

func mfaList(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

package oauthflow

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/apicall"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// Step-up authentication (RFC 9470): an API's 401 with error
// "insufficient_user_authentication" names the acr values and/or max_age
// it wants; a new login asks the IdP for them (acr_values, max_age) and
// the profile's MFA verification then checks that the ID token has one of
// the acr values and an auth_time recent enough. The session is the
// profile's from then on.

// StepUp is what an API's RFC 9470 challenge asks of a new sign-in.
type StepUp = apicall.StepUp

// stepUpSkew is the clock difference allowed between the IdP and us on auth_time.
const stepUpSkew = time.Minute

// stepUpOptions are the authorization request's step-up parameters; they
// come after the profile's MFA ones and win over them.
func stepUpOptions(s *StepUp) []oauth2.AuthCodeOption {
	if s == nil {
		return nil
	}
	var opts []oauth2.AuthCodeOption
	if len(s.ACRValues) > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", strings.Join(s.ACRValues, " ")))
	}
	if s.MaxAge >= 0 {
		opts = append(opts, oauth2.SetAuthURLParam("max_age", strconv.Itoa(s.MaxAge)))
	}
	if s.MaxAge == 0 {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", "login"))
	}
	return opts
}

// checkStepUp holds a step-up login's verified ID token to the challenge:
// the MFA verification with the API's acr values, then the acr itself
// (the API checks exactly that) and auth_time against max_age.
func checkStepUp(u *userClient, tok *oauth2.Token, res *Result, s *StepUp, now time.Time) *Failure {
	if s == nil || res.Token == nil {
		return nil
	}
	var idClaims map[string]any
	if raw, _ := tok.Extra("id_token").(string); raw != "" && u.ep.JWKSURL != "" {
		_, idClaims, _ = decodeJWT(raw) // userResult verified it already
	}
	fail := func(why string) *Failure {
		return (&Failure{Category: CatMFA, Message: "The new sign-in does not meet what the API asks (RFC 9470 step-up: " +
			(&apicall.StepUp{ACRValues: s.ACRValues, MaxAge: s.MaxAge}).Describe() + "): " + why +
			". The session was not kept. Sign in again and complete what the IdP asks (e.g. the second factor), or have the IdP's " +
			"administrator offer that authentication level for this application."}).WithAdvice(failure.AdviceOwnMFA)
	}
	if idClaims == nil {
		return fail("the IdP returned no verifiable ID token, so the authentication level cannot be checked (add the openid scope)")
	}
	if len(s.ACRValues) > 0 {
		v := verifyMFA(credentials.MFAPolicy{Required: true, ACRValues: strings.Join(s.ACRValues, " ")}, idClaims, nil)
		acr, _ := idClaims["acr"].(string)
		if !slices.Contains(s.ACRValues, acr) {
			why := fmt.Sprintf("the ID token's acr is %q", failure.Sanitize(acr, 200))
			if acr == "" {
				why = "the ID token has no acr"
			}
			return fail(why)
		}
		if v.verified {
			res.Token.MFA = v.text
		}
	}
	if s.MaxAge >= 0 {
		at, ok := claimUnix(idClaims["auth_time"])
		if !ok {
			return fail("the ID token has no auth_time, so the time of the sign-in cannot be checked")
		}
		age := now.Sub(time.Unix(at, 0))
		if age > time.Duration(s.MaxAge)*time.Second+stepUpSkew {
			return fail(fmt.Sprintf("the IdP reused a sign-in from %s ago", age.Round(time.Second)))
		}
	}
	return nil
}

// StepUpAdvice is our diagnosis of an API's step-up challenge when no
// new login was run: what to do about it.
func StepUpAdvice(p credentials.Profile, s *StepUp, flag string) string {
	what := s.Describe()
	if p.Type != credentials.TypeUser {
		return what + ": only a user's sign-in can meet that, and " + quoteName(p.Name) +
			" is an Application profile; use a User profile for this API"
	}
	login := "log in with that level (credctl edit " + quoteName(p.Name) + " --require-mfa"
	if len(s.ACRValues) > 0 {
		login += " --mfa-acr '" + strings.Join(s.ACRValues, " ") + "'"
	}
	login += ", then credctl login " + quoteName(p.Name) + ")"
	return what + ": run again with " + flag + " to sign in anew and retry once, or " + login
}

// stepUpChecks is a transport diagnosis' check for an RFC 9470 challenge.
func stepUpChecks(d *Diagnosis, p credentials.Profile, s *StepUp) []string {
	if s == nil {
		return nil
	}
	d.Category = CatMFA
	return []string{"Step-up: " + StepUpAdvice(p, s, "--step-up (credctl transport run), or accept the new login the window offers") + "."}
}

// claimUnix reads a NumericDate claim (decodeJWT keeps numbers as json.Number).
func claimUnix(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return int64(f), err == nil
	case float64:
		return int64(n), true
	}
	return 0, false
}

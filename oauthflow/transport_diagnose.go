package oauthflow

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/apicall"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/mtls"
)

// How a transport run's outcome is explained: no token, no answer, or the
// API's refusal read against the token's audience, scopes and tenant.

func noTokenDiagnosis(p credentials.Profile, err error, now time.Time) *Diagnosis {
	d := &Diagnosis{Cause: fmt.Sprintf("no token was generated for %q", p.Name), Checks: []string{checkTokenGenerated}}
	status := p.StatusAt(now)
	if status != credentials.StatusActive && status != credentials.StatusUntested {
		d.Cause += fmt.Sprintf(": the credential is not Active (%s)", status)
	}
	if f, ok := AsFailure(err); ok {
		d.Failure, d.Category = f, f.Category
		what := "the IdP refused the token request"
		switch f.Category {
		case CatNetwork, CatProxy, CatTLS, CatEndpoint:
			what = "the IdP could not be reached"
		case CatLogin:
			what = "the user is not logged in"
			if p.Type == credentials.TypeUser {
				d.Checks = append(d.Checks, "Log in: right-click the transport, User External Credentials, then the profile (or credctl login).")
			}
		case CatConfig, CatKeyring:
			what = "the profile cannot be used"
		}
		d.Cause += "; " + what + ": " + oneLineText(f.Error())
		if adv := f.Advice(); adv != "" {
			d.Checks = append(d.Checks, adv)
		}
	} else if err != nil {
		d.Cause += ": " + oneLineText(err.Error())
	}
	d.Checks = append(d.Checks, checkLogs)
	return d
}

// finish fills the result from the answer, or from the error when none came.
func finish(res *RunResult, resp *Response, err error, info *TokenInfo, p credentials.Profile) {
	if err != nil {
		f := failure.Classify(err)
		if af, ok := AsFailure(err); ok {
			f = af
		}
		mtls.Explain(p, f)
		res.Outcome = OutcomeNetwork
		if f.Category == CatConfig {
			res.Outcome = OutcomeInvalid
		}
		res.Diagnosis = &Diagnosis{Cause: "no answer from the API: " + oneLineText(f.Error()), Category: f.Category, Failure: f, Checks: []string{f.Advice()}}
		return
	}
	res.Response = resp
	res.Pretty = PrettyBody(resp.Header.Get("Content-Type"), resp.Body)
	res.Fault = ParseSOAPFault(resp.Body)
	refused := resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden ||
		(res.Fault != nil && res.Fault.Security()) ||
		(resp.Status == http.StatusBadRequest && strings.Contains(strings.Join(resp.Header.Values("WWW-Authenticate"), ","), "error="))
	switch {
	case refused && res.Profile != "":
		res.Outcome = OutcomeAPIRefused
		res.Diagnosis = apiRefusal(res, info, p)
	case refused:
		res.Outcome = OutcomeAPIRefused
		res.Diagnosis = &Diagnosis{Cause: fmt.Sprintf("the API refused the call (HTTP %d) and the transport sends no token", resp.Status),
			Category: CatCredentials, Checks: []string{checkSelectCredential}}
	case res.Fault != nil:
		res.Outcome = OutcomeSOAPFault
		res.Diagnosis = &Diagnosis{Cause: "the service answered with a " + res.Fault.String(), Checks: []string{"Check the envelope, the SOAP version and the action against the service's WSDL."}}
	case resp.Status < 200 || resp.Status > 299:
		res.Outcome = OutcomeHTTPError
		res.Diagnosis = &Diagnosis{Cause: fmt.Sprintf("the API answered HTTP %d %s", resp.Status, resp.StatusText), Checks: []string{"See the response body for the API's reason."}}
	default:
		res.Outcome = OutcomeOK
	}
}

// apiRefusal explains why the API refused the token: the challenge's
// reason, the token's audience against the URL, its scopes against the
// scope asked for, and the tenant header against the tenant claim.
func apiRefusal(res *RunResult, info *TokenInfo, p credentials.Profile) *Diagnosis {
	resp := res.Response
	d := &Diagnosis{Category: CatCredentials}
	params := map[string]string{}
	for _, c := range resp.Header.Values("WWW-Authenticate") {
		if pm := apicall.ChallengeParams(c); pm["error"] != "" || len(params) == 0 {
			params = pm
		}
	}
	d.Challenge = failure.Sanitize(params["error"], 64)
	d.NeedsScope = failure.Sanitize(params["scope"], 200)
	switch {
	case resp.AuthProblem != "":
		d.Cause = resp.AuthProblem
	case res.Fault != nil:
		d.Cause = "the service refused the token: " + res.Fault.String()
	case params["error"] != "":
		d.Cause = fmt.Sprintf("the API refused the token (HTTP %d): %s: %s", resp.Status, d.Challenge, failure.Sanitize(params["error_description"], failure.MaxDescription))
	default:
		d.Cause = fmt.Sprintf("the API refused the token (HTTP %d)", resp.Status)
	}
	if d.Challenge == "insufficient_scope" || resp.Status == http.StatusForbidden {
		d.Category = CatScope
	}
	if info != nil && !info.Opaque {
		d.TokenScopes, d.Audience, d.Tenant = info.Scopes, info.Audience, info.Tenant
		if d.Tenant == "" && p.TenantClaim == "" {
			// No claim path configured: the names IdPs commonly use.
			d.Tenant = firstString(info.Claims, "", defaultTenantClaims)
		}
	}
	// Scopes.
	if d.NeedsScope != "" {
		var missing []string
		for _, sc := range strings.Fields(d.NeedsScope) {
			if !slices.Contains(d.TokenScopes, sc) {
				missing = append(missing, sc)
			}
		}
		if len(missing) > 0 {
			d.Checks = append(d.Checks, fmt.Sprintf("Scopes: the API wants %s; the token has %s. Add %s to the profile's Scope and confirm the client may request it.",
				d.NeedsScope, listOrNone(d.TokenScopes), strings.Join(missing, " ")))
			d.Category = CatScope
		}
	} else if d.Challenge == "insufficient_scope" {
		d.Checks = append(d.Checks, fmt.Sprintf("Scopes: the token has %s; the API wants another one (it did not say which).", listOrNone(d.TokenScopes)))
	}
	// Audience against the URL: a reason for a 401 / invalid_token.
	unauthorized := resp.Status == http.StatusUnauthorized || d.Challenge == "invalid_token" || (res.Fault != nil && res.Fault.Security())
	if info != nil && !info.Opaque && unauthorized {
		api := apiIdentity(res.Transport.URL)
		if !audienceMatches(d.Audience, res.Transport.URL) {
			d.Checks = append(d.Checks, fmt.Sprintf("Audience: the token is for %s, and the API is at %s. If the API expects its own identifier, set the profile's Audience or Resource to it.",
				listOrNone(d.Audience), api))
		}
	} else if info != nil && info.Opaque {
		d.Checks = append(d.Checks, "The token is opaque (not a JWT): its audience and scopes cannot be shown here; ask the API which audience it expects.")
	}
	// Tenant header against the tenant claim.
	if c := tenantCheck(p, d.Tenant, res.AsUser || p.Type == credentials.TypeUser); c != "" {
		d.Checks = append(d.Checks, c)
	}
	if info != nil {
		if c := mtls.APIRefusalCheck(p, mtls.ClaimsBoundTo(info.Claims), resp.Status); c != "" {
			d.Checks = append(d.Checks, c)
		}
	}
	if d.Challenge == "invalid_token" && len(d.Checks) == 0 {
		d.Checks = append(d.Checks, "The API does not accept the token: check that it trusts the profile's IdP (issuer) and that the token has not been revoked.")
	}
	d.Checks = append(d.Checks, stepUpChecks(d, p, resp.StepUp)...) // login_stepup.go
	d.Checks = append(d.Checks, checkLogs)
	return d
}

// tenantCheck: with a logged-in user the tenant header must match the
// token's tenant claim; without a login the header must be present.
func tenantCheck(p credentials.Profile, claim string, loggedIn bool) string {
	header := p.TenantHeader
	if header == "" {
		header = credentials.DefaultTenantHeader
	}
	switch {
	case p.Tenant != "" && claim != "" && p.Tenant != claim:
		return fmt.Sprintf("Tenant: the request sends %s: %s, but the token's tenant claim is %s; for multi-tenant services they must match. Set the profile's Tenant to %s.", header, p.Tenant, claim, claim)
	case p.Tenant == "" && claim != "" && loggedIn:
		return fmt.Sprintf("Tenant: the request sends no %s header; the logged-in user's tenant claim is %s. For multi-tenant services set the profile's Tenant to %s.", header, claim, claim)
	case p.Tenant == "" && !loggedIn:
		return fmt.Sprintf("Tenant: the request sends no %s header; a multi-tenant service needs it without a user login. Set the profile's Tenant.", header)
	}
	return ""
}

// defaultTenantClaims are tried when a profile names no tenant claim.
var defaultTenantClaims = []string{"TenantID", "tid", "tenant_id", "tenant"}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, " ")
}

package oauthflow

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/logfile"
)

// Outcome classifies a transport run for people and exit codes.
type Outcome string

const (
	OutcomeOK           Outcome = "ok"            // a 2xx answer without a SOAP Fault
	OutcomeNoCredential Outcome = "no credential" // #nosec G101 -- an outcome name, not a credential; Authorization is Credential but no profile is selected (or it was deleted)
	OutcomeNoToken      Outcome = "no token"      // the profile gave no token (not Active, the IdP refused, …)
	OutcomeAPIRefused   Outcome = "api refused"   // 401/403, a Bearer challenge or a WS-Security fault
	OutcomeNetwork      Outcome = "network"       // no answer: network, proxy, TLS
	OutcomeSOAPFault    Outcome = "soap fault"
	OutcomeHTTPError    Outcome = "http error" // any other non-2xx answer
	OutcomeInvalid      Outcome = "invalid"    // the transport cannot be sent as it is (bad URL, body file missing, …)
)

// RunOptions tune a run.
type RunOptions struct {
	// AsProfile runs with this User profile instead of the transport's own
	// credential ("User External Credentials").
	AsProfile string
}

// RunResult is what a transport run did. It never holds the token.
type RunResult struct {
	Transport credentials.Transport
	Profile   string // the name of the profile whose token was used, "" for none
	AsUser    bool   // Profile is a User profile chosen for this run
	Outcome   Outcome
	Response  *Response  // nil when nothing came back
	Pretty    string     // the body, indented when JSON or XML
	Fault     *SOAPFault // a SOAP Fault in the answer
	Diagnosis *Diagnosis // why it failed; nil for OutcomeOK
	At        time.Time
	// Notice is said once per transport and host: the token went to a host
	// that is not its credential's audience or resource host.
	Notice     string
	noticeHost string
}

// OK reports a 2xx answer without a fault.
func (r *RunResult) OK() bool { return r.Outcome == OutcomeOK }

// Err is the run's verdict as an error: nil for OutcomeOK, else the
// diagnosis' cause, wrapping its *Failure when there is one.
func (r *RunResult) Err() error {
	if r.OK() {
		return nil
	}
	cause := string(r.Outcome)
	if r.Diagnosis != nil && r.Diagnosis.Cause != "" {
		cause = r.Diagnosis.Cause
	}
	if r.Diagnosis != nil && r.Diagnosis.Failure != nil {
		return fmt.Errorf("%s: %w", cause, r.Diagnosis.Failure)
	}
	return errors.New(cause)
}

// Diagnosis says what failed and which checks apply, in the words of the
// product's troubleshooting section where they fit.
type Diagnosis struct {
	Cause    string   `json:"cause"`
	Category Category `json:"category,omitempty"`
	Checks   []string `json:"checks"`
	// Failure is the IdP, network or token failure behind it, if any.
	Failure *Failure `json:"-"`
	// Details a script can act on.
	Challenge   string   `json:"challenge,omitempty"`   // the WWW-Authenticate error code
	NeedsScope  string   `json:"needsScope,omitempty"`  // the scope the API asked for
	TokenScopes []string `json:"tokenScopes,omitempty"` // the scopes the token has
	Audience    []string `json:"audience,omitempty"`    // the token's audience
	Tenant      string   `json:"tenant,omitempty"`      // the token's tenant claim
}

func (d *Diagnosis) String() string {
	var b strings.Builder
	b.WriteString(d.Cause)
	for _, c := range d.Checks {
		b.WriteString("\n  - " + c)
	}
	return b.String()
}

// The documentation's checks for "Authentication fails in transport".
const (
	checkSelectCredential = "Ensure a credential is selected in Authorization (Authorization: Credential, then pick the profile under Name)." // #nosec G101 -- advice text, not a credential
	checkTokenGenerated   = "Confirm a token is being generated: test the profile and see that it is Active."
	checkLogs             = "Check the logs for OAuth errors."
)

// runTransport runs a saved transport (by name or ID), records the outcome
// on it and logs it. The error is for a transport that cannot be found or
// a store that cannot be read; every other failure is in the result.
func (s *Service) runTransport(ctx context.Context, nameOrID string, opt RunOptions) (*RunResult, error) {
	t, err := s.repo.Transports().Get(nameOrID)
	if err != nil {
		return nil, err
	}
	res := s.run(ctx, t, opt)
	if t.ID != "" {
		rec := credentials.RunRecord{At: res.At, OK: res.OK(), Category: string(res.Outcome)}
		if res.Response != nil {
			rec.StatusCode, rec.DurationMS = res.Response.Status, res.Response.Duration.Milliseconds()
		}
		if res.Diagnosis != nil {
			rec.Error = res.Diagnosis.Cause
		}
		if res.AsUser {
			rec.AsUser = res.Profile
		}
		if err := s.repo.Transports().Record(t.ID, rec); err != nil {
			s.logf(ctx, "transport outcome not recorded", "transport", t.Name, "error", err.Error())
		}
		s.rememberNotice(ctx, t, res)
	}
	return res, nil
}

// run sends t (saved or not) with its credential's token and diagnoses the
// answer. Nothing is recorded: an unsaved transport has nowhere to keep it.
func (s *Service) run(ctx context.Context, t credentials.Transport, opt RunOptions) *RunResult {
	t.Normalize()
	res := &RunResult{Transport: t, At: s.Clock.Now().UTC()}
	defer s.logRun(ctx, res)
	check := t
	if check.Name == "" {
		check.Name = "unsaved" // an unsaved transport needs no name to run
	}
	if err := credentials.ValidateTransport(check, credentials.TransportValidateOptions{}); err != nil {
		res.Outcome = OutcomeInvalid
		res.Diagnosis = &Diagnosis{Cause: "the transport cannot be sent: " + err.Error(), Category: CatConfig, Checks: []string{"Edit the transport and fix the fields named."}}
		return res
	}
	body, err := transportBody(t)
	if err != nil {
		res.Outcome = OutcomeInvalid
		res.Diagnosis = &Diagnosis{Cause: err.Error(), Category: CatConfig, Checks: []string{"Edit the transport: give the body as text or point it at a readable file."}}
		return res
	}
	spec := RequestSpec{Method: t.Method, URL: t.URL, Header: t.HTTPHeader(), Body: body, Timeout: t.RunTimeout()}
	if t.Type == credentials.TransportWSSOAP {
		soap := SOAPRequest(SOAPVersion(t.SOAPVersion), t.URL, t.SOAPAction, body)
		for k, vs := range soap.Header {
			if spec.Header.Get(k) == "" {
				spec.Header[k] = vs
			}
		}
		spec.Method = http.MethodPost
	}

	profileRef := t.ProfileID
	if opt.AsProfile != "" {
		profileRef = opt.AsProfile
	} else if t.Authorization == credentials.AuthNone {
		resp, err := s.sendPlain(ctx, spec)
		s.finish(res, resp, err, nil, credentials.Profile{})
		return res
	}
	if profileRef == "" {
		res.Outcome = OutcomeNoCredential
		res.Diagnosis = &Diagnosis{Cause: "no credential selected: the transport's Authorization is Credential but no profile is chosen",
			Category: CatConfig, Checks: []string{checkSelectCredential}}
		return res
	}
	p, err := s.repo.Get(profileRef)
	if err != nil {
		res.Outcome = OutcomeNoCredential
		cause := "no credential: the profile this transport used was deleted"
		if opt.AsProfile != "" {
			cause = fmt.Sprintf("no credential: there is no profile %q to run as", opt.AsProfile)
		}
		if !errors.Is(err, credentials.ErrNotFound) {
			cause = "no credential: the profiles cannot be read: " + err.Error()
		}
		res.Diagnosis = &Diagnosis{Cause: cause, Category: CatConfig, Checks: []string{checkSelectCredential}}
		return res
	}
	res.Profile, res.AsUser = p.Name, opt.AsProfile != ""
	if res.AsUser && p.Type != credentials.TypeUser {
		res.Outcome = OutcomeInvalid
		res.Diagnosis = &Diagnosis{Cause: fmt.Sprintf("%q is not a User profile: User External Credentials logs in with a User profile", p.Name), Category: CatConfig}
		return res
	}

	tok, err := s.Token(ctx, p.ID)
	if err != nil || tok == nil || tok.AccessToken == "" {
		res.Outcome = OutcomeNoToken
		res.Diagnosis = s.noTokenDiagnosis(p, err)
		return res
	}
	access := tok.AccessToken
	res.Notice, res.noticeHost = hostNotice(t, p) // transport_audience.go
	var resp *Response
	if t.Type == credentials.TransportWSSOAP && t.TokenIn == credentials.TokenInWSSE {
		env, ierr := InjectWSSE(body, access)
		if ierr != nil {
			res.Outcome = OutcomeInvalid
			res.Diagnosis = &Diagnosis{Cause: "the token cannot go in a WS-Security header: " + ierr.Error(), Category: CatConfig,
				Checks: []string{"Give the transport a SOAP envelope as its body, or send the token in the HTTP Authorization header."}}
			return res
		}
		spec.Body = env
		resp, err = s.sendWSSE(ctx, p, spec, access)
		if err == nil && resp.Status == http.StatusUnauthorized {
			// Refused like a bearer token: no process hands it out again.
			s.mgr.Evict(ctx, p, access)
		}
	} else {
		// Request takes the same token from the token store (since #11).
		resp, err = s.Request(ctx, p.ID, spec)
	}
	s.finish(res, resp, err, Inspect(access, p), p)
	return res
}

// transportBody is the body text, or the file's content read now.
func transportBody(t credentials.Transport) ([]byte, error) {
	if t.BodyFile == "" {
		if t.Body == "" {
			return nil, nil
		}
		return []byte(t.Body), nil
	}
	f, err := os.Open(t.BodyFile) // #nosec G304 -- the user's own body file, chosen in the transport
	if err != nil {
		return nil, fmt.Errorf("the body file cannot be read: %v", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 16<<20+1))
	if err != nil {
		return nil, fmt.Errorf("the body file cannot be read: %v", err)
	}
	if len(b) > 16<<20 {
		return nil, errors.New("the body file is larger than 16 MiB")
	}
	return b, nil
}

func (s *Service) noTokenDiagnosis(p credentials.Profile, err error) *Diagnosis {
	d := &Diagnosis{Cause: fmt.Sprintf("no token was generated for %q", p.Name), Checks: []string{checkTokenGenerated}}
	status := p.StatusAt(s.Clock.Now())
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
func (s *Service) finish(res *RunResult, resp *Response, err error, info *TokenInfo, p credentials.Profile) {
	if err != nil {
		f := classifyError(err)
		if af, ok := AsFailure(err); ok {
			f = af
		}
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
		if pm := challengeParams(c); pm["error"] != "" || len(params) == 0 {
			params = pm
		}
	}
	d.Challenge = sanitizeText(params["error"], 64)
	d.NeedsScope = sanitizeText(params["scope"], 200)
	switch {
	case resp.AuthProblem != "":
		d.Cause = resp.AuthProblem
	case res.Fault != nil:
		d.Cause = "the service refused the token: " + res.Fault.String()
	case params["error"] != "":
		d.Cause = fmt.Sprintf("the API refused the token (HTTP %d): %s: %s", resp.Status, d.Challenge, sanitizeText(params["error_description"], maxDescription))
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
	if d.Challenge == "invalid_token" && len(d.Checks) == 0 {
		d.Checks = append(d.Checks, "The API does not accept the token: check that it trusts the profile's IdP (issuer) and that the token has not been revoked.")
	}
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

// sendPlain sends a transport whose Authorization is None. It follows
// redirects on the same host only, like the credential client.
func (s *Service) sendPlain(ctx context.Context, spec RequestSpec) (*Response, error) {
	client := &http.Client{CheckRedirect: sameHostRedirects}
	return send(ctx, client, spec, "")
}

// sendWSSE sends a SOAP request whose token is in the envelope: through the
// profile's proxy and TLS settings, with its tenant header, without an
// Authorization header.
func (s *Service) sendWSSE(ctx context.Context, p credentials.Profile, spec RequestSpec, token string) (*Response, error) {
	u, err := url.Parse(spec.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Failure{Category: CatConfig, Message: "the request URL is not an http:// or https:// URL with a host"}
	}
	if u.Scheme == "http" && !credentials.IsLoopbackHost(u.Hostname()) {
		// The envelope would carry the token in the clear.
		return nil, &Failure{Category: CatConfig, Message: "the token would travel unencrypted: use an https:// URL (plain http only for 127.0.0.1, ::1 and localhost)"}
	}
	client, err := s.apiClient(p)
	if err != nil {
		return nil, err
	}
	if tr, ok := client.Transport.(*Transport); ok {
		client.Transport = tr.Base // the token goes in the envelope, not the header
	}
	if p.Tenant != "" {
		h := p.TenantHeader
		if h == "" {
			h = credentials.DefaultTenantHeader
		}
		spec.Header.Set(h, p.Tenant)
	}
	resp, err := send(ctx, client, spec, token)
	if resp != nil {
		b64 := base64.StdEncoding.EncodeToString([]byte(token))
		resp.Body = bytes.ReplaceAll(resp.Body, []byte(b64), []byte(TokenHidden))
	}
	return resp, err
}

func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }

// logRun writes one line per run: names, status and cause, never a token
// (the Diagnosis is built from sanitized texts and token claims' names).
func (s *Service) logRun(ctx context.Context, res *RunResult) {
	// An event (logfile.EventKey): the command or view shows the outcome, so not also stderr or the banner.
	attrs := []any{"transport", res.Transport.Name, logfile.EventKey, "run", "outcome", string(res.Outcome)}
	if res.Profile != "" {
		attrs = append(attrs, "profile", res.Profile)
	}
	if r := res.Response; r != nil {
		attrs = append(attrs, "status", r.Status, "ms", r.Duration.Milliseconds())
	}
	if res.Fault != nil {
		attrs = append(attrs, "fault", res.Fault.String())
	}
	msg := "transport run"
	if d := res.Diagnosis; d != nil {
		attrs = append(attrs, "error", d.Cause)
		if d.Category != "" {
			attrs = append(attrs, "category", string(d.Category))
		}
		s.warnf(ctx, msg, attrs...)
		return
	}
	s.logf(ctx, msg, attrs...)
}

func (s *Service) logf(ctx context.Context, msg string, attrs ...any) {
	if s.Log != nil {
		s.Log.InfoContext(ctx, msg, attrs...)
	}
}

func (s *Service) warnf(ctx context.Context, msg string, attrs ...any) {
	if s.Log != nil {
		s.Log.WarnContext(ctx, msg, attrs...)
	}
}

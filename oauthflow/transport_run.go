package oauthflow

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/logfile"
	"github.com/credworkbench/credworkbench/oauthflow/apicall"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/httpclient"
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
func (tr *Transports) runTransport(ctx context.Context, nameOrID string, opt RunOptions) (*RunResult, error) {
	s := tr.s
	t, err := s.repo.Transports().Get(nameOrID)
	if err != nil {
		return nil, err
	}
	res := tr.run(ctx, t, opt)
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
			logInfo(ctx, s.Log, "transport outcome not recorded", "transport", t.Name, "error", err.Error())
		}
		tr.rememberNotice(ctx, t, res)
	}
	return res, nil
}

// run sends t (saved or not) with its credential's token and diagnoses the
// answer. Nothing is recorded: an unsaved transport has nowhere to keep it.
func (tr *Transports) run(ctx context.Context, t credentials.Transport, opt RunOptions) *RunResult {
	s := tr.s
	t.Normalize()
	res := &RunResult{Transport: t, At: s.Clock.Now().UTC()}
	defer logRun(ctx, s.Log, res)
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
		resp, err := sendPlain(ctx, spec)
		finish(res, resp, err, nil, credentials.Profile{})
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
		res.Diagnosis = noTokenDiagnosis(p, err, s.Clock.Now())
		return res
	}
	access := tok.AccessToken
	res.Notice, res.noticeHost = hostNotice(t, p) // transport_audience.go
	var resp *Response
	if t.Type == credentials.TransportWSSOAP && t.TokenIn == credentials.TokenInWSSE {
		if d := wsseDPoP(tok); d != nil { // dpop.go
			res.Outcome, res.Diagnosis = OutcomeInvalid, d
			return res
		}
		env, ierr := InjectWSSE(body, access)
		if ierr != nil {
			res.Outcome = OutcomeInvalid
			res.Diagnosis = &Diagnosis{Cause: "the token cannot go in a WS-Security header: " + ierr.Error(), Category: CatConfig,
				Checks: []string{"Give the transport a SOAP envelope as its body, or send the token in the HTTP Authorization header."}}
			return res
		}
		spec.Body = env
		resp, err = tr.sendWSSE(ctx, p, spec, access)
		if err == nil && resp.Status == http.StatusUnauthorized {
			// Refused like a bearer token: no process hands it out again.
			s.mgr.Evict(ctx, p, access)
		}
	} else {
		// Request takes the same token from the token store (since #11).
		resp, err = s.Request(ctx, p.ID, spec)
	}
	finish(res, resp, err, Inspect(access, p), p)
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

// sendPlain sends a transport whose Authorization is None. It follows
// redirects on the same host only, like the credential client.
func sendPlain(ctx context.Context, spec RequestSpec) (*Response, error) {
	client := &http.Client{CheckRedirect: httpclient.SameHostRedirects}
	return apicall.Send(ctx, client, spec, "")
}

// sendWSSE sends a SOAP request whose token is in the envelope: through the
// profile's proxy and TLS settings, with its tenant header, without an
// Authorization header.
func (tr *Transports) sendWSSE(ctx context.Context, p credentials.Profile, spec RequestSpec, token string) (*Response, error) {
	u, err := url.Parse(spec.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Failure{Category: CatConfig, Message: "the request URL is not an http:// or https:// URL with a host"}
	}
	if u.Scheme == "http" && !credentials.IsLoopbackHost(u.Hostname()) {
		// The envelope would carry the token in the clear.
		return nil, &Failure{Category: CatConfig, Message: "the token would travel unencrypted: use an https:// URL (plain http only for 127.0.0.1, ::1 and localhost)"}
	}
	// The token goes in the envelope, not the header: the bare client.
	client, _, err := tr.s.mgr.http.API(p)
	if err != nil {
		return nil, failure.Classify(err)
	}
	if p.Tenant != "" {
		h := p.TenantHeader
		if h == "" {
			h = credentials.DefaultTenantHeader
		}
		spec.Header.Set(h, p.Tenant)
	}
	resp, err := apicall.Send(ctx, client, spec, token)
	if resp != nil {
		b64 := base64.StdEncoding.EncodeToString([]byte(token))
		resp.Body = bytes.ReplaceAll(resp.Body, []byte(b64), []byte(TokenHidden))
	}
	return resp, err
}

func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }

// logRun writes one line per run: names, status and cause, never a token
// (the Diagnosis is built from sanitized texts and token claims' names).
func logRun(ctx context.Context, log *slog.Logger, res *RunResult) {
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
		if log != nil {
			log.WarnContext(ctx, msg, attrs...)
		}
		return
	}
	logInfo(ctx, log, msg, attrs...)
}

// logInfo logs when a logger is set.
func logInfo(ctx context.Context, log *slog.Logger, msg string, attrs ...any) {
	if log != nil {
		log.InfoContext(ctx, msg, attrs...)
	}
}

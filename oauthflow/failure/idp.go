package failure

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
)

// IdP-aware diagnoses: the error bodies of Entra ID, Okta and Keycloak say
// more than the RFC 6749 error code. The tables live in entra.go, okta.go,
// keycloak.go and generic.go, one row per known answer with its source;
// this file reads a body and picks the row. The logic never branches on the
// wording alone where the IdP gives a code (Microsoft warns that descriptions
// change), and an unknown code falls back to the generic classification by
// `error`.

// idpRow is one known IdP answer.
type idpRow struct {
	Codes    []int    // Entra AADSTS numbers
	Error    string   // RFC 6749 error (Okta/Keycloak rows); "" = any
	Contains []string // lower-case substrings of the description, any of which matches; none = any description
	Category Category
	Cause    string // what it means, for people
	Fix      string // one line for the admin
	Source   string // where the meaning comes from (see docs/idp-sources or IDP-NOTES)
	// DefaultScope asks for a corrected "<resource>/.default" scope proposal,
	// which only the caller knows the profile's scope for.
	DefaultScope bool
	// SecretProblem marks answers that may mean an expired secret, so a
	// recorded expiry can be shown next to it.
	SecretProblem bool
}

// idpErrorBody is the union of the error shapes the IdPs use: RFC 6749
// (error/error_description), Entra's additions, and Okta's management-API
// shape (errorCode/errorSummary) that some of its OAuth endpoints return.
type idpErrorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
	TraceID          string `json:"trace_id"`
	CorrelationID    string `json:"correlation_id"`
	Timestamp        string `json:"timestamp"`
	SubError         string `json:"suberror"`
	OktaCode         string `json:"errorCode"`
	OktaSummary      string `json:"errorSummary"`
	OktaErrorID      string `json:"errorId"`
}

// idpDiagnosis is what a known IdP answer adds to a Failure.
type idpDiagnosis struct {
	IdP   string // "Entra ID", "Okta", "Keycloak"
	Code  string // "AADSTS7000215", or "" for IdPs without numbers
	Row   idpRow
	Error string // the RFC 6749 error (or Okta's errorCode)
	Desc  string
	SupportIDs
}

// SupportIDs are what an IdP's support desk asks for.
type SupportIDs struct {
	TraceID       string
	CorrelationID string
	Timestamp     string
	RequestID     string // Okta errorId
}

func (s SupportIDs) String() string {
	var parts []string
	add := func(label, v string) {
		if v = Sanitize(v, 80); v != "" {
			parts = append(parts, label+": "+v)
		}
	}
	add("Trace ID", s.TraceID)
	add("Correlation ID", s.CorrelationID)
	add("Timestamp", s.Timestamp)
	add("Error ID", s.RequestID)
	return strings.Join(parts, ", ")
}

var aadstsRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*AADSTS(\d{4,8})\b`) })

// entraCodes returns the AADSTS numbers of an answer: the error_codes array
// first, else the AADSTSnnnn: prefix of the description.
func entraCodesOf(codes []int, desc string) []int {
	if len(codes) > 0 {
		return codes
	}
	if m := aadstsRE().FindStringSubmatch(desc); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			return []int{n}
		}
	}
	return nil
}

// parseIdPError reads an error body; nil when it is not JSON of any known
// shape.
func parseIdPError(body []byte) *idpErrorBody {
	if len(body) == 0 || len(body) > MaxResponse {
		return nil
	}
	var b idpErrorBody
	if json.Unmarshal(body, &b) != nil {
		return nil
	}
	if b.Error == "" && b.OktaCode == "" {
		return nil
	}
	return &b
}

// diagnoseIdP looks an answer up in the IdP tables. nil when no row knows it.
func diagnoseIdP(errCode, desc string, codes []int, ids SupportIDs) *idpDiagnosis {
	d := &idpDiagnosis{Error: errCode, Desc: desc, SupportIDs: ids}
	for _, c := range entraCodesOf(codes, desc) {
		for _, r := range entraTable {
			for _, rc := range r.Codes {
				if rc == c {
					d.IdP, d.Code, d.Row = "Entra ID", fmt.Sprintf("AADSTS%d", c), r
					return d
				}
			}
		}
	}
	low := strings.ToLower(desc)
	for _, t := range []struct {
		idp  string
		rows []idpRow
	}{{"The IdP", dpopTable}, {"Okta", oktaTable}, {"Keycloak", keycloakTable}, {"The IdP", genericTable}} {
		for _, r := range t.rows {
			if r.Error != "" && r.Error != errCode {
				continue
			}
			if len(r.Contains) == 0 {
				d.IdP, d.Row = t.idp, r
				return d
			}
			for _, sub := range r.Contains {
				if strings.Contains(low, sub) {
					d.IdP, d.Row = t.idp, r
					return d
				}
			}
		}
	}
	return nil
}

// diagnoseBody is diagnoseIdP for a token endpoint's JSON error body.
func diagnoseBody(body []byte) (*idpErrorBody, *idpDiagnosis) {
	b := parseIdPError(body)
	if b == nil {
		return nil, nil
	}
	errCode, desc := b.Error, b.ErrorDescription
	if errCode == "" { // Okta's second shape
		errCode, desc = b.OktaCode, b.OktaSummary
	}
	ids := SupportIDs{TraceID: b.TraceID, CorrelationID: b.CorrelationID, Timestamp: b.Timestamp, RequestID: b.OktaErrorID}
	return b, diagnoseIdP(errCode, desc, b.ErrorCodes, ids)
}

// apply writes the diagnosis into f: the IdP's own cause and fix first, the
// support IDs for a ticket.
func (d *idpDiagnosis) apply(f *Failure) {
	f.Category = d.Row.Category
	name := d.IdP
	if d.Code != "" {
		name += " " + d.Code
	}
	f.Message = fmt.Sprintf("%s: %s. Fix: %s", name, d.Row.Cause, d.Row.Fix)
	f.Fix = d.Row.Fix
	f.IdPCode = d.Code
	f.Support = d.SupportIDs
	f.defaultScope = d.Row.DefaultScope
	f.secretProblem = d.Row.SecretProblem
}

// applyIdPSupport records support IDs even when no row matched, so a ticket
// can still be opened for an unknown code.
func applyIdPSupport(f *Failure, b *idpErrorBody, codes []int) {
	f.Support = SupportIDs{TraceID: b.TraceID, CorrelationID: b.CorrelationID, Timestamp: b.Timestamp, RequestID: b.OktaErrorID}
	if cs := entraCodesOf(codes, b.ErrorDescription); len(cs) > 0 {
		f.IdPCode = fmt.Sprintf("AADSTS%d", cs[0])
	}
}

// DefaultScopeProposal turns a scope into the "<resource>/.default" form the
// client-credentials grant of Entra ID wants, e.g. api://orders/read →
// api://orders/.default. "" when no proposal can be made.
func DefaultScopeProposal(scope string) string {
	seen := map[string]bool{}
	var out []string
	for _, s := range strings.Fields(scope) {
		if strings.HasSuffix(s, "/.default") {
			return ""
		}
		i := strings.LastIndex(s, "/")
		if i <= 0 || strings.HasSuffix(s[:i], ":/") { // "https://host" has no permission part
			continue
		}
		res := s[:i] + "/.default"
		if !seen[res] {
			seen[res] = true
			out = append(out, res)
		}
	}
	if len(out) != 1 { // one token serves one resource (AADSTS700022)
		return ""
	}
	return out[0]
}

// AddScopeProposal completes a diagnosis that asks for a /.default scope
// with the corrected value of the profile's scope.
func AddScopeProposal(f *Failure, scope string) {
	if f == nil || !f.defaultScope {
		return
	}
	if p := DefaultScopeProposal(scope); p != "" {
		f.Message += fmt.Sprintf(" Use the scope %q instead of %q.", p, Sanitize(scope, 200))
		f.ProposedScope = p
	}
}

// readIdPBody copies what a parsed error body adds to f (Okta's second
// shape, support IDs, the AADSTS code) and returns the error code to
// classify by.
func readIdPBody(f *Failure, b *idpErrorBody) string {
	errCode := b.Error
	if errCode == "" {
		errCode = b.OktaCode
		f.IdPError = Sanitize(b.OktaCode, 64)
		f.IdPDescription = Sanitize(b.OktaSummary, MaxDescription)
	}
	applyIdPSupport(f, b, b.ErrorCodes)
	if f.Support.TraceID != "" || f.Support.CorrelationID != "" {
		// Entra repeats the IDs in the description; they are shown once.
		if i := strings.Index(f.IdPDescription, " Trace ID:"); i > 0 {
			f.IdPDescription = f.IdPDescription[:i]
		}
	}
	return errCode
}

// genericIdPCategory is the category of RFC 6749 / OIDC error codes that
// name MFA or consent, whichever IdP sends them.
func genericIdPCategory(errCode string) (Category, string) {
	switch errCode {
	case "interaction_required", "unmet_authentication_requirements":
		return CatMFA, "the IdP requires an interactive sign-in that meets its authentication requirements (MFA or a conditional-access policy)"
	case "consent_required":
		return CatConsent, "the IdP requires consent for the requested permissions"
	}
	return "", ""
}

// DiagnoseAuthorizeError refines a Failure from an error redirect of the
// authorization endpoint: AADSTS codes in error_description, and the MFA and
// consent categories.
func DiagnoseAuthorizeError(f *Failure, code, desc string) {
	if cat, msg := genericIdPCategory(code); cat != "" {
		f.Category, f.Message = cat, msg
	}
	if d := diagnoseIdP(code, desc, nil, SupportIDs{}); d != nil {
		d.apply(f)
	}
	if cs := entraCodesOf(nil, desc); len(cs) > 0 {
		f.IdPCode = fmt.Sprintf("AADSTS%d", cs[0])
	}
}

// ExpiredFirst puts the recorded expiry in front of a credentials failure
// that happened after it: "the client secret expired on …" is the likely
// cause whatever the IdP said (Keycloak cannot even tell expired from
// wrong).
func ExpiredFirst(f *Failure, p credentials.Profile, now time.Time) {
	if f == nil || f.Category != CatCredentials {
		return
	}
	at, what := p.CredentialExpiry()
	if at.IsZero() {
		return
	}
	if now.Before(at) {
		if f.secretProblem { // the IdP's answer may mean expiry: show the date on record
			f.Message += fmt.Sprintf(" (The %s's recorded expiry is %s.)", what, at.UTC().Format("2006-01-02"))
		}
		return
	}
	f.Message = fmt.Sprintf("the %s expired on %s (recorded expiry): create a new one at the IdP and update the profile. %s",
		what, at.UTC().Format("2006-01-02"), f.Message)
}

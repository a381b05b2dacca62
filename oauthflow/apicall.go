package oauthflow

import (
	"net/http"

	"github.com/credworkbench/credworkbench/oauthflow/apicall"
)

// The API-call helpers live in oauthflow/apicall; these names keep the
// facade's API.
type (
	SOAPFault       = apicall.SOAPFault
	SOAPVersion     = apicall.SOAPVersion
	ErrInsecureHTTP = apicall.ErrInsecureHTTP
)

const (
	SOAP11 = apicall.SOAP11
	SOAP12 = apicall.SOAP12
	// MaxResponseExcerpt is how much of a test request's answer is kept.
	MaxResponseExcerpt = apicall.MaxResponseExcerpt
	// TokenHidden replaces the access token wherever an API echoes it back.
	TokenHidden = apicall.TokenHidden
)

// SOAPRequest builds a POST of a SOAP envelope; see apicall.SOAPRequest.
func SOAPRequest(version SOAPVersion, endpoint, action string, envelope []byte) RequestSpec {
	return apicall.SOAPRequest(version, endpoint, action, envelope)
}

// BearerHidden is shown instead of a bearer token or JWT.
const BearerHidden = apicall.BearerHidden

// ParseHeaderLines reads "Name: value" lines; see apicall.ParseHeaderLines.
func ParseHeaderLines(text string) (http.Header, error) { return apicall.ParseHeaderLines(text) }

// CheckHeaders refuses headers a request must not carry; see apicall.CheckHeaders.
func CheckHeaders(h http.Header) error { return apicall.CheckHeaders(h) }

// RedactBearer hides bearer tokens and JWTs in s; see apicall.RedactBearer.
func RedactBearer(s string) string { return apicall.RedactBearer(s) }

// AuthAdvice is what to check after a 401 or 403; see apicall.AuthAdvice.
func AuthAdvice(status int, problem string) string { return apicall.AuthAdvice(status, problem) }

// InjectWSSE puts the token into the envelope's WS-Security header; see
// apicall.InjectWSSE.
func InjectWSSE(envelope []byte, token string) ([]byte, error) {
	return apicall.InjectWSSE(envelope, token)
}

// ParseSOAPFault reads a SOAP 1.1 or 1.2 Fault; see apicall.ParseSOAPFault.
func ParseSOAPFault(body []byte) *SOAPFault { return apicall.ParseSOAPFault(body) }

// PrettyBody indents JSON and XML answers for display; see apicall.PrettyBody.
func PrettyBody(contentType string, body []byte) string { return apicall.PrettyBody(contentType, body) }

package apicall

import (
	"fmt"
	"net/http"
	"net/textproto"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// The rules of a test request that both front ends share: which headers a
// caller may set, what is hidden from an answer, and what a 401/403 means.

// ParseHeaderLines reads "Name: value" lines (blank lines ignored), as the
// request dialog and `credctl request --header` take them, and says which
// line is wrong and why.
func ParseHeaderLines(text string) (http.Header, error) {
	h := http.Header{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			// Only the first word is repeated: the rest may be a token.
			first, _, _ := strings.Cut(line, " ")
			return nil, fmt.Errorf("line %d (%q…) must look like \"Name: value\"", i+1, clip(first, 40))
		}
		if err := checkHeaderName(name); err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		h.Add(textproto.CanonicalMIMEHeaderKey(name), strings.TrimSpace(value))
	}
	return h, nil
}

// CheckHeaders refuses headers a test request must not carry: invalid names
// and an Authorization header (the profile's token is set by the request).
func CheckHeaders(h http.Header) error {
	for name := range h {
		if err := checkHeaderName(name); err != nil {
			return err
		}
	}
	return nil
}

func checkHeaderName(name string) error {
	switch {
	case !validHeaderName(name):
		return fmt.Errorf("%q is not a valid header name (letters, digits and -_. only, no spaces)", clip(name, 40))
	case strings.EqualFold(name, "Authorization"):
		return fmt.Errorf("the Authorization header is set from the profile's token; remove it")
	}
	return nil
}

// validHeaderName is RFC 9110's token.
func validHeaderName(s string) bool {
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return s != ""
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// bearerLike finds tokens an API may echo back (an echo service returning
// the request's Authorization header): "Bearer <token>" and JWT-shaped
// strings. A token has at least 16 characters, so a challenge's
// `Bearer realm="…"` stays readable.
var bearerLike = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\bbearer\s+[A-Za-z0-9\-._~+/]{16,}=*|\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)
})

// BearerHidden replaces a bearer-like token in shown or printed text.
const BearerHidden = "••••(token hidden)" // #nosec G101 -- the placeholder shown instead of a token

// RedactBearer hides anything that looks like a bearer token or a JWT.
func RedactBearer(s string) string {
	return bearerLike().ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(strings.ToLower(m), "bearer") {
			return m[:len("bearer")] + " " + BearerHidden
		}
		return BearerHidden
	})
}

// AuthAdvice is the check that applies to a 401/403, by the API's error
// code in problem (Response.AuthProblem).
func AuthAdvice(status int, problem string) string {
	switch {
	case status != http.StatusUnauthorized && status != http.StatusForbidden:
		return ""
	case dpopAdvice(problem) != "": // dpop.go
		return dpopAdvice(problem)
	case strings.Contains(problem, "insufficient_scope"):
		return "The token lacks a scope the API needs: add it to the profile's scope (the client must be allowed it at the IdP), then test again."
	case strings.Contains(problem, "invalid_token"):
		return "The API rejected the token itself: it may be expired or revoked, or meant for another API. " +
			"The cached token was dropped, so the next request fetches a fresh one; check the profile's audience/resource and that the API trusts this IdP."
	case strings.Contains(problem, "invalid_request"):
		return "The API found the request malformed: check the URL, the method and the headers."
	case status == http.StatusForbidden:
		return "The token was accepted but lacks permission: check the roles or scopes granted at the IdP, and the tenant."
	}
	return "The API wants a different token: check that it accepts tokens from this IdP (issuer, audience/resource) with the Bearer scheme."
}

package failure

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"html"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"unicode"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
)

// MaxDescription caps an IdP's error_description as shown to people.
const MaxDescription = 300

// Classify turns any error of a call to an IdP (transport, TLS, proxy,
// oauth2.RetrieveError, keyring) into a categorized Failure. The message
// never quotes the request, and never the raw response body: a misdirected
// token URL may echo the request, client secret included.
func Classify(err error) *Failure {
	if err == nil {
		return nil
	}
	if f, ok := As(err); ok {
		return f
	}
	f := &Failure{Category: CatOther, Err: err}
	var (
		re        *oauth2.RetrieveError
		ke        *credentials.KeyringError
		redirect  *CrossHostRedirectError
		loop      *RedirectLoopError
		htmlErr   *HTMLAnswerError
		proxyStat *ProxyStatusError
		opErr     *net.OpError
		dnsErr    *net.DNSError
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invalid   x509.CertificateInvalidError
		verifyErr *tls.CertificateVerificationError
		recErr    tls.RecordHeaderError
		alertErr  tls.AlertError
		netErr    net.Error
	)
	msg := err.Error()
	host := errorHost(err)
	switch {
	case errors.Is(err, context.Canceled):
		f.Category, f.Message = CatCancelled, "cancelled"
	case errors.As(err, &ke):
		f.Category, f.Message = CatKeyring, ke.Error()
	case errors.As(err, &re):
		return classifyRetrieve(re)
	case errors.Is(err, ErrBodyTooLarge) || strings.Contains(msg, ErrBodyTooLarge.Error()):
		f.Category, f.Message = CatEndpoint, fmt.Sprintf("%s answered with more than %d KiB; that is not a token endpoint", hostOr(host, "the endpoint"), MaxResponse>>10)
	case errors.As(err, &htmlErr):
		f.Category, f.HTTPStatus, f.Message = CatEndpoint, htmlErr.Status, htmlErr.Error()
	case errors.As(err, &redirect):
		f.Category, f.Message = CatEndpoint, redirect.Error()
	case errors.As(err, &loop):
		f.Category, f.Message = CatEndpoint, loop.Error()
	case errors.As(err, &proxyStat):
		f.Category, f.HTTPStatus = CatProxy, proxyStat.Status
		f.Message = proxyStat.Error()
		if proxyStat.Status == http.StatusProxyAuthRequired || proxyStat.Status == http.StatusUnauthorized {
			// Some proxies (tinyproxy) answer 401 instead of 407.
			f.Message = fmt.Sprintf("the proxy requires authentication (%d): set or correct the proxy user name and password", proxyStat.Status)
		}
	case errors.As(err, &opErr) && (opErr.Op == "proxyconnect" || strings.HasPrefix(opErr.Op, "socks")):
		f.Category = CatProxy
		f.Message = "cannot connect through the proxy: " + describeNetErr(opErr.Err)
	case errors.As(err, &unknownCA):
		f.Category, f.Message = CatTLS, fmt.Sprintf("the certificate of %s is signed by an unknown authority; set the profile's CA bundle file to the CA that signed it", hostOr(host, "the server"))
	case errors.As(err, &hostErr):
		f.Category, f.Message = CatTLS, fmt.Sprintf("the certificate of %s is not valid for that name (%v)", hostOr(host, "the server"), hostErr.Error())
	case errors.As(err, &invalid):
		f.Category, f.Message = CatTLS, fmt.Sprintf("the certificate of %s is not valid: %v", hostOr(host, "the server"), invalid.Error())
	case errors.As(err, &verifyErr):
		f.Category, f.Message = CatTLS, fmt.Sprintf("the certificate of %s cannot be verified: %v", hostOr(host, "the server"), verifyErr.Err)
	case errors.As(err, &recErr), errors.As(err, &alertErr), strings.Contains(msg, "tls: "):
		f.Category, f.Message = CatTLS, fmt.Sprintf("TLS with %s failed: %s", hostOr(host, "the server"), lastPart(msg))
	case strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		f.Category, f.Message = CatEndpoint, fmt.Sprintf("%s speaks plain HTTP: the URL should start with http://, or the port is wrong", hostOr(host, "the server"))
	case errors.As(err, &dnsErr):
		f.Category, f.Message = CatNetwork, fmt.Sprintf("cannot resolve the host name %s: %s", dnsErr.Name, dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		f.Category, f.Message = CatNetwork, fmt.Sprintf("%s refused the connection (nothing listens on that port)", hostOr(host, "the server"))
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) || strings.Contains(msg, context.DeadlineExceeded.Error()) || strings.Contains(msg, "Client.Timeout"): // oauth2 flattens body-read errors into text
		f.Category, f.Message = CatNetwork, fmt.Sprintf("%s did not answer in time", hostOr(host, "the server"))
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, net.ErrClosed), strings.Contains(msg, "EOF"), strings.Contains(msg, "connection reset"):
		f.Category, f.Message = CatNetwork, fmt.Sprintf("the connection to %s failed: %s", hostOr(host, "the server"), lastPart(msg))
	case strings.HasPrefix(msg, "oauth2: cannot parse"), strings.HasPrefix(msg, "oauth2: server response missing access_token"):
		f.Category, f.Message = CatEndpoint, "the endpoint answered, but not with a token (the answer is not a valid token response); check that the URL is the token endpoint"
	default:
		f.Message = Sanitize(msg, MaxDescription)
	}
	return f
}

// classifyRetrieve reads an error answer of the token endpoint.
func classifyRetrieve(re *oauth2.RetrieveError) *Failure {
	status := 0
	ctype := ""
	if re.Response != nil {
		status = re.Response.StatusCode
		ctype, _, _ = mime.ParseMediaType(re.Response.Header.Get("Content-Type"))
	}
	// Keep the error for errors.As, but without the body it carries.
	clean := *re
	clean.Body = nil
	f := &Failure{
		Err:            &clean,
		HTTPStatus:     status,
		IdPError:       Sanitize(re.ErrorCode, 64),
		IdPDescription: Sanitize(re.ErrorDescription, MaxDescription),
	}
	statusText := fmt.Sprintf("HTTP %d", status)
	if status != 0 {
		statusText += " " + http.StatusText(status)
	}
	errCode := re.ErrorCode
	if b, d := diagnoseBody(re.Body); b != nil {
		errCode = readIdPBody(f, b)
		if d != nil {
			d.apply(f)
			return f
		}
	}
	if cat, msg := genericIdPCategory(errCode); cat != "" {
		f.Category, f.Message = cat, msg
		return f
	}
	switch errCode {
	case "invalid_client", "unauthorized_client", "access_denied", "invalid_grant":
		f.Category, f.Message = CatCredentials, "the IdP rejected the client credentials"
		if re.ErrorCode == "unauthorized_client" {
			f.Message = "the IdP does not allow this client to use this grant"
		}
		return f
	case "invalid_scope":
		f.Category, f.Message = CatScope, "the IdP refused the requested scope"
		return f
	case "invalid_target", "invalid_resource": // RFC 8707; Entra ID's name for an unknown app-id URI
		f.Category, f.Message = CatScope, "the IdP refused the requested resource or audience"
		return f
	case "unsupported_grant_type":
		f.Category, f.Message = CatEndpoint, "the endpoint does not support this grant type"
		return f
	case "invalid_request":
		f.Category, f.Message = CatConfig, "the IdP says the token request is invalid"
		return f
	case "server_error", "temporarily_unavailable":
		f.Category, f.Message = CatEndpoint, "the IdP reported an error of its own; try again later"
		return f
	}
	switch {
	case status == http.StatusUnauthorized:
		f.Category, f.Message = CatCredentials, "the IdP rejected the client credentials ("+statusText+")"
	case status == http.StatusProxyAuthRequired:
		f.Category, f.Message = CatProxy, "the proxy requires authentication (407): set or correct the proxy user name and password"
	case ctype == "text/html" || looksLikeHTML(re.Body):
		f.Category, f.Message = CatEndpoint, "the endpoint answered with an HTML page ("+statusText+"), not a token response: this URL is not the token endpoint"
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		f.Category, f.Message = CatEndpoint, "the endpoint answered "+statusText+": this URL is not a token endpoint"
	case status >= 500:
		f.Category, f.Message = CatEndpoint, "the IdP failed with "+statusText
	case status >= 300 && status < 400:
		f.Category, f.Message = CatEndpoint, "the endpoint answered with a redirect ("+statusText+"), not a token: use the token endpoint itself"
	case errCode != "":
		f.Category, f.Message = CatOther, "the IdP refused the token request"
	default:
		f.Category, f.Message = CatEndpoint, "the endpoint answered "+statusText+" without an OAuth error: check that the URL is the token endpoint"
	}
	return f
}

func looksLikeHTML(body []byte) bool {
	s := strings.ToLower(strings.TrimSpace(string(body[:min(len(body), 512)])))
	return strings.HasPrefix(s, "<!doctype html") || strings.HasPrefix(s, "<html") || strings.Contains(s, "<body")
}

// errorHost finds the host an error is about, for messages.
func errorHost(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			return u.Host
		}
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Addr != nil {
		return opErr.Addr.String()
	}
	return ""
}

func hostOr(host, fallback string) string {
	if host == "" {
		return fallback
	}
	return host
}

func describeNetErr(err error) string {
	var dnsErr *net.DNSError
	switch {
	case err == nil:
		return "unknown error"
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot resolve the proxy host %s", dnsErr.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the proxy refused the connection (is it running on that port?)"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "the proxy did not answer in time"
	}
	return lastPart(err.Error())
}

// lastPart drops the "Post "https://…": dial tcp …:" prefixes of a nested
// error message, keeping the cause.
func lastPart(msg string) string {
	if i := strings.LastIndex(msg, ": "); i >= 0 && i+2 < len(msg) {
		return Sanitize(msg[i+2:], MaxDescription)
	}
	return Sanitize(msg, MaxDescription)
}

var tagRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?s)<[^>]*>`) })

// Sanitize strips markup and control characters from text that came
// from elsewhere (an IdP, a server) and caps its length.
func Sanitize(s string, limit int) string {
	s = tagRE().ReplaceAllString(s, " ")
	// Unescaping can make new markup ("&lt;script&gt;"): strip it again, and
	// turn any bracket left over into a look-alike that no page will parse.
	s = tagRE().ReplaceAllString(html.UnescapeString(s), " ")
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r) || r == unicode.ReplacementChar:
			return ' '
		case r == '<':
			return '‹'
		case r == '>':
			return '›'
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit-1]) + "…"
	}
	return s
}

// Redact removes secrets from a failure's texts, in case an IdP
// echoed one back.
func Redact(f *Failure, secrets ...string) {
	if f == nil {
		return
	}
	for _, sec := range secrets {
		if len(sec) < 4 {
			continue
		}
		f.Message = strings.ReplaceAll(f.Message, sec, "[redacted]")
		f.IdPDescription = strings.ReplaceAll(f.IdPDescription, sec, "[redacted]")
		f.IdPError = strings.ReplaceAll(f.IdPError, sec, "[redacted]")
		if f.Err == nil || !strings.Contains(f.Err.Error(), sec) {
			continue
		}
		if re, ok := f.Err.(*oauth2.RetrieveError); ok {
			// classifyRetrieve's copy: redact in place, keeping errors.As.
			re.ErrorCode = strings.ReplaceAll(re.ErrorCode, sec, "[redacted]")
			re.ErrorDescription = strings.ReplaceAll(re.ErrorDescription, sec, "[redacted]")
			re.ErrorURI = strings.ReplaceAll(re.ErrorURI, sec, "[redacted]")
		} else {
			f.Err = errors.New(strings.ReplaceAll(f.Err.Error(), sec, "[redacted]"))
		}
	}
}

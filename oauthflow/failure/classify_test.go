package failure

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/oauth2"
)

func TestClassifyError(t *testing.T) {
	resp := func(status int, ctype string) *http.Response {
		return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ctype}}}
	}
	urlErr := func(err error) error { return &url.Error{Op: "Post", URL: "https://idp.example.com/token", Err: err} }
	cases := []struct {
		name string
		err  error
		cat  Category
	}{
		{"invalid_client", &oauth2.RetrieveError{Response: resp(400, "application/json"), ErrorCode: "invalid_client"}, CatCredentials},
		{"unauthorized_client", &oauth2.RetrieveError{Response: resp(400, "application/json"), ErrorCode: "unauthorized_client"}, CatCredentials},
		{"401", &oauth2.RetrieveError{Response: resp(401, "text/plain")}, CatCredentials},
		{"invalid_scope", &oauth2.RetrieveError{Response: resp(400, "application/json"), ErrorCode: "invalid_scope"}, CatScope},
		{"404", &oauth2.RetrieveError{Response: resp(404, "text/plain")}, CatEndpoint},
		{"503", &oauth2.RetrieveError{Response: resp(503, "application/json")}, CatEndpoint},
		{"407", &oauth2.RetrieveError{Response: resp(407, "text/html")}, CatProxy},
		{"dns", urlErr(&net.OpError{Op: "dial", Err: &net.DNSError{Name: "x.invalid", Err: "no such host"}}), CatNetwork},
		{"refused", urlErr(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), CatNetwork},
		{"deadline", urlErr(context.DeadlineExceeded), CatNetwork},
		{"proxyconnect", urlErr(&net.OpError{Op: "proxyconnect", Err: syscall.ECONNREFUSED}), CatProxy},
		{"proxy 407", urlErr(&ProxyStatusError{Status: 407}), CatProxy},
		{"unknown CA", urlErr(x509.UnknownAuthorityError{}), CatTLS},
		{"hostname", urlErr(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "h"}), CatTLS},
		{"expired", urlErr(x509.CertificateInvalidError{Cert: &x509.Certificate{}, Reason: x509.Expired}), CatTLS},
		{"too large", fmt.Errorf("oauth2: cannot fetch token: %v", ErrBodyTooLarge), CatEndpoint},
		{"cancelled", urlErr(context.Canceled), CatCancelled},
		{"other", errors.New("something odd"), CatOther},
	}
	for _, c := range cases {
		f := Classify(c.err)
		if f.Category != c.cat || f.Message == "" {
			t.Errorf("%s: %s %q, want %s", c.name, f.Category, f.Message, c.cat)
		}
	}
	if Classify(nil) != nil {
		t.Error("nil error classified")
	}
}

func TestSanitizeText(t *testing.T) {
	got := Sanitize("<p>Bad &amp; <script>x</script>\x00\x1b[31mred\n</p>", 100)
	if strings.ContainsAny(got, "<>\x00\x1b\n") || !strings.Contains(got, "Bad & x") {
		t.Errorf("%q", got)
	}
	if got := Sanitize(strings.Repeat("é", 500), 300); len([]rune(got)) != 300 {
		t.Errorf("length %d", len([]rune(got)))
	}
}

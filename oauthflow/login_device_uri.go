package oauthflow

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/idna"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// The IdP's device answer names the page where the user types their code
// and password, and both credctl and the window print it (issue #23.3).
// So the address must be https and is shown only in plain ASCII: no C0,
// C1 or bidi character can reach a terminal or hide where the page is,
// an internationalized host is shown as punycode (what the browser will
// really reach), and everything else non-ASCII is percent-encoded.

// deviceURI checks a verification URI and returns it as it is shown, or
// a message saying why it is refused. Plain http is allowed only for the
// loopback origin of the device authorization endpoint itself (the
// harness IdP runs there; discovery allows such an IdP on loopback): an
// IdP must not send the user to another local port, where anything may
// listen.
func deviceURI(label, raw, deviceAuthURL string) (string, string) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", label + " is not a valid URL."
	case u.Scheme != "https" && u.Scheme != "http":
		return "", label + " must start with https://."
	case u.Hostname() == "":
		return "", label + " has no host."
	case u.User != nil:
		return "", label + " must not carry a user or password."
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "", label + " must not have a #fragment."
	case u.Scheme == "http" && !sameLoopbackOrigin(u, deviceAuthURL):
		return "", label + " must use https (plain http only on the IdP's own loopback address, for a local test IdP)."
	}
	host, msg := asciiHost(u.Hostname())
	if msg != "" {
		return "", label + " " + msg
	}
	if p := u.Port(); p != "" {
		host = net.JoinHostPort(host, p)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	u.Host = host
	u.RawQuery = escapeNonASCII(u.RawQuery)
	return u.String(), "" // String percent-encodes the path
}

// sameLoopbackOrigin: u is plain http on the very loopback host and port
// of the device authorization endpoint.
func sameLoopbackOrigin(u *url.URL, deviceAuthURL string) bool {
	d, err := url.Parse(deviceAuthURL)
	return err == nil && d.Scheme == "http" && credentials.IsLoopbackHost(u.Hostname()) &&
		strings.EqualFold(d.Host, u.Host)
}

// asciiHost is the host in ASCII: an IP address as it is, a name in
// lower case, an internationalized name as punycode.
func asciiHost(h string) (string, string) {
	if net.ParseIP(h) != nil {
		return h, ""
	}
	ascii := true
	for _, r := range h {
		if r >= unicode.MaxASCII || r <= ' ' {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(h), ""
	}
	a, err := idna.Lookup.ToASCII(h)
	if err != nil {
		return "", fmt.Sprintf("names a host that is not a valid internationalized domain name (%s).", graphic(h))
	}
	return a, ""
}

// escapeNonASCII percent-encodes every byte outside printable ASCII (a
// query is kept as the IdP wrote it otherwise).
func escapeNonASCII(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// cleanUserCode is the user code as shown: sanitizeText removes markup and
// control characters (C0, C1); this also drops format characters such as
// the bidi overrides, which could show the code reversed.
func cleanUserCode(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) || unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return failure.Sanitize(s, 64)
}

// quotedURI is a refused URI for a failure message: cut short, with
// anything unprintable escaped.
func quotedURI(raw string) string {
	if r := []rune(raw); len(r) > 200 {
		raw = string(r[:199]) + "…"
	}
	return strconv.QuoteToGraphic(raw)
}

package credentials

import (
	"fmt"
	"strconv"
	"strings"
)

// Summary is the preview's line for an imported transport: method, URL
// host, credential and body, so the user sees where it would send what.
func (e TransportImportEntry) Summary() string {
	t := e.Transport
	method := t.Method
	if t.Type == TransportWSSOAP {
		method = "POST (SOAP)"
	}
	sends := "no credential"
	if t.Authorization == AuthCredential && t.ProfileName != "" {
		sends = fmt.Sprintf("credential %q", t.ProfileName)
		if e.ForeignCredential {
			sends += " (a profile already here, not from this file)"
		} else {
			sends += " (from this file)"
		}
	}
	body := "no body"
	if t.Body != "" {
		body = fmt.Sprintf("body inline (%d bytes)", len(t.Body))
	}
	if e.BodyFile != "" {
		body += fmt.Sprintf("; its bodyFile %s is not imported", quoted(e.BodyFile))
	}
	return fmt.Sprintf("%s: %s %s, %s, %s", t.Name, method, orNone(quotedHost(t.URL)), sends, body)
}

// Why says why the entry needs confirmation; "" when it does not.
func (e TransportImportEntry) Why() string {
	var why []string
	if e.ForeignCredential {
		why = append(why, fmt.Sprintf("sends the token of %q, a profile already here that this file does not define", e.Transport.ProfileName))
	}
	if e.ForeignHost {
		why = append(why, fmt.Sprintf("sends to %s, a host none of the file's profiles use", orNone(quotedHost(e.Transport.URL))))
	}
	return strings.Join(why, " and ")
}

// quotedHost is a URL's host for a preview, with anything unprintable
// (control, C1, bidi characters) escaped.
func quotedHost(raw string) string { return printable(urlHost(raw)) }

func quoted(s string) string { return strconv.QuoteToGraphic(s) }

// printable escapes what strconv does not count as graphic, without quotes.
func printable(s string) string {
	q := strconv.QuoteToGraphic(s)
	return q[1 : len(q)-1]
}

func orNone(s string) string {
	if s == "" {
		return "(no host)"
	}
	return s
}

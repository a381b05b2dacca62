package apicall

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// WS-Security names used for a JWT in a SOAP header.
const (
	nsWSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	// wsseBase64 is the WS-Security encoding of a binary token.
	wsseBase64 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
	// jwtTokenType is the token type URI of a JWT (RFC 8693 §3).
	jwtTokenType = "urn:ietf:params:oauth:token-type:jwt" // #nosec G101 -- a token-type URI, not a credential
)

// InjectWSSE puts token into the envelope's SOAP header as
// wsse:Security/wsse:BinarySecurityToken (ValueType JWT, Base64Binary),
// creating the header when the envelope has none.
func InjectWSSE(envelope []byte, token string) ([]byte, error) {
	// The whole envelope must be well-formed, not only the part before the
	// insertion point: the service would refuse a broken one anyway.
	check := xml.NewDecoder(bytes.NewReader(envelope))
	for {
		_, err := check.Token() // Token, not RawToken: it checks that tags match
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("the body is not a well-formed SOAP envelope: %v", err)
		}
	}
	d := xml.NewDecoder(bytes.NewReader(envelope))
	var prefix string
	depth := 0
	envEnd := int64(-1)
	for {
		before := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("the body is not a well-formed SOAP envelope: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				if t.Name.Local != "Envelope" {
					return nil, errors.New("the body is not a SOAP envelope (its root element is not Envelope), so the token cannot go in a WS-Security header")
				}
				prefix, envEnd = t.Name.Space, d.InputOffset()
				continue
			}
			if depth == 2 {
				after := d.InputOffset()
				if t.Name.Local == "Header" {
					if bytes.Contains(envelope[before:after], []byte("Security")) {
						return nil, errors.New("the envelope already has a WS-Security header")
					}
					sec := securityXML(prefix, token)
					if bytes.HasSuffix(bytes.TrimSpace(envelope[before:after]), []byte("/>")) {
						// <soap:Header/>: open it up.
						h := "<" + qname(prefix, "Header") + ">" + sec + "</" + qname(prefix, "Header") + ">"
						return splice(envelope, before, after, h), nil
					}
					return splice(envelope, after, after, sec), nil
				}
				// The body comes first: add a header in front of it.
				h := "<" + qname(prefix, "Header") + ">" + securityXML(prefix, token) + "</" + qname(prefix, "Header") + ">"
				return splice(envelope, envEnd, envEnd, h), nil
			}
		case xml.EndElement:
			depth--
		}
	}
	return nil, errors.New("the SOAP envelope has no Body")
}

func qname(prefix, local string) string {
	if prefix == "" {
		return local
	}
	return prefix + ":" + local
}

func securityXML(prefix, token string) string {
	mu := ""
	if prefix != "" {
		mu = fmt.Sprintf(` %s:mustUnderstand="1"`, prefix)
	}
	return fmt.Sprintf(`<wsse:Security xmlns:wsse="%s"%s><wsse:BinarySecurityToken ValueType="%s" EncodingType="%s">%s</wsse:BinarySecurityToken></wsse:Security>`,
		nsWSSE, mu, jwtTokenType, wsseBase64, base64.StdEncoding.EncodeToString([]byte(token)))
}

func splice(b []byte, from, to int64, s string) []byte {
	out := make([]byte, 0, len(b)+len(s))
	out = append(out, b[:from]...)
	out = append(out, s...)
	return append(out, b[to:]...)
}

// SOAPFault is a fault found in a response: 1.1 faultcode/faultstring or
// 1.2 Code/Value (+ Subcode) and Reason/Text.
type SOAPFault struct {
	Version string `json:"version"` // "1.1" or "1.2"
	Code    string `json:"code"`
	Subcode string `json:"subcode,omitempty"`
	Reason  string `json:"reason"`
	Actor   string `json:"actor,omitempty"`
}

func (f *SOAPFault) String() string {
	code := f.Code
	if f.Subcode != "" {
		code += " / " + f.Subcode
	}
	return fmt.Sprintf("SOAP %s Fault %s: %s", f.Version, code, f.Reason)
}

// Security reports whether the fault is a WS-Security refusal of the token
// (OASIS WSS 1.1 §12 fault codes).
func (f *SOAPFault) Security() bool {
	for _, c := range []string{f.Code, f.Subcode} {
		local := c[strings.LastIndexByte(c, ':')+1:]
		switch local {
		case "InvalidSecurityToken", "FailedAuthentication", "SecurityTokenUnavailable", "UnsupportedSecurityToken", "InvalidSecurity", "FailedCheck":
			return true
		}
	}
	return false
}

type faultEnvelope struct {
	XMLName xml.Name
	Body    struct {
		Fault *struct {
			FaultCode   string `xml:"faultcode"`
			FaultString string `xml:"faultstring"`
			FaultActor  string `xml:"faultactor"`
			Code        struct {
				Value   string `xml:"Value"`
				Subcode struct {
					Value string `xml:"Value"`
				} `xml:"Subcode"`
			} `xml:"Code"`
			Reason struct {
				Text []string `xml:"Text"`
			} `xml:"Reason"`
			Role string `xml:"Role"`
		} `xml:"Fault"`
	} `xml:"Body"`
}

// ParseSOAPFault returns the fault in a SOAP response body, or nil.
func ParseSOAPFault(body []byte) *SOAPFault {
	var env faultEnvelope
	if xml.Unmarshal(body, &env) != nil || env.XMLName.Local != "Envelope" || env.Body.Fault == nil {
		return nil
	}
	f := env.Body.Fault
	clean := func(s string) string { return failure.Sanitize(strings.TrimSpace(s), failure.MaxDescription) }
	if env.XMLName.Space == "http://www.w3.org/2003/05/soap-envelope" {
		reason := ""
		if len(f.Reason.Text) > 0 {
			reason = f.Reason.Text[0]
		}
		return &SOAPFault{Version: "1.2", Code: clean(f.Code.Value), Subcode: clean(f.Code.Subcode.Value), Reason: clean(reason), Actor: clean(f.Role)}
	}
	return &SOAPFault{Version: "1.1", Code: clean(f.FaultCode), Reason: clean(f.FaultString), Actor: clean(f.FaultActor)}
}

// PrettyBody returns a response body indented for reading when it is JSON
// or XML, and as it is otherwise.
func PrettyBody(contentType string, body []byte) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	trimmed := bytes.TrimSpace(body)
	switch {
	case strings.Contains(mt, "json") || (mt == "" && len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')):
		var b bytes.Buffer
		if json.Indent(&b, trimmed, "", "  ") == nil {
			return b.String()
		}
	case strings.Contains(mt, "xml") || (len(trimmed) > 0 && trimmed[0] == '<'):
		if s, ok := indentXML(trimmed); ok {
			return s
		}
	}
	return string(body)
}

// indentXML re-writes XML with one element per line, keeping prefixes as
// written (encoding/xml's Encoder would rewrite namespaces).
func indentXML(b []byte) (string, bool) {
	d := xml.NewDecoder(bytes.NewReader(b))
	var out strings.Builder
	depth := 0
	open := false // the last thing written is a start tag whose text may follow inline
	name := func(n xml.Name) string { return qname(n.Space, n.Local) }
	indent := func() {
		if out.Len() > 0 {
			out.WriteByte('\n')
		}
		out.WriteString(strings.Repeat("  ", depth))
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", false
		}
		switch t := tok.(type) {
		case xml.ProcInst:
			indent()
			fmt.Fprintf(&out, "<?%s %s?>", t.Target, t.Inst)
			open = false
		case xml.StartElement:
			indent()
			out.WriteString("<" + name(t.Name))
			for _, a := range t.Attr {
				out.WriteString(" " + name(a.Name) + `="`)
				_ = xml.EscapeText(&out, []byte(a.Value))
				out.WriteString(`"`)
			}
			out.WriteString(">")
			depth++
			open = true
		case xml.EndElement:
			depth--
			if !open {
				indent()
			}
			out.WriteString("</" + name(t.Name) + ">")
			open = false
		case xml.CharData:
			s := strings.TrimSpace(string(t))
			if s == "" {
				continue
			}
			if !open {
				indent()
			}
			_ = xml.EscapeText(&out, []byte(s))
		case xml.Comment:
			indent()
			out.WriteString("<!--" + string(t) + "-->")
			open = false
		}
	}
	return out.String(), depth == 0
}

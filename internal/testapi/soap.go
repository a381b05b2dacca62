package testapi

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"
)

// SOAP namespaces.
const (
	NS11   = "http://schemas.xmlsoap.org/soap/envelope/"
	NS12   = "http://www.w3.org/2003/05/soap-envelope"
	NSWSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	// Base64Binary is the WS-Security encoding type of a binary token.
	Base64Binary = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)

// TokenFrom says where a SOAP service reads the bearer token.
type TokenFrom int

const (
	FromHTTPHeader TokenFrom = iota // Authorization: Bearer
	FromWSSecurity                  // wsse:Security/wsse:BinarySecurityToken
)

type envelope struct {
	XMLName xml.Name
	Header  struct {
		Security struct {
			Tokens []struct {
				ValueType    string `xml:"ValueType,attr"`
				EncodingType string `xml:"EncodingType,attr"`
				Value        string `xml:",chardata"`
			} `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd BinarySecurityToken"`
		} `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Security"`
	} `xml:"Header"`
	Body struct {
		Ops []struct {
			XMLName xml.Name
		} `xml:",any"`
	} `xml:"Body"`
}

// StartSOAP11 runs a SOAP 1.1 service: text/xml with a SOAPAction header.
func StartSOAP11(t testing.TB, cfg Config, from TokenFrom) *Server {
	return start(t, cfg, func(s *Server) http.Handler { return soapHandler(s, "1.1", from) })
}

// StartSOAP12 runs a SOAP 1.2 service: application/soap+xml; action=….
func StartSOAP12(t testing.TB, cfg Config, from TokenFrom) *Server {
	return start(t, cfg, func(s *Server) http.Handler { return soapHandler(s, "1.2", from) })
}

// soapHandler answers an operation <Op> with <OpResponse>; the operation
// "Fail" gets a Server/Receiver fault after a valid token.
func soapHandler(s *Server, version string, from TokenFrom) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen := Seen{Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"),
			SOAPAction: r.Header.Get("SOAPAction"), HadBearer: bearer(r) != ""}
		if s.cfg.TenantHeader != "" {
			seen.Tenant = r.Header.Get(s.cfg.TenantHeader)
		}
		fault := func(status int, code, sub, reason string) {
			seen.Outcome = orNoToken(sub)
			s.record(seen)
			writeFault(w, version, status, code, sub, reason)
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "SOAP needs POST", http.StatusMethodNotAllowed)
			return
		}
		mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch {
		case version == "1.1" && mt != "text/xml":
			fault(http.StatusUnsupportedMediaType, "Client", "", "SOAP 1.1 wants Content-Type text/xml, not "+mt)
			return
		case version == "1.1" && r.Header.Values("SOAPAction") == nil:
			fault(http.StatusBadRequest, "Client", "", "the SOAPAction header is missing")
			return
		case version == "1.2" && mt != "application/soap+xml":
			fault(http.StatusUnsupportedMediaType, "Sender", "", "SOAP 1.2 wants Content-Type application/soap+xml, not "+mt)
			return
		}
		if version == "1.2" {
			seen.SOAPAction = params["action"]
		}
		raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		var env envelope
		if err == nil {
			err = xml.Unmarshal(raw, &env)
		}
		want := NS11
		if version == "1.2" {
			want = NS12
		}
		switch {
		case err != nil || env.XMLName.Local != "Envelope":
			fault(http.StatusBadRequest, senderCode(version), "", errNoEnvelope.Error())
			return
		case env.XMLName.Space != want:
			fault(http.StatusInternalServerError, "VersionMismatch", "", "this service speaks SOAP "+version+" (envelope namespace "+want+")")
			return
		}
		token := bearer(r)
		if from == FromWSSecurity {
			token = ""
			for _, bst := range env.Header.Security.Tokens {
				v := strings.TrimSpace(bst.Value)
				if bst.EncodingType == Base64Binary {
					b, err := base64.StdEncoding.DecodeString(v)
					if err != nil {
						fault(http.StatusInternalServerError, senderCode(version), "wsse:InvalidSecurityToken", "the BinarySecurityToken is not valid base64")
						return
					}
					v = string(b)
				}
				token = v
				seen.HadWSSE = true
			}
		}
		claims, ref := s.verify(r.Context(), token, seen.Tenant)
		if ref != nil {
			if from == FromHTTPHeader {
				// A gateway in front of the service: HTTP status and challenge,
				// with the fault a SOAP client can show.
				w.Header().Set("WWW-Authenticate", ref.Challenge())
				fault(ref.Status, senderCode(version), orNoToken(ref.Code), ref.Description)
				return
			}
			// WS-Security (OASIS WSS 1.1 §12): the fault codes of the spec.
			sub := "wsse:FailedAuthentication"
			switch {
			case token == "":
				sub = "wsse:SecurityTokenUnavailable"
			case ref.Code == "invalid_token" && strings.Contains(ref.Description, "signature"):
				sub = "wsse:InvalidSecurityToken"
			}
			desc := ref.Description
			if ref.Scope != "" {
				desc += " (needs scope " + ref.Scope + ")"
			}
			status := http.StatusInternalServerError
			if version == "1.2" {
				status = http.StatusBadRequest
			}
			fault(status, senderCode(version), sub, desc)
			return
		}
		op := "Unknown"
		if len(env.Body.Ops) > 0 {
			op = env.Body.Ops[0].XMLName.Local
		}
		if op == "Fail" {
			code := "Server"
			if version == "1.2" {
				code = "Receiver"
			}
			fault(http.StatusInternalServerError, code, "", "the operation failed: the billing backend is not available")
			return
		}
		seen.Outcome = "ok"
		s.record(seen)
		ct := "text/xml; charset=utf-8"
		if version == "1.2" {
			ct = "application/soap+xml; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="%s"><soap:Body><%sResponse xmlns="urn:testapi"><subject>%s</subject><tenant>%s</tenant></%sResponse></soap:Body></soap:Envelope>`,
			want, op, xmlText(claims.str("sub")), xmlText(claims.str(s.cfg.TenantClaim)), op)
	})
}

func senderCode(version string) string {
	if version == "1.2" {
		return "Sender"
	}
	return "Client"
}

// writeFault writes a SOAP Fault of the version: 1.1 faultcode/faultstring
// (the subcode, if any, becomes the faultcode as WS-Security does), 1.2
// Code/Value, Subcode and Reason/Text.
func writeFault(w http.ResponseWriter, version string, status int, code, sub, reason string) {
	var body string
	if version == "1.2" {
		w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
		subXML := ""
		if sub != "" {
			subXML = fmt.Sprintf(`<env:Subcode><env:Value>%s</env:Value></env:Subcode>`, xmlText(sub))
		}
		body = fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="%s" xmlns:wsse="%s"><env:Body><env:Fault><env:Code><env:Value>env:%s</env:Value>%s</env:Code><env:Reason><env:Text xml:lang="en">%s</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`,
			NS12, NSWSSE, code, subXML, xmlText(reason))
	} else {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		fc := "soap:" + code
		if strings.HasPrefix(sub, "wsse:") {
			fc = sub
		}
		body = fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="%s" xmlns:wsse="%s"><soap:Body><soap:Fault><faultcode>%s</faultcode><faultstring>%s</faultstring></soap:Fault></soap:Body></soap:Envelope>`,
			NS11, NSWSSE, xmlText(fc), xmlText(reason))
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

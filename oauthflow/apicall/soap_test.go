package apicall

import (
	"encoding/base64"
	"encoding/xml"
	"strings"
	"testing"
)

func TestInjectWSSE(t *testing.T) {
	const tok = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
	for name, env := range map[string]string{
		"self-closing header": `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header/><s:Body><Op/></s:Body></s:Envelope>`,
		"header with content": `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><a:To xmlns:a="urn:a">x</a:To></s:Header><s:Body><Op/></s:Body></s:Envelope>`,
		"no header":           `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">` + "\n  " + `<soap:Body><Op/></soap:Body></soap:Envelope>`,
		"default namespace":   `<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><Op xmlns="urn:x"/></Body></Envelope>`,
	} {
		out, err := InjectWSSE([]byte(env), tok)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var parsed struct {
			Header struct {
				Security struct {
					Token struct {
						ValueType string `xml:"ValueType,attr"`
						Value     string `xml:",chardata"`
					} `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd BinarySecurityToken"`
				} `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Security"`
			} `xml:"Header"`
			Body struct {
				Op *struct{} `xml:"Op"`
			} `xml:"Body"`
		}
		if err := xml.Unmarshal(out, &parsed); err != nil {
			t.Fatalf("%s: not XML after the injection: %v\n%s", name, err, out)
		}
		got, _ := base64.StdEncoding.DecodeString(parsed.Header.Security.Token.Value)
		if string(got) != tok || parsed.Header.Security.Token.ValueType != jwtTokenType || parsed.Body.Op == nil {
			t.Errorf("%s:\n%s", name, out)
		}
	}
	for _, bad := range []string{"", `{"json":true}`, `<Other/>`, `<s:Envelope xmlns:s="x"><s:Body>`} {
		if _, err := InjectWSSE([]byte(bad), tok); err == nil {
			t.Errorf("%q: no error", bad)
		} else if strings.Contains(err.Error(), tok) {
			t.Errorf("the error holds the token: %v", err)
		}
	}
}

func TestParseSOAPFaultAndPrettyBody(t *testing.T) {
	f11 := ParseSOAPFault([]byte(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>wsse:InvalidSecurityToken</faultcode><faultstring>bad &lt;token&gt;</faultstring></soap:Fault></soap:Body></soap:Envelope>`))
	if f11 == nil || f11.Version != "1.1" || f11.Code != "wsse:InvalidSecurityToken" || !f11.Security() || strings.Contains(f11.Reason, "<") {
		t.Fatalf("1.1: %+v", f11)
	}
	f12 := ParseSOAPFault([]byte(`<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><e:Fault><e:Code><e:Value>e:Sender</e:Value><e:Subcode><e:Value>m:Limit</e:Value></e:Subcode></e:Code><e:Reason><e:Text xml:lang="en">too many</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>`))
	if f12 == nil || f12.Version != "1.2" || f12.Code != "e:Sender" || f12.Subcode != "m:Limit" || f12.Reason != "too many" || f12.Security() {
		t.Fatalf("1.2: %+v", f12)
	}
	if ParseSOAPFault([]byte(`<a/>`)) != nil || ParseSOAPFault([]byte(`{}`)) != nil {
		t.Fatal("not a fault")
	}
	if got := PrettyBody("application/json", []byte(`{"a":[1,2]}`)); got != "{\n  \"a\": [\n    1,\n    2\n  ]\n}" {
		t.Errorf("json: %q", got)
	}
	got := PrettyBody("text/xml", []byte(`<s:E xmlns:s="urn:s"><s:B><x a="1">t &amp; u</x></s:B></s:E>`))
	want := "<s:E xmlns:s=\"urn:s\">\n  <s:B>\n    <x a=\"1\">t &amp; u</x>\n  </s:B>\n</s:E>"
	if got != want {
		t.Errorf("xml:\n%s\nwant\n%s", got, want)
	}
	if got := PrettyBody("text/plain", []byte("plain")); got != "plain" {
		t.Errorf("text: %q", got)
	}
}

// The WS-Security faults are explained in our words; the one a header
// token gets says how to put it in the envelope (#24.16).
func TestSOAPFaultExplain(t *testing.T) {
	body := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">` +
		`<s:Body><s:Fault><faultcode>wsse:SecurityTokenUnavailable</faultcode><faultstring>An error was discovered processing the &lt;wsse:Security&gt; header</faultstring></s:Fault></s:Body></s:Envelope>`
	f := ParseSOAPFault([]byte(body))
	if f == nil || !strings.Contains(f.Explain(), "Token in: WS-Security header") {
		t.Fatalf("fault %+v explained as %q", f, f.Explain())
	}
	if (&SOAPFault{Code: "soap:Server"}).Explain() != "" {
		t.Error("a server fault got a security explanation")
	}
}

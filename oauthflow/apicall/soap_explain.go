package apicall

import "strings"

// Explain says what a SOAP fault means for the token and what to do, in
// our words; "" when the fault is not about security (the service's own
// reason is then all there is). The codes are OASIS WSS 1.1 §12.
func (f *SOAPFault) Explain() string {
	for _, c := range []string{f.Subcode, f.Code} {
		switch c[strings.LastIndexByte(c, ':')+1:] {
		case "SecurityTokenUnavailable":
			return "The service found no security token in the message: it wants the token inside the SOAP envelope " +
				"(a WS-Security header), not in the HTTP Authorization header. Save this call as a WS_SOAP transport with " +
				"Token in: WS-Security header (Save as transport, then Edit), and run it there."
		case "UnsupportedSecurityToken", "InvalidSecurityToken":
			return "The service cannot use the token it was given: check the token type it expects in the WS-Security header " +
				"(BinarySecurityToken value type) and that it accepts tokens from this IdP (issuer, audience)."
		case "FailedAuthentication", "FailedCheck":
			return "The service rejected the token: it may be expired, meant for another service (audience/resource), " +
				"or signed by an IdP the service does not trust. Test the profile, then check its audience or resource."
		case "InvalidSecurity":
			return "The service found the WS-Security header malformed or incomplete: check the SOAP version and " +
				"that the header the transport adds is what the service's policy asks for."
		}
	}
	return ""
}

// Package apicall is what an API call with a profile's token needs besides
// the token: header rules and redaction of bearer tokens in what is shown,
// the advice for a 401/403, and SOAP (envelopes with a WS-Security
// BinarySecurityToken, faults read and explained, bodies pretty-printed).
// The service's Request and transport runs use it; "transport" then means
// only the saved API call.
package apicall

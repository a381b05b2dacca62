// Package oauthflow is the one door to credential profiles for both
// binaries (the workbench GUI and credctl): Service tests, logs in and out,
// rotates secrets, hands out and renews tokens, sends requests and runs the
// saved transports, records every outcome in the profile file and announces
// it to subscribers (and, through Watch, to the other processes). It knows
// nothing of Fyne.
//
// The work behind the door is in sub-packages with one job each (the
// package list is the map):
//
//	failure     what went wrong and what to do: categories, Failure, Classify, the IdP tables (a leaf)
//	httpclient  the per-profile HTTP client (proxy, CA, TLS, caps, same-host redirects) and its cache
//	idp         the protocol over explicit inputs: grants, refresh, revocation, the loopback server
//	tokens      the token store shared by all processes and the lock → find → fetch → save sequence
//	apicall     what an API call needs besides the token: header rules, redaction, SOAP
//
// This package keeps what needs the service's state: the token manager
// (Manager, manager*.go: in-memory tokens, single-flight fetches, renewal),
// the protocol steps that read the keyring and sessions (protocol,
// login_*.go, logout*.go, clientcredentials.go), the saved API calls
// (Transports, transport*.go), bookkeeping, events and the watcher.
package oauthflow

package testapi

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"
)

// MTLSServer is a service over TLS that asks every client for a
// certificate and holds certificate-bound tokens to it (RFC 8705 §3): a
// token whose cnf.x5t#S256 names a certificate is accepted only on a
// connection that presented that certificate. CertPEM is the server's own
// certificate, for the client's CA bundle.
type MTLSServer struct {
	*Server
	URL     string // https; Server.URL is the plain backend behind it
	CertPEM []byte
}

// MTLSOptions say what an MTLSServer demands beyond the binding.
type MTLSOptions struct {
	// RequireBound refuses tokens that are not bound to a certificate.
	RequireBound bool
	// RequireCertificate ends the TLS handshake of a client that presents
	// no certificate (tls: certificate required), as strict gateways do.
	RequireCertificate bool
	// DoNotAsk never asks for a client certificate, as an API behind a
	// TLS-terminating proxy: a bound token cannot be used there.
	DoNotAsk bool
}

// StartJSONMTLS runs StartJSON's API behind mutual TLS.
func StartJSONMTLS(t testing.TB, cfg Config, opt MTLSOptions) *MTLSServer {
	return startMTLS(t, opt, StartJSON(t, cfg))
}

// StartSOAP11MTLS runs StartSOAP11's service (token in the HTTP header)
// behind mutual TLS.
func StartSOAP11MTLS(t testing.TB, cfg Config, opt MTLSOptions) *MTLSServer {
	return startMTLS(t, opt, StartSOAP11(t, cfg, FromHTTPHeader))
}

// startMTLS puts a TLS front that asks for client certificates and checks
// the binding before backend, which verifies the token as it always does.
// URL is the front's https URL.
func startMTLS(t testing.TB, opt MTLSOptions, backend *Server) *MTLSServer {
	t.Helper()
	target, err := url.Parse(backend.URL)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(bindingCheck(backend, opt, httputil.NewSingleHostReverseProxy(target)))
	ts.TLS = &tls.Config{ClientAuth: tls.RequestClientCert, MinVersion: tls.VersionTLS12}
	switch {
	case opt.RequireCertificate:
		ts.TLS.ClientAuth = tls.RequireAnyClientCert
	case opt.DoNotAsk:
		ts.TLS.ClientAuth = tls.NoClientCert
	}
	ts.Config.ReadHeaderTimeout = 5 * time.Second
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests want
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return &MTLSServer{Server: backend, URL: ts.URL, CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})}
}

// bindingCheck refuses a bound token on a connection without its
// certificate before the service verifies the token itself.
func bindingCheck(s *Server, opt MTLSOptions, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw := bearer(r)
		if raw == "" {
			next.ServeHTTP(w, r)
			return
		}
		x5t := boundTo(raw)
		presented := ""
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			sum := sha256.Sum256(r.TLS.PeerCertificates[0].Raw)
			presented = base64.RawURLEncoding.EncodeToString(sum[:])
		}
		var ref *Refusal
		switch {
		case x5t != "" && presented == "":
			ref = &Refusal{Status: http.StatusUnauthorized, Code: "invalid_token", Description: "the token is bound to a client certificate and the request came without one"}
		case x5t != "" && x5t != presented:
			ref = &Refusal{Status: http.StatusUnauthorized, Code: "invalid_token", Description: "the token is bound to another client certificate"}
		case x5t == "" && opt.RequireBound:
			ref = &Refusal{Status: http.StatusUnauthorized, Code: "invalid_token", Description: "this API accepts only certificate-bound tokens"}
		}
		if ref == nil {
			next.ServeHTTP(w, r)
			return
		}
		s.record(Seen{Method: r.Method, Path: r.URL.Path, HadBearer: true, Outcome: ref.Code})
		w.Header().Set("WWW-Authenticate", ref.Challenge())
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(ref.Status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": ref.Code, "error_description": ref.Description})
	})
}

// boundTo is the unverified cnf.x5t#S256 of a JWT ("" when none): the
// service verifies the signature next.
func boundTo(raw string) string {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Cnf map[string]any `json:"cnf"`
	}
	if json.Unmarshal(b, &c) != nil {
		return ""
	}
	s, _ := c.Cnf["x5t#S256"].(string)
	return s
}

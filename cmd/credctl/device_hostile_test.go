package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// Issue #23.3 through the binary: a hostile IdP's device answer. credctl
// refuses a verification URI on another local port, and never prints a
// bidi override or a C1 CSI to the terminal.
func TestLoginDeviceHostileIdP(t *testing.T) {
	var srv *httptest.Server
	var answer atomic.Pointer[string]
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer":"` + srv.URL + `","authorization_endpoint":"` + srv.URL + `/auth","token_endpoint":"` +
			srv.URL + `/token","jwks_uri":"` + srv.URL + `/jwks","device_authorization_endpoint":"` + srv.URL + `/device/auth",` +
			`"response_types_supported":["code"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"]}`))
	})
	mux.HandleFunc("POST /device/auth", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(strings.ReplaceAll(*answer.Load(), "ISSUER", srv.URL)))
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"access_denied"}`))
	})
	srv = httptest.NewUnstartedServer(mux)
	srv.Start() // after srv is set: the handlers read it
	defer srv.Close()
	c := newCLI(t)
	c.env = append(c.env, "DISPLAY=", "WAYLAND_DISPLAY=", "BROWSER=")
	c.must(0, "", "add", "--name", "hostile", "--type", "user", "--issuer", srv.URL, "--client-id", "device-client",
		"--scope", "openid", "--no-test")

	set := func(s string) { answer.Store(&s) }
	set(`{"device_code":"dc","user_code":"WDJB-MJHT","verification_uri":"ISSUER/device",` +
		`"verification_uri_complete":"http://127.0.0.1:9999/steal","expires_in":60,"interval":1}`)
	o := c.run("", "login", "hostile", "--device")
	if o.code == 0 || !strings.Contains(o.stderr, "verification_uri_complete must use https") || strings.Contains(o.stderr, "WDJB-MJHT") {
		t.Fatalf("a verification URI on another local port: %s", o)
	}

	set(`{"device_code":"dc","user_code":"WDJB\u202e-MJHT\u009b","verification_uri":"ISSUER/device/\u202eevil\u009b",` +
		`"expires_in":60,"interval":1}`)
	o = c.run("", "login", "hostile", "--device")
	if strings.ContainsAny(o.stderr+o.stdout, "\u202e\u009b") {
		t.Fatalf("credctl printed a bidi override or a C1 CSI: %q", o.stderr)
	}
	contains(t, "cleaned device prompt", o.stderr, "/device/%E2%80%AEevil%C2%9B", "WDJB-MJHT")
}

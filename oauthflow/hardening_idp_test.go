package oauthflow

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
)

// hardeningTimeout is the Service HTTP timeout of the hostile-IdP tests: every
// case must end within it plus hardeningSlack.
const (
	hardeningTimeout = time.Second
	hardeningSlack   = 2 * time.Second
)

// quietLog drops the servers' "TLS handshake error" lines the TLS cases cause.
var quietLog = log.New(io.Discard, "", 0)

const hostileMarkup = `<script>alert("pwned")</script><img src=x onerror=alert(1)>`

// wrongNameTLS starts a TLS server whose certificate, signed by a CA written
// to caFile, is valid only for wrong.credworkbench.test.
func wrongNameTLS(t *testing.T, h http.Handler) (srv *httptest.Server, caFile string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hardening test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "wrong.credworkbench.test"},
		DNSNames:  []string{"wrong.credworkbench.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	srv = httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = quietLog // the refused handshakes are the point
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER}, PrivateKey: leafKey}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, caFile
}

// slowLoris accepts connections, reads the request and then trickles a
// response header one byte at a time, never finishing it.
func slowLoris(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for { // the request head
					line, err := r.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				head := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Pad: " + strings.Repeat("a", 4096)
				for i := 0; i < len(head); i++ {
					if _, err := c.Write([]byte{head[i]}); err != nil {
						return
					}
					select {
					case <-stop:
						return
					case <-time.After(50 * time.Millisecond):
					}
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/token"
}

// endless streams a token response that never ends; delay between chunks.
func endless(delay time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"`))
		chunk := []byte(strings.Repeat("A", 8<<10))
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(delay):
			}
		}
	}
}

func jsonAnswer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// TestHardeningHostileIdP points an Application profile at token endpoints
// that misbehave in every way we could think of. Each must end, within the
// HTTP timeout, in a Failed result with a category (never Active, never a
// panic or hang), and neither the failure nor the stored last error may
// carry markup from the IdP or the client secret.
func TestHardeningHostileIdP(t *testing.T) {
	const secret = "LEAKCANARY-idp-secret-51b2"
	var otherHits atomic.Int32
	other := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		jsonAnswer(200, `{"access_token":"stolen","token_type":"Bearer","expires_in":3600}`)(w, r)
	}))
	if ln, err := net.Listen("tcp4", "127.0.0.2:0"); err == nil {
		other.Listener = ln // a different IP, not just a different port
	}
	other.Start()
	defer other.Close()

	type tc struct {
		name    string
		url     func(t *testing.T) (tokenURL, caFile string)
		cat     Category
		mention string
	}
	serve := func(h http.HandlerFunc) func(t *testing.T) (string, string) {
		return func(t *testing.T) (string, string) {
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			return srv.URL + "/token", ""
		}
	}
	cases := []tc{
		{"HTML error page 500", serve(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte("<html><body><h1>Oops</h1>" + hostileMarkup + "</body></html>"))
		}), CatEndpoint, "HTML"},
		{"HTML page 200", serve(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<!DOCTYPE html><title>Sign in</title>" + hostileMarkup))
		}), CatEndpoint, "HTML"},
		{"HTML without content type", serve(func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = nil
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html><body>" + hostileMarkup + "</body></html>"))
		}), CatEndpoint, "HTML"},
		{"500 with markup in the OAuth error", serve(jsonAnswer(500,
			`{"error":"server_error","error_description":"`+strings.ReplaceAll(hostileMarkup, `"`, `\"`)+`"}`)), CatEndpoint, "IdP"},
		{"400 with markup in the error code", serve(jsonAnswer(400,
			`{"error":"<b>invalid_client</b>","error_description":"<a href=javascript:alert(1)>click</a>"}`)), "", ""},
		{"503 empty", serve(jsonAnswer(503, ``)), CatEndpoint, "503"},
		{"invalid JSON", serve(jsonAnswer(200, `{"access_token": "abc", `)), CatEndpoint, "not with a token"},
		{"JSON array", serve(jsonAnswer(200, `["access_token"]`)), CatEndpoint, "not with a token"},
		{"missing access_token", serve(jsonAnswer(200, `{"token_type":"Bearer","expires_in":3600}`)), CatEndpoint, "not with a token"},
		{"empty access_token", serve(jsonAnswer(200, `{"access_token":"","token_type":"Bearer","expires_in":3600}`)), CatEndpoint, "not with a token"},
		{"wrong token_type mac", serve(jsonAnswer(200, `{"access_token":"abc","token_type":"mac","expires_in":3600,"mac_key":"k"}`)), "", "mac"},
		{"negative expires_in", serve(jsonAnswer(200, `{"access_token":"abc","token_type":"Bearer","expires_in":-3600}`)), "", "expire"},
		{"zero-length body with 200", serve(jsonAnswer(200, ``)), CatEndpoint, ""},
		{"body that never ends fast", serve(endless(0)), CatEndpoint, "KiB"},
		{"body that never ends slowly", serve(endless(100 * time.Millisecond)), CatNetwork, "in time"},
		{"slow-loris headers", func(t *testing.T) (string, string) { return slowLoris(t), "" }, CatNetwork, "in time"},
		{"redirect to another host", serve(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/token", http.StatusTemporaryRedirect)
		}), CatEndpoint, "another host"},
		{"redirect loop", serve(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
		}), CatEndpoint, ""},
		{"TLS certificate for the wrong name", func(t *testing.T) (string, string) {
			srv, ca := wrongNameTLS(t, jsonAnswer(200, `{"access_token":"abc","token_type":"Bearer","expires_in":3600}`))
			return srv.URL + "/token", ca
		}, CatTLS, "not valid for"},
		{"TLS certificate of an unknown CA", func(t *testing.T) (string, string) {
			// httptest's certificate is valid for 127.0.0.1 but signed by nobody we trust.
			srv := httptest.NewTLSServer(jsonAnswer(200, `{"access_token":"abc","token_type":"Bearer","expires_in":3600}`))
			srv.Config.ErrorLog = quietLog
			t.Cleanup(srv.Close)
			return srv.URL + "/token", ""
		}, CatTLS, "unknown authority"},
	}
	s := ccService(t, testenv.NewMemKeyring())
	s.HTTPTimeout = hardeningTimeout
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tokenURL, caFile := c.url(t)
			p := ccApp("hostile "+c.name, tokenURL)
			p.TLS.CAFile = caFile
			p = ccSave(t, s, p, secret)
			start := time.Now()
			res := ccTest(t, s, p.Name)
			took := time.Since(start)
			if took > hardeningTimeout+hardeningSlack {
				t.Errorf("took %v with an HTTP timeout of %v", took, hardeningTimeout)
			}
			if res.Active() || res.Failure == nil || res.Status != credentials.StatusFailed {
				t.Fatalf("status %s (expiry %v, failure %v): a misbehaving IdP must give a Failed result", res.Status, res.Expiry, res.Failure)
			}
			f := res.Failure
			if f.Category == "" || (c.cat != "" && f.Category != c.cat) {
				t.Errorf("category %q, want %q: %v", f.Category, c.cat, f)
			}
			if c.mention != "" && !strings.Contains(strings.ToLower(f.Error()), strings.ToLower(c.mention)) {
				t.Errorf("failure %q does not mention %q", f.Error(), c.mention)
			}
			stored, err := s.repo.Get(p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.LastStatus != credentials.StatusFailed || stored.LastCategory != string(f.Category) {
				t.Errorf("stored status %s/%s, want Failed/%s", stored.LastStatus, stored.LastCategory, f.Category)
			}
			for _, txt := range []string{f.Error(), f.IdPError, f.IdPDescription, stored.LastError} {
				if strings.ContainsAny(txt, "<>") || strings.Contains(txt, "javascript:") {
					t.Errorf("markup from the IdP reaches the text %q", txt)
				}
				if strings.Contains(txt, secret) {
					t.Errorf("the client secret reaches the text %q", txt)
				}
			}
			t.Logf("%s in %v: %s: %s", res.Status, took.Round(time.Millisecond), f.Category, f.Error())
		})
	}
	if n := otherHits.Load(); n != 0 {
		t.Errorf("the other host received %d requests: a redirect was followed with the credentials", n)
	}
}

// TestHardeningAbsurdExpiry: an expires_in of centuries (or beyond what a
// duration holds) must not turn into an unknown or past expiry: the token
// is Active with an expiry far in the future, or the answer is refused.
func TestHardeningAbsurdExpiry(t *testing.T) {
	s := ccService(t, testenv.NewMemKeyring())
	s.HTTPTimeout = hardeningTimeout
	for _, v := range []string{"315576000000", "1e300", "9223372036854775807"} {
		t.Run(v, func(t *testing.T) {
			srv := httptest.NewServer(jsonAnswer(200, `{"access_token":"abc","token_type":"Bearer","expires_in":`+v+`}`))
			defer srv.Close()
			p := ccSave(t, s, ccApp("absurd "+v, srv.URL+"/token"), "absurd-secret")
			res := ccTest(t, s, p.Name)
			switch {
			case res.Active():
				if res.Expiry.Before(time.Now().Add(24 * time.Hour)) {
					t.Fatalf("expires_in %s: Active with expiry %v (unknown or in the past): the lifetime overflowed", v, res.Expiry)
				}
				if st, _ := s.Status(p.ID); !st.Active() {
					t.Fatalf("expires_in %s: Test said Active, Status says %s", v, st.Status)
				}
			case res.Failure == nil || res.Failure.Category == "":
				t.Fatalf("expires_in %s: %s without a categorized failure", v, res.Status)
			}
			t.Logf("expires_in %s: %s, expiry %v, failure %v", v, res.Status, res.Expiry, res.Failure)
		})
	}
}

// TestHardeningSecretDeletedBehindOurBack removes the client secret from the
// real Secret Service with secret-tool, as another program could: Test says
// the secret is missing (Credentials) and the profile file stays readable
// and consistent.
func TestHardeningSecretDeletedBehindOurBack(t *testing.T) {
	ccRequireRealKeyring(t)
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatal("secret-tool is missing: apt-get install libsecret-tools")
	}
	srv := httptest.NewServer(jsonAnswer(200, `{"access_token":"abc","token_type":"Bearer","expires_in":3600}`))
	defer srv.Close()
	s := ccService(t, nil)
	p := ccSave(t, s, ccApp("deleted behind our back", srv.URL+"/token"), "LEAKCANARY-deleted-secret")
	ccWantActive(t, ccTest(t, s, p.Name))
	out, err := exec.Command("secret-tool", "clear", "service", credentials.KeyringService,
		"username", p.ID+"/"+string(credentials.ClientSecret)).CombinedOutput()
	if err != nil {
		t.Fatalf("secret-tool clear: %v: %s", err, out)
	}
	if _, err := s.repo.Secrets.Get(p.ID, credentials.ClientSecret); err != credentials.ErrSecretNotFound {
		t.Fatalf("after secret-tool clear the secret is still readable (err %v): the test did not delete it", err)
	}
	s.mgr.Forget(p.ID) // the cached token would otherwise hide the missing secret until renewal
	res := ccTest(t, s, p.Name)
	f := ccWantFailed(t, res, CatCredentials)
	if !strings.Contains(f.Message, "no client secret is stored") || !strings.Contains(f.Message, "enter the client secret") {
		t.Fatalf("failure %q does not say the secret is missing and what to do", f.Message)
	}
	ps, err := s.repo.List()
	if err != nil {
		t.Fatalf("the profile file no longer reads: %v", err)
	}
	if len(ps) != 1 || ps[0].ID != p.ID || ps[0].LastStatus != credentials.StatusFailed ||
		ps[0].LastCategory != string(CatCredentials) || ps[0].Revision != p.Revision {
		t.Fatalf("profile file after the failed test: %+v", ps)
	}
	// Entering the secret again repairs it.
	fixed := ps[0]
	if _, err := s.Save(fixed, credentials.SecretChange{ClientSecret: credentials.Secret("LEAKCANARY-deleted-secret")}); err != nil {
		t.Fatal(err)
	}
	ccWantActive(t, ccTest(t, s, p.Name))
}

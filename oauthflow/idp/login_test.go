package idp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// get fetches a URL from the listener and returns status and body.
// It acts as the browser the listener's login started in (see startLoopback).
func get(t *testing.T, u string) (int, string, http.Header) {
	t.Helper()
	c := http.DefaultClient
	if pu, err := url.Parse(u); err == nil {
		if b, ok := browsers.Load(pu.Host); ok {
			c = b.(*http.Client)
		}
	}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func startLoopback(t *testing.T, port int, issuer string) *Login {
	t.Helper()
	l, err := ListenLogin(port, "the-state", issuer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	// A browser opens the start address (and gets its cookie).
	l.SetAuthURL("https://idp.example/auth")
	b := browserClient()
	if _, err := openStart(context.Background(), b, l.StartURL()); err != nil {
		t.Fatal(err)
	}
	b.CheckRedirect = nil
	host := l.ln.Addr().String()
	browsers.Store(host, b)
	t.Cleanup(func() { browsers.Delete(host) })
	return l
}

// stillWaiting fails when the login took a callback. The handler decides
// before it answers, so once the answer is read a taken callback is already
// in l.got: no waiting needed.
func stillWaiting(t *testing.T, l *Login, what string) {
	t.Helper()
	if l.accepted.Load() {
		t.Fatalf("%s ended the wait", what)
	}
}

func TestLoopbackBindsLoopbackOnly(t *testing.T) {
	l := startLoopback(t, 0, "")
	addr := l.ln.Addr().(*net.TCPAddr)
	if !addr.IP.Equal(net.IPv4(127, 0, 0, 1)) || addr.Port == 0 {
		t.Fatalf("listener address %v, want 127.0.0.1:<port>", addr)
	}
	want := fmt.Sprintf("http://127.0.0.1:%d/callback", addr.Port)
	if l.RedirectURI != want {
		t.Fatalf("redirect URI %q, want %q", l.RedirectURI, want)
	}
	// Every other local address must refuse the port.
	others := []string{"::1"}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() {
			others = append(others, ipn.IP.String())
		}
	}
	for _, ip := range others {
		target := net.JoinHostPort(ip, strconv.Itoa(addr.Port))
		c, err := net.DialTimeout("tcp", target, time.Second)
		if err == nil {
			c.Close()
			t.Errorf("the listener is reachable at %s; it must only listen on 127.0.0.1", target)
		}
	}
	t.Logf("checked that %v refuse port %d", others, addr.Port)
}

func TestLoopbackAcceptsOneCallback(t *testing.T) {
	l := startLoopback(t, 0, "https://idp.example")
	done := make(chan struct{})
	var status int
	var body string
	var hdr http.Header
	go func() {
		defer close(done)
		status, body, hdr = get(t, l.RedirectURI+"?code=abc&state=the-state&iss="+url.QueryEscape("https://idp.example"))
	}()
	cb, err := l.Wait(context.Background())
	if err != nil || cb.Err != nil || cb.Code != "abc" {
		t.Fatalf("wait = %+v, %v; want code abc", cb, err)
	}
	// While the first page waits for the exchange, a second callback (even a
	// valid one) changes nothing.
	st2, body2, _ := get(t, l.RedirectURI+"?code=other&state=the-state")
	if st2 != http.StatusConflict || !strings.Contains(body2, "already completed") {
		t.Fatalf("second callback: %d %q", st2, body2)
	}
	select {
	case cb2 := <-l.got:
		t.Fatalf("a second callback was accepted: %+v", cb2)
	default:
	}
	l.Respond(nil)
	<-done
	if status != http.StatusOK || !strings.Contains(body, "You are logged in") || !strings.Contains(body, "window.close()") {
		t.Fatalf("success page: %d %q", status, body)
	}
	if !strings.Contains(body, "do not share") {
		t.Errorf("success page does not ask not to share its address: %q", body)
	}
	for k, v := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"} {
		if hdr.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, hdr.Get(k), v)
		}
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	if strings.Contains(body, "http://") || strings.Contains(body, "https://") {
		t.Errorf("the page loads or links something external: %q", body)
	}
	l.Close()
	if _, err := http.Get(l.RedirectURI); err == nil {
		t.Fatal("the listener still answers after close (and after the browser loaded /done)")
	}
}

func TestLoopbackExchangeErrorShownOnPage(t *testing.T) {
	l := startLoopback(t, 0, "")
	done := make(chan string)
	go func() {
		_, body, _ := get(t, l.RedirectURI+"?code=abc&state=the-state")
		done <- body
	}()
	if _, err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	l.Respond(errors.New(`the IdP said <script>alert("x")</script>`))
	body := <-done
	if !strings.Contains(body, "Login failed") || strings.Contains(body, "<script>alert") ||
		!strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Fatalf("error page does not show the escaped reason: %q", body)
	}
}

func TestLoopbackRejectsBadResponses(t *testing.T) {
	for _, tc := range []struct {
		name, query string
		cat         failure.Category // "" = answered 400 without ending the wait
		msg         string
		idpErr      string
	}{
		{"wrong state", "code=abc&state=nope", "", "", ""},
		{"missing state", "code=abc", "", "", ""},
		{"missing code", "state=the-state", failure.CatRedirect, "no authorization code", ""},
		{"access denied", "error=access_denied&error_description=" + url.QueryEscape("User <b>said</b> no") + "&state=the-state",
			failure.CatLogin, "refused or cancelled", "access_denied"},
		// RFC 6749 4.1.2.1: an error response carries the state too; without
		// it any local page could end the login with text of its choosing.
		{"error without state", "error=unauthorized_client", "", "", ""},
		{"error with state", "error=unauthorized_client&state=the-state", failure.CatRedirect, "refused the login request", "unauthorized_client"},
		{"error with wrong state", "error=access_denied&state=nope", "", "", ""},
		{"wrong issuer", "code=abc&state=the-state&iss=" + url.QueryEscape("https://evil.example"), failure.CatLogin, "RFC 9207", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := startLoopback(t, 0, "https://idp.example")
			status, body, _ := get(t, l.RedirectURI+"?"+tc.query)
			if status != http.StatusBadRequest || !strings.Contains(body, "Login failed") {
				t.Fatalf("page: %d %q", status, body)
			}
			if strings.Contains(body, "<b>said</b>") || strings.Contains(body, "evil.example") {
				t.Fatalf("text from the request reached the page: %q", body)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			if tc.cat == "" {
				stillWaiting(t, l, "a foreign response")
				return
			}
			cb, err := l.Wait(ctx)
			if err != nil {
				t.Fatalf("the flow did not end: %v", err)
			}
			if cb.Err == nil || cb.Code != "" {
				t.Fatalf("accepted: %+v", cb)
			}
			if cb.Err.Category != tc.cat || !strings.Contains(cb.Err.Error(), tc.msg) || cb.Err.IdPError != tc.idpErr {
				t.Fatalf("failure = %v (%s, idp %q); want %s containing %q", cb.Err, cb.Err.Category, cb.Err.IdPError, tc.cat, tc.msg)
			}
		})
	}
}

func TestLoopbackOtherPathsDoNotEndWait(t *testing.T) {
	l := startLoopback(t, 0, "")
	base := strings.TrimSuffix(l.RedirectURI, "/callback")
	for _, p := range []string{"/favicon.ico", "/", "/callback/x"} {
		if st, _, _ := get(t, base+p); st != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, st)
		}
	}
	resp, err := http.Post(l.RedirectURI, "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /callback = %d, want 405", resp.StatusCode)
	}
	stillWaiting(t, l, "another path or method")
	// And the real callback still works afterwards.
	go func() { _, _, _ = get(t, l.RedirectURI+"?code=late&state=the-state") }()
	cb, err := l.Wait(context.Background())
	if err != nil || cb.Code != "late" {
		t.Fatalf("callback after the 404s: %+v %v", cb, err)
	}
	l.Respond(nil)
}

func TestLoopbackRejectsOversizedRequest(t *testing.T) {
	l := startLoopback(t, 0, "")
	status, _, _ := get(t, l.RedirectURI+"?code="+strings.Repeat("a", 64<<10)+"&state=the-state")
	if status != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("oversized callback answered %d, want 431", status)
	}
	stillWaiting(t, l, "an oversized request")
}

func TestLoopbackBusyFixedPort(t *testing.T) {
	busy, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	start := time.Now()
	_, err = ListenLogin(port, "s", "")
	f, ok := failure.As(err)
	if !ok {
		t.Fatalf("err = %v, want a Failure", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("a busy port took %v to report", time.Since(start))
	}
	if f.Category != failure.CatConfig || !strings.Contains(f.Message, strconv.Itoa(port)) ||
		!strings.Contains(f.Message, "already in use") || !strings.Contains(f.Message, "redirect port to 0") {
		t.Fatalf("failure = %q (%s)", f.Message, f.Category)
	}
}

func TestLoopbackFixedPort(t *testing.T) {
	// Find a free port, release it, and ask for it explicitly.
	probe, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := probe.Addr().(*net.TCPAddr).Port
	probe.Close()
	l := startLoopback(t, port, "")
	if l.port() != port || l.RedirectURI != fmt.Sprintf("http://127.0.0.1:%d/callback", port) {
		t.Fatalf("fixed port %d gave %s", port, l.RedirectURI)
	}
	if _, err := ListenLogin(70000, "s", ""); err == nil || !strings.Contains(err.Error(), "not a TCP port") {
		t.Fatalf("port 70000: %v", err)
	}
}

func TestLoopbackCloseEndsPendingPage(t *testing.T) {
	l := startLoopback(t, 0, "")
	done := make(chan string)
	go func() {
		_, body, _ := get(t, l.RedirectURI+"?code=abc&state=the-state")
		done <- body
	}()
	if _, err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	l.Close() // the login gave up without an answer (e.g. cancelled)
	select {
	case body := <-done:
		if !strings.Contains(body, "stopped before it completed") {
			t.Fatalf("page after close: %q", body)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the callback page hangs after close")
	}
}

// A process that ends right after a login (credctl, through Service.Close)
// waits until the browser has loaded the result page it was sent on to:
// the lingering listener is counted.
func TestLoopbackLingerIsCounted(t *testing.T) {
	l := startLoopback(t, 0, "")
	var pages sync.WaitGroup
	l.Linger = &pages
	b, _ := browsers.Load(l.ln.Addr().String())
	browser := *b.(*http.Client)
	browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	redirected := make(chan string, 1)
	go func() {
		resp, err := browser.Get(l.RedirectURI + "?code=abc&state=the-state")
		if err != nil {
			t.Error(err)
			redirected <- ""
			return
		}
		resp.Body.Close()
		redirected <- resp.Header.Get("Location")
	}()
	if cb, err := l.Wait(context.Background()); err != nil || cb.Code != "abc" {
		t.Fatalf("wait = %+v, %v", cb, err)
	}
	l.Respond(nil)
	loc := <-redirected
	if loc == "" {
		t.Fatal("no redirect to the result page")
	}
	l.Close() // the login is over; the browser has not loaded /done yet
	waited := make(chan struct{})
	go func() { pages.Wait(); close(waited) }()
	select {
	case <-waited:
		t.Fatal("the listener stopped lingering before the browser loaded its page")
	case <-time.After(300 * time.Millisecond):
	}
	target, err := url.Parse(l.RedirectURI)
	if err != nil {
		t.Fatal(err)
	}
	done, err := target.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := browser.Get(done.String())
	if err != nil {
		t.Fatalf("the result page is gone: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "You are logged in") {
		t.Fatalf("result page: %d %q", resp.StatusCode, body)
	}
	select {
	case <-waited:
	case <-time.After(DoneLinger):
		t.Fatal("the linger did not end once the browser had its page")
	}
}

// Fail closed (issue #23): a request whose client socket's owner cannot be
// found is refused like another user's, does not end the wait, and the
// login's failure says so. (macOS and Windows cannot tell; see
// peer_other.go.)
func TestLoopbackRefusesUnknownPeer(t *testing.T) {
	if !peerOwnerKnowable {
		t.Skip("no owner lookup on this platform: unknown peers are served (peer_other.go)")
	}
	l := startLoopback(t, 0, "")
	l.peers.lookup = func(string, string) (int, bool) { return 0, false }
	status, body, _ := get(t, l.RedirectURI+"?code=c&state=the-state")
	if status != http.StatusForbidden || !strings.Contains(body, "could not be traced") {
		t.Fatalf("callback from an unknown owner answered %d:\n%s", status, body)
	}
	stillWaiting(t, l, "the refused callback")
	f := l.Lead(&failure.Failure{Category: failure.CatLogin, Message: "No login response arrived within 1s."})
	if !strings.HasPrefix(f.Message, "A connection to this login's address could not be traced to your user account") {
		t.Fatalf("failure: %q", f.Message)
	}
}

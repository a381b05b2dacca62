package oauthflow

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// ccFakeClock is a TimerClock whose time moves only when Advance is called.
type ccFakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*ccFakeTimer
}

type ccFakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

func newCCFakeClock() *ccFakeClock { return &ccFakeClock{now: time.Now()} }

func (c *ccFakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *ccFakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &ccFakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		return was
	}
}

// Advance moves time and fires the timers now due, each on its own goroutine.
func (c *ccFakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*ccFakeTimer
	keep := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.stopped:
		case !t.at.After(c.now):
			t.stopped = true
			due = append(due, t)
		default:
			keep = append(keep, t)
		}
	}
	c.timers = keep
	c.mu.Unlock()
	for _, t := range due {
		go t.f()
	}
}

// pending is the number of timers not yet fired or stopped.
func (c *ccFakeClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.stopped {
			n++
		}
	}
	return n
}

// ccEvents collects events of a service.
type ccEvents struct {
	ch     chan Event
	cancel func()
}

func ccSubscribe(t testing.TB, s *Service) *ccEvents {
	e := &ccEvents{ch: make(chan Event, 1000)}
	e.cancel = s.Subscribe(func(ev Event) { e.ch <- ev })
	t.Cleanup(e.cancel)
	return e
}

// wait returns the next event of the kind for the profile, failing after d.
func (e *ccEvents) wait(t testing.TB, id string, kind EventKind, d time.Duration) Event {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case ev := <-e.ch:
			if ev.ProfileID == id && ev.Kind == kind {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %q event for %s within %v", kind, id, d)
			return Event{}
		}
	}
}

// none checks that no event of the kind arrives within d.
func (e *ccEvents) none(t testing.TB, id string, kind EventKind, d time.Duration) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case ev := <-e.ch:
			if ev.ProfileID == id && ev.Kind == kind {
				t.Fatalf("unexpected %q event for %s", kind, id)
			}
		case <-timeout:
			return
		}
	}
}

func ccServiceWithClock(t testing.TB, clock Clock) *Service {
	s := ccService(t, testenv.NewMemKeyring())
	s.Clock = clock
	return s
}

// Renewal at the refresh interval (shorter than the token's lifetime), on
// an injected clock: nothing happens before it, one grant when it is due,
// and the next renewal is scheduled.
func TestManagerRenewsAtInterval(t *testing.T) {
	idp := testidp.Shared(t)
	clock := newCCFakeClock()
	s := ccServiceWithClock(t, clock)
	ev := ccSubscribe(t, s)
	p := ccApp("renew", idp.TokenURL)
	p.RefreshInterval = credentials.Duration(time.Minute)
	p = ccSave(t, s, p, testidp.AppClientSecret)
	first := ccTest(t, s, p.Name)
	ccWantActive(t, first)
	idp.Reset(t)

	clock.Advance(59 * time.Second)
	ev.none(t, p.ID, EventRenewed, 300*time.Millisecond)
	if n := idp.Stats(t).Token; n != 0 {
		t.Fatalf("%d token requests before the interval", n)
	}
	clock.Advance(time.Second)
	got := ev.wait(t, p.ID, EventRenewed, 10*time.Second)
	if got.Result == nil || !got.Result.Active() || !got.Result.CheckedAt.Equal(clock.Now()) {
		t.Fatalf("renewal result %+v", got.Result)
	}
	if n := idp.Stats(t).Grants["client_credentials"]; n != 1 {
		t.Fatalf("%d grants at the interval, want 1", n)
	}
	tok, err := s.Token(context.Background(), p.Name)
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("Token: %v", err)
	}
	if n := idp.Stats(t).Token; n != 1 {
		t.Errorf("Token fetched again (%d requests) although the renewed token is valid", n)
	}
	clock.Advance(time.Minute)
	ev.wait(t, p.ID, EventRenewed, 10*time.Second)
	if n := idp.Stats(t).Grants["client_credentials"]; n != 2 {
		t.Fatalf("%d grants after two intervals, want 2", n)
	}
}

// A token that lives shorter than the interval is renewed before it
// expires; if renewal fails, the old token stays until its expiry, then the
// profile is Expired.
func TestManagerRenewsBeforeExpiry(t *testing.T) {
	idp := testidp.Start(t, testidp.WithAccessTokenTTL(60*time.Second))
	clock := newCCFakeClock()
	s := ccServiceWithClock(t, clock)
	ev := ccSubscribe(t, s)
	p := ccSave(t, s, ccApp("short", idp.TokenURL), testidp.AppClientSecret) // interval 5m
	res := ccTest(t, s, p.Name)
	ccWantActive(t, res)
	if !res.Expiry.Equal(clock.Now().Add(60 * time.Second)) {
		t.Fatalf("expiry %v, want now+60s on the service clock", res.Expiry)
	}
	idp.Reset(t)
	clock.Advance(29 * time.Second)
	ev.none(t, p.ID, EventRenewed, 200*time.Millisecond)
	clock.Advance(time.Second) // 30 s before expiry
	ev.wait(t, p.ID, EventRenewed, 10*time.Second)
	if n := idp.Stats(t).Grants["client_credentials"]; n != 1 {
		t.Fatalf("%d grants, want 1", n)
	}

	// The IdP breaks: the renewal fails, the token is kept while valid.
	idp.SetTokenFault(t, testidp.Fault{Status: http.StatusServiceUnavailable})
	clock.Advance(30 * time.Second)
	failed := ev.wait(t, p.ID, EventFailed, 10*time.Second)
	if failed.Result.Failure == nil || failed.Result.Failure.Category != CatEndpoint {
		t.Fatalf("renewal failure %+v", failed.Result.Failure)
	}
	if _, err := s.Token(context.Background(), p.Name); err != nil {
		t.Fatalf("the still-valid token was not served: %v", err)
	}
	st, _ := s.Status(p.Name)
	if st.Status != credentials.StatusFailed {
		t.Errorf("status %s after a failed renewal, want Failed", st.Status)
	}
	clock.Advance(60 * time.Second) // the retries before expiry fail too, and the clock passes the expiry
	ev.wait(t, p.ID, EventFailed, 10*time.Second)
	st, _ = s.Status(p.Name)
	// The token is gone, and the status still says why: not a bare "Expired".
	if st.Status != credentials.StatusFailed || st.Failure == nil || st.Failure.Category != CatEndpoint {
		t.Errorf("status %s (%v) after expiry, want Failed with the renewal's reason", st.Status, st.Failure)
	}
}

// N concurrent Token calls cause a single request to the IdP.
func TestManagerSingleFlight(t *testing.T) {
	idp := testidp.Shared(t)
	s := ccService(t, testenv.NewMemKeyring())
	p := ccSave(t, s, ccApp("single", idp.TokenURL), testidp.AppClientSecret)
	idp.SetTokenFault(t, testidp.Fault{Delay: 300 * time.Millisecond})
	const n = 20
	toks := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := s.Token(context.Background(), p.Name)
			errs[i] = err
			if tok != nil {
				toks[i] = tok.AccessToken
			}
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || toks[i] == "" || toks[i] != toks[0] {
			t.Fatalf("caller %d: err %v, token shared %v", i, errs[i], toks[i] == toks[0])
		}
	}
	if st := idp.Stats(t); st.Token != 1 {
		t.Fatalf("IdP saw %d token requests for %d concurrent callers, want 1", st.Token, n)
	}
	// A caller that gives up does not cancel the fetch for the others.
	s.mgr.Forget(p.ID)
	if err := s.Tokens.Delete(p.ID); err != nil { // nor may the shared store serve it
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.Token(ctx, p.Name); err == nil {
		t.Fatal("Token with an expired context succeeded")
	}
	if _, err := s.Token(context.Background(), p.Name); err != nil {
		t.Fatal(err)
	}
	if st := idp.Stats(t); st.Token != 2 {
		t.Errorf("IdP saw %d token requests, want 2 (the abandoned fetch was shared)", st.Token)
	}
}

// Editing a profile drops its token and restarts renewal with the new
// settings; deleting it stops renewal.
func TestManagerEditAndDelete(t *testing.T) {
	idp := testidp.Shared(t)
	clock := newCCFakeClock()
	s := ccServiceWithClock(t, clock)
	ev := ccSubscribe(t, s)
	p := ccSave(t, s, ccApp("edited", idp.TokenURL), testidp.AppClientSecret)
	ccWantActive(t, ccTest(t, s, p.Name))
	p, _ = s.repo.Get(p.ID)

	p.Scope = "api:write"
	saved, err := s.Save(p, credentials.SecretChange{})
	if err != nil {
		t.Fatal(err)
	}
	ev.wait(t, p.ID, EventSaved, 5*time.Second)
	renewed := ev.wait(t, p.ID, EventRenewed, 10*time.Second)
	if got := renewed.Result.Token.Scopes; len(got) != 1 || got[0] != "api:write" {
		t.Fatalf("renewal after edit used scopes %v, want the new api:write", got)
	}
	st, _ := s.Status(saved.Name)
	if !st.Active() || st.Token.Scopes[0] != "api:write" {
		t.Errorf("status after edit: %s %v", st.Status, st.Token)
	}

	// An edit that breaks the profile: the old token is not served any more.
	saved.Scope = testidp.DisallowedScope
	if _, err := s.Save(saved, credentials.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, p.ID, EventFailed, 10*time.Second)
	if _, err := s.Token(context.Background(), p.Name); err == nil {
		t.Error("Token served a token of the old settings")
	}

	if err := s.Delete(p.Name, DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	ev.wait(t, p.ID, EventDeleted, 5*time.Second)
	if n := clock.pending(); n != 0 {
		t.Errorf("%d renewals still scheduled after delete", n)
	}
	idp.Reset(t)
	clock.Advance(time.Hour)
	// Nothing is scheduled (pending is 0 above), so nothing can start; a
	// fetch that did would be counted in wg before its request.
	s.mgr.wg.Wait()
	if n := idp.Stats(t).Token; n != 0 {
		t.Errorf("%d token requests after delete", n)
	}
	if _, err := s.Status(p.Name); err == nil {
		t.Error("Status of a deleted profile succeeded")
	}
}

func TestManagerStatusFromBookkeeping(t *testing.T) {
	s := ccService(t, testenv.NewMemKeyring())
	p := ccSave(t, s, ccApp("recorded", "http://127.0.0.1:1/token"), "x-secret")
	if st, _ := s.Status(p.Name); st.Status != credentials.StatusUntested {
		t.Fatalf("status %s", st.Status)
	}
	past := time.Now().Add(-time.Minute)
	if err := s.repo.Record(p.ID, func(b *credentials.Bookkeeping) {
		b.LastStatus, b.TokenExpiry = credentials.StatusActive, past
	}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Status(p.Name); st.Status != credentials.StatusExpired {
		t.Errorf("recorded Active with a past expiry: %s, want Expired", st.Status)
	}
	_ = s.repo.Record(p.ID, func(b *credentials.Bookkeeping) {
		b.LastStatus, b.LastCategory, b.LastError = credentials.StatusFailed, string(CatScope), "refused"
	})
	st, _ := s.Status(p.Name)
	if st.Status != credentials.StatusFailed || st.Failure == nil || st.Failure.Category != CatScope || st.Failure.Message != "refused" {
		t.Errorf("recorded failure: %+v", st)
	}
}

// TestAll never runs more than the given number of grants at once and
// returns results in name order.
func TestTestAllConcurrencyBound(t *testing.T) {
	var cur, peak, total atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := cur.Add(1)
		defer cur.Add(-1)
		total.Add(1)
		for {
			old := peak.Load()
			if n <= old || peak.CompareAndSwap(old, n) {
				break
			}
		}
		time.Sleep(30 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"t","token_type":"Bearer","expires_in":3600}`))
	}))
	defer srv.Close()
	s := ccService(t, testenv.NewMemKeyring())
	var names []string
	for i := range 24 {
		name := string(rune('z'-i)) + " profile"
		names = append(names, name)
		ccSave(t, s, ccApp(name, srv.URL+"/token"), "x-secret")
	}
	sort.Strings(names)
	for _, c := range []struct{ limit, want int }{{3, 3}, {0, DefaultTestAllConcurrency}} {
		peak.Store(0)
		total.Store(0)
		results, err := s.TestAll(context.Background(), c.limit)
		if err != nil {
			t.Fatal(err)
		}
		if int(total.Load()) != len(names) || len(results) != len(names) {
			t.Fatalf("%d requests, %d results for %d profiles", total.Load(), len(results), len(names))
		}
		if p := int(peak.Load()); p > c.want || p < 2 {
			t.Errorf("limit %d: peak concurrency %d, want 2..%d", c.limit, p, c.want)
		}
		for i, r := range results {
			if r.Name != names[i] || !r.Active() {
				t.Fatalf("result %d: %s %s, want %s Active", i, r.Name, r.Status, names[i])
			}
		}
	}
}

// Close stops renewals, waits for a fetch already sent to the IdP (and
// keeps its token) and leaves no goroutine behind.
func TestManagerCloseLeavesNoGoroutines(t *testing.T) {
	idp := testidp.Shared(t)
	before := runtime.NumGoroutine()
	s := ccService(t, testenv.NewMemKeyring())
	ev := ccSubscribe(t, s)
	for _, name := range []string{"g1", "g2", "g3"} {
		p := ccSave(t, s, ccApp(name, idp.TokenURL), testidp.AppClientSecret)
		ccWantActive(t, ccTest(t, s, p.Name))
	}
	// A fetch the IdP is answering when Close is called is waited for, not
	// abandoned: its token is stored for the next process.
	idp.Reset(t)
	idp.SetTokenFault(t, testidp.Fault{Delay: 2 * time.Second})
	p, _ := s.repo.Get("g1")
	s.mgr.Forget(p.ID)
	_ = s.Tokens.Delete(p.ID)
	go func() { _, _ = s.Token(context.Background(), "g1") }()
	for deadline := time.Now().Add(5 * time.Second); idp.Stats(t).Token == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the fetch did not reach the IdP")
		}
	}
	start := time.Now()
	s.Close()
	if d := time.Since(start); d < time.Second || d > DefaultHTTPTimeout {
		t.Errorf("Close took %v; want it to wait for the answer (2 s), at most the HTTP timeout", d)
	}
	if tok, ok, err := s.Tokens.Load(p.ID); err != nil || !ok || tok.AccessToken == "" {
		t.Errorf("the token the IdP sent while closing was not stored: %v %v", ok, err)
	}
	ev.cancel()
	if _, err := s.Test(context.Background(), "g2"); err != nil {
		t.Fatal(err)
	} else if res, _ := s.Test(context.Background(), "g2"); res.Failure == nil || res.Failure.Category != CatCancelled {
		t.Errorf("Test after Close: %+v", res)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines before, %d after Close:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

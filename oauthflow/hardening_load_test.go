package oauthflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// countingProxy forwards /token/<profile> to the IdP's token endpoint and
// measures how many requests are in flight, in total and per profile.
type countingProxy struct {
	srv      *httptest.Server
	upstream *http.Client
	mu       sync.Mutex
	inFlight int
	peak     int
	perPath  map[string]int
	peakPath int
	total    atomic.Int64
	failed   atomic.Int64
}

func newCountingProxy(t *testing.T, tokenURL string) *countingProxy {
	t.Helper()
	cp := &countingProxy{perPath: map[string]int{}}
	// No keep-alive upstream: a reused connection that node is just closing
	// fails a POST (not retried), an error of the proxy, not of the manager.
	upstream := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	cp.upstream = upstream
	cp.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cp.mu.Lock()
		cp.inFlight++
		cp.peak = max(cp.peak, cp.inFlight)
		cp.perPath[r.URL.Path]++
		cp.peakPath = max(cp.peakPath, cp.perPath[r.URL.Path])
		cp.mu.Unlock()
		done := sync.OnceFunc(func() {
			cp.mu.Lock()
			cp.inFlight--
			cp.perPath[r.URL.Path]--
			cp.mu.Unlock()
		})
		defer done()
		cp.total.Add(1)
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, tokenURL, r.Body)
		req.Header = r.Header.Clone()
		resp, err := upstream.Do(req)
		// Counted out before the client can see the answer, so the count
		// never exceeds what the client has in flight.
		done()
		if err != nil {
			if cp.failed.Add(1) <= 3 {
				t.Logf("proxy: %v", err)
			}
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			cp.failed.Add(1)
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(func() {
		cp.srv.Close()
		upstream.CloseIdleConnections()
	})
	return cp
}

func (cp *countingProxy) peaks() (total, perProfile int) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	return cp.peak, cp.peakPath
}

func (cp *countingProxy) resetPeaks() {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	cp.peak, cp.peakPath = cp.inFlight, 0
}

// TestHardeningLoad runs the token manager with 1,000 Application profiles
// against the real test IdP, whose tokens live 60 s, so every profile is
// renewed every 30 s (renewAfter keeps the last half of a short lifetime as
// margin), for CREDWB_LOAD_SECONDS (default 65: two renewal waves). It checks
// that TestAll keeps its concurrency bound, that no profile ever has two
// fetches in flight, that every status stays Active with a future expiry,
// that no renewal fails, and that Close leaves no goroutine behind.
func TestHardeningLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for about a minute; run without -short")
	}
	const (
		profiles    = 1000
		concurrency = 16
		ttl         = 60 * time.Second
	)
	runFor := 65 * time.Second
	if v, err := time.ParseDuration(os.Getenv("CREDWB_LOAD_SECONDS") + "s"); err == nil && v > 0 {
		runFor = v
	}
	idp := testidp.Start(t, testidp.WithAccessTokenTTL(ttl))
	proxy := newCountingProxy(t, idp.TokenURL)
	kr := testenv.NewMemKeyring() // the keyring is not what is measured here
	s := ccService(t, kr)
	baseline := runtime.NumGoroutine()

	// 1,000 profiles in one write (Import), then their secrets.
	var entries []credentials.ImportEntry
	for i := range profiles {
		p := ccApp(fmt.Sprintf("load %04d", i), fmt.Sprintf("%s/token/%d", proxy.srv.URL, i))
		p.RefreshInterval = credentials.Duration(credentials.MinRefreshInterval)
		p.Normalize()
		entries = append(entries, credentials.ImportEntry{Index: i, Profile: p})
	}
	if _, err := s.repo.Import(entries, false); err != nil {
		t.Fatal(err)
	}
	ps, err := s.repo.List()
	if err != nil || len(ps) != profiles {
		t.Fatalf("%d profiles stored (%v)", len(ps), err)
	}
	for _, p := range ps {
		if err := s.repo.Secrets.Set(p.ID, credentials.ClientSecret, testidp.AppClientSecret); err != nil {
			t.Fatal(err)
		}
	}
	var renewed, failed atomic.Int64
	cancelSub := s.Subscribe(func(ev Event) {
		switch ev.Kind {
		case EventRenewed:
			renewed.Add(1)
		case EventFailed:
			if failed.Add(1) <= 3 && ev.Result != nil {
				t.Logf("renewal of %s failed: %v", ev.Name, ev.Result.Failure)
			}
		}
	})

	// Phase 1: test all, at most `concurrency` at once.
	start := time.Now()
	results, err := s.TestAll(context.Background(), concurrency)
	if err != nil {
		t.Fatal(err)
	}
	testAllTook := time.Since(start)
	peak, _ := proxy.peaks()
	if peak > concurrency {
		t.Errorf("TestAll(%d) had %d token requests in flight", concurrency, peak)
	}
	bad := 0
	for _, r := range results {
		if !r.Active() {
			bad++
			if bad < 5 {
				t.Errorf("%s after TestAll: %s %v", r.Name, r.Status, r.Failure)
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d profiles not Active after TestAll", bad, profiles)
	}
	t.Logf("TestAll of %d profiles at concurrency %d: %v (%.0f grants/s), peak %d in flight",
		profiles, concurrency, testAllTook.Round(time.Millisecond), float64(profiles)/testAllTook.Seconds(), peak)
	proxy.resetPeaks()
	grantsBefore := proxy.total.Load()

	// Phase 2: the manager renews on its own; sample the statuses meanwhile.
	deadline := time.Now().Add(runFor)
	samples, notActive := 0, 0
	var worstLag time.Duration
	for time.Now().Before(deadline) {
		time.Sleep(min(5*time.Second, time.Until(deadline)))
		now := time.Now()
		samples++
		for _, p := range ps {
			st := s.mgr.Status(p)
			if !st.Active() || !st.Expiry.After(now) {
				notActive++
				if notActive < 5 {
					t.Errorf("%s at %v: %s, expiry %v, %v", p.Name, now.Sub(start).Round(time.Second), st.Status, st.Expiry, st.Failure)
				}
				continue
			}
			// A token renewed on time has at least half its life left.
			if lag := ttl - st.Expiry.Sub(now); lag > worstLag {
				worstLag = lag
			}
		}
	}
	grants := proxy.total.Load() - grantsBefore
	_, peakPer := proxy.peaks()
	if notActive > 0 {
		t.Errorf("%d profile statuses were not Active (with a future expiry) in %d samples", notActive, samples)
	}
	if peakPer > 1 {
		t.Errorf("a profile had %d token requests in flight at once (single flight broken)", peakPer)
	}
	if n := failed.Load(); n > 0 || proxy.failed.Load() > 0 {
		t.Errorf("%d renewals failed (%d IdP errors)", n, proxy.failed.Load())
	}
	// Each profile renews every ttl/2 after its TestAll token. Every wave
	// due 10 s before the end must be done (renewal of 1,000 profiles takes
	// seconds: each renewal re-reads the store; the lag is logged below).
	want := int64(profiles) * int64((runFor-10*time.Second)/(ttl/2))
	if renewed.Load() < want {
		t.Errorf("%d renewals in %v, want at least %d", renewed.Load(), runFor, want)
	}
	recorded, err := s.repo.List()
	if err != nil {
		t.Fatalf("the store does not read after the load: %v", err)
	}
	for _, p := range recorded {
		if p.LastStatus != credentials.StatusActive || p.LastCategory != "" {
			t.Errorf("%s recorded as %s %q", p.Name, p.LastStatus, p.LastError)
			break
		}
	}
	t.Logf("renewal for %v: %d renewals (%d token requests, %.0f/s), %d failed, %d status samples of %d profiles, "+
		"worst token age at a sample %v of %v, peak per profile %d",
		runFor, renewed.Load(), grants, float64(grants)/runFor.Seconds(), failed.Load(), samples, profiles,
		worstLag.Round(time.Millisecond), ttl, peakPer)

	// Phase 3: Close stops everything.
	cancelSub()
	closeStart := time.Now()
	s.Close()
	closeTook := time.Since(closeStart)
	if closeTook > 5*time.Second {
		t.Errorf("Close took %v", closeTook)
	}
	after := proxy.total.Load()
	// Only a fetch sends a token request: Close has waited for those in
	// flight and stopped the renewals, and refuses new ones.
	for _, p := range ps {
		if _, err := s.mgr.start(p, EventRenewed, fetchNeed); !errors.Is(err, ErrClosed) {
			t.Fatalf("a fetch could start after Close: %v", err)
		}
	}
	if n := proxy.total.Load() - after; n > 0 {
		t.Errorf("%d token requests after Close", n)
	}
	proxy.upstream.CloseIdleConnections() // the proxy's own connections are not the service's
	var n int
	for wait := time.Now().Add(10 * time.Second); time.Now().Before(wait); time.Sleep(50 * time.Millisecond) {
		if n = runtime.NumGoroutine(); n <= baseline {
			break
		}
	}
	if n > baseline {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		t.Fatalf("%d goroutines before the service had work, %d after Close:\n%s", baseline, n, firstStacks(stacks, 20))
	}
	t.Logf("Close took %v; goroutines: %d at baseline, %d after Close", closeTook.Round(time.Millisecond), baseline, n)
}

// firstStacks keeps the first n goroutine stacks of a dump.
func firstStacks(dump string, n int) string {
	parts := strings.SplitN(dump, "\n\n", n+1)
	return strings.Join(parts[:min(n, len(parts))], "\n\n")
}

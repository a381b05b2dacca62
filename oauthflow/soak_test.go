package oauthflow

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// TestSoakWeekOfRenewals keeps profiles renewed every 5 minutes for a
// simulated week on an injected clock (seconds of real time) and checks
// that the heap after the week is within 5 % of the heap after the first
// simulated hour, and that Close leaves no goroutine behind.
//
// The token endpoint is an in-process server answering every grant with a
// one-hour opaque token: a week of renewals is 2,016 waves, which the
// node test IdP could not answer in seconds, and what is measured is this
// process's memory. CREDWB_SOAK_PROFILES (default 20) and CREDWB_SOAK_HOURS
// (default 168) scale it; make bench runs 1,000 profiles for a simulated day.
func TestSoakWeekOfRenewals(t *testing.T) {
	profiles, hours := 20, 168
	if v, err := strconv.Atoi(os.Getenv("CREDWB_SOAK_PROFILES")); err == nil && v > 0 {
		profiles = v
	}
	if v, err := strconv.Atoi(os.Getenv("CREDWB_SOAK_HOURS")); err == nil && v > 1 {
		hours = v
	}
	if testing.Short() {
		hours = 4
	}
	var grants atomic.Int64
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ParseForm() != nil || r.PostForm.Get("grant_type") != "client_credentials" {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		n := grants.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"opaque-%d","token_type":"Bearer","expires_in":3600}`, n)
	}))
	t.Cleanup(idp.Close)

	baseline := runtime.NumGoroutine()
	clock := newCCFakeClock()
	s := ccService(t, testenv.NewMemKeyring())
	s.Clock = clock
	var renewed atomic.Int64
	cancelSub := s.Subscribe(func(ev Event) {
		if ev.Kind == EventRenewed {
			renewed.Add(1)
		}
	})
	ps := importApps(t, s, profiles, idp.URL+"/token")
	rs, err := s.TestAll(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if !r.Active() {
			t.Fatalf("%s: %s %v", r.Name, r.Status, r.Failure)
		}
	}
	if ps[0].RefreshInterval.D() != 5*time.Minute {
		t.Fatalf("refresh interval %v, want 5m", ps[0].RefreshInterval.D())
	}

	// One wave: move the clock to the next renewal and wait until every
	// profile has renewed (polling the count; the bound is a hang guard).
	wave := func(i int) {
		want := renewed.Load() + int64(profiles)
		clock.Advance(5 * time.Minute)
		for deadline := time.Now().Add(time.Minute); renewed.Load() < want; {
			if time.Now().After(deadline) {
				t.Fatalf("wave %d: %d of %d profiles renewed", i, renewed.Load()-want+int64(profiles), profiles)
			}
			time.Sleep(time.Millisecond)
		}
	}
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	waves := hours * 12
	for i := range 12 {
		wave(i)
	}
	firstHour := heap()
	for i := 12; i < waves; i++ {
		wave(i)
	}
	end := heap()
	t.Logf("%d profiles, %d simulated hours: %d renewals, %d grants; heap after the first hour %d KiB, at the end %d KiB (%+.1f %%)",
		profiles, hours, renewed.Load(), grants.Load(), firstHour>>10, end>>10, 100*(float64(end)/float64(firstHour)-1))
	if end > firstHour+firstHour/20 {
		t.Errorf("heap grew from %d KiB after the first hour to %d KiB after %d hours (more than 5 %%)", firstHour>>10, end>>10, hours)
	}
	for _, p := range ps {
		if st := s.mgr.Status(p); !st.Active() {
			t.Fatalf("%s at the end: %s %v", p.Name, st.Status, st.Failure)
		}
	}

	cancelSub()
	s.Close()
	idp.CloseClientConnections()
	idp.Close()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	// Goroutines end asynchronously (connection readers): poll, no timing.
	var n int
	for range 500 {
		if n = runtime.NumGoroutine(); n <= baseline {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	t.Fatalf("%d goroutines after Close, %d before the service started:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
}

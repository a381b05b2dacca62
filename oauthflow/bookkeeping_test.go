package oauthflow

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// importApps stores n Application profiles of the test IdP in one write,
// with their secrets.
func importApps(t testing.TB, s *Service, n int, tokenURL string) []credentials.Profile {
	t.Helper()
	entries := make([]credentials.ImportEntry, 0, n)
	for i := range n {
		p := ccApp(fmt.Sprintf("bulk %04d", i), tokenURL)
		p.Normalize()
		entries = append(entries, credentials.ImportEntry{Index: i, Profile: p})
	}
	if _, err := s.repo.Import(entries, false); err != nil {
		t.Fatal(err)
	}
	ps, err := s.repo.List()
	if err != nil || len(ps) != n {
		t.Fatalf("%d profiles stored (%v)", len(ps), err)
	}
	for _, p := range ps {
		if err := s.repo.Secrets.Set(p.ID, credentials.ClientSecret, testidp.AppClientSecret); err != nil {
			t.Fatal(err)
		}
	}
	return ps
}

// Opening the workbench brings every profile live (BringLive): like "Test
// all", its outcomes go to the state file in a few batches, not one write
// per profile (which every watching process would then re-read), and each
// outcome is still published as an event.
func TestBringLiveWritesStateInBatches(t *testing.T) {
	idp := testidp.Shared(t)
	s := ccService(t, testenv.NewMemKeyring())
	const n = 300
	importApps(t, s, n, idp.TokenURL)
	var mu sync.Mutex
	tested := map[string]bool{}
	defer s.Subscribe(func(ev Event) {
		if ev.Kind == EventTested && ev.Result != nil && ev.Result.Active() {
			mu.Lock()
			tested[ev.ProfileID] = true
			mu.Unlock()
		}
	})()
	writes := s.repo.Store.StateWrites()
	rs := s.BringLive(context.Background(), LiveOptions{TestApplications: true})
	if len(rs) != n {
		t.Fatalf("%d results, want %d", len(rs), n)
	}
	for _, r := range rs {
		if !r.Active() || len(r.Warnings) > 0 {
			t.Fatalf("%s: %s %v %v", r.Name, r.Status, r.Failure, r.Warnings)
		}
	}
	if w := s.repo.Store.StateWrites() - writes; w > 20 || w == 0 {
		t.Fatalf("bringing %d profiles live wrote the state file %d times, want 1..20", n, w)
	}
	// Events reach subscribers on their own goroutine, a moment later.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		got := len(tested)
		mu.Unlock()
		if got == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d profiles published as tested, want %d", got, n)
		}
	}
	ps, err := credentials.NewStore(s.repo.Store.Path()).List()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.LastStatus != credentials.StatusActive || p.LastChecked.IsZero() {
			t.Fatalf("%s recorded as %+v", p.Name, p.Bookkeeping)
		}
	}
}

// "Test all" over 1,000 profiles writes the state file at most 20 times,
// never the profile file, and every result is in the file when it returns
// (another Store, as another process, reads them).
func TestTestAllWritesStateInBatches(t *testing.T) {
	idp := testidp.Shared(t)
	s := ccService(t, testenv.NewMemKeyring())
	const n = 1000
	importApps(t, s, n, idp.TokenURL)
	before, err := os.Stat(s.repo.Store.Path())
	if err != nil {
		t.Fatal(err)
	}
	writes := s.repo.Store.StateWrites()
	rs, err := s.TestAll(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if !r.Active() || len(r.Warnings) > 0 {
			t.Fatalf("%s: %s %v %v", r.Name, r.Status, r.Failure, r.Warnings)
		}
	}
	if w := s.repo.Store.StateWrites() - writes; w > 20 || w == 0 {
		t.Fatalf("Test all over %d profiles wrote the state file %d times, want 1..20", n, w)
	}
	after, err := os.Stat(s.repo.Store.Path())
	if err != nil || !os.SameFile(before, after) || !before.ModTime().Equal(after.ModTime()) {
		t.Fatal("Test all rewrote the profile file")
	}
	ps, err := credentials.NewStore(s.repo.Store.Path()).List()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.LastStatus != credentials.StatusActive || p.LastChecked.IsZero() || p.TokenExpiry.IsZero() {
			t.Fatalf("%s recorded as %+v", p.Name, p.Bookkeeping)
		}
	}
}

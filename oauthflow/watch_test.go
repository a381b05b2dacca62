package oauthflow

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/credentials/credtest"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// Another process's changes to the profile file arrive as events within
// two seconds: an added, renamed, re-tested, logged-out and deleted profile.
func TestWatchPublishesOtherProcessChanges(t *testing.T) {
	wb, cli := twoProcesses(t)
	events := make(chan Event, 100)
	cancel := wb.Subscribe(func(e Event) { events <- e })
	defer cancel()
	stop, err := wb.Watch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	want := func(kind EventKind, name string) Event {
		t.Helper()
		return waitEvent(t, events, func(e Event) bool { return e.Kind == kind && e.Name == name }, fmt.Sprintf("%q event for %q", kind, name))
	}
	p, err := cli.Save(credentials.Profile{Name: "portal", Type: credentials.TypeUser, AuthURL: "https://idp.example/auth",
		TokenURL: "https://idp.example/token", ClientID: "c"}, credentials.SecretChange{})
	if err != nil {
		t.Fatal(err)
	}
	want(EventSaved, "portal")

	// A login recorded elsewhere, then a logout.
	now := time.Now().UTC()
	if err := cli.repo.Record(p.ID, func(b *credentials.Bookkeeping) {
		b.LastStatus, b.LastChecked, b.LoggedInAs, b.LoginAt, b.TokenExpiry = credentials.StatusActive, now, "alice", now, now.Add(time.Hour)
	}); err != nil {
		t.Fatal(err)
	}
	if e := want(EventLoggedIn, "portal"); e.Result == nil || !e.Result.Active() {
		t.Fatalf("login event without an Active result: %+v", e)
	} else if e.Result.Token == nil || e.Result.Token.Username != "alice" {
		t.Fatalf("a login elsewhere must say who logged in (the window shows Active (alice)): %+v", e.Result.Token)
	}
	if err := cli.repo.Record(p.ID, func(b *credentials.Bookkeeping) {
		b.LastStatus, b.LastChecked, b.LoggedInAs, b.LoginAt = credentials.StatusLoggedOut, time.Now().UTC(), "", time.Time{}
	}); err != nil {
		t.Fatal(err)
	}
	if e := want(EventLoggedOut, "portal"); e.Result == nil || e.Result.Status != credentials.StatusLoggedOut {
		t.Fatalf("logout event: %+v", e)
	}
	if st, _ := wb.Status("portal"); st.Status != credentials.StatusLoggedOut {
		t.Fatalf("status %s after a logout elsewhere", st.Status)
	}
	p, _ = cli.repo.Get(p.ID)
	p.Name = "portal 2"
	if _, err := cli.Save(p, credentials.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	want(EventSaved, "portal 2")
	if err := cli.Delete("portal 2", DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	want(EventDeleted, "portal 2")
}

// This process's own test result, written to the state file, is not
// announced a second time by the watcher (it was published when recorded).
func TestWatchDoesNotRepeatOwnResults(t *testing.T) {
	idp := testidp.Shared(t)
	s := ccService(t, testenv.NewMemKeyring())
	importApps(t, s, 3, idp.TokenURL)
	var mu sync.Mutex
	tested := map[string]int{}
	defer s.Subscribe(func(e Event) {
		if e.Kind == EventTested {
			mu.Lock()
			tested[e.Name]++
			mu.Unlock()
		}
	})()
	stop, err := s.Watch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if _, err := s.TestAll(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	settled(t, s)
	mu.Lock()
	defer mu.Unlock()
	if len(tested) != 3 {
		t.Fatalf("tested events for %d profiles, want 3: %v", len(tested), tested)
	}
	for name, n := range tested {
		if n != 1 {
			t.Errorf("%s: %d tested events, want 1", name, n)
		}
	}
}

// settled waits until each service's watcher has made a pass that began
// after this call (so after the caller's write) and every subscriber has
// its events: what a watcher would announce has been announced.
func settled(t *testing.T, ss ...*Service) {
	t.Helper()
	marks := make([]uint64, len(ss))
	for i, s := range ss {
		marks[i] = s.passes.started.Load()
	}
	deadline := time.Now().Add(15 * time.Second)
	for i, s := range ss {
		for s.passes.finished.Load() <= marks[i] || s.events.pending.Load() > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the watcher made no pass (passes %d/%d, %d events pending)",
					s.passes.started.Load(), s.passes.finished.Load(), s.events.pending.Load())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// twoProcesses is the workbench and credctl: two services on one profile
// directory and one keyring, as two processes of the user run them.
func twoProcesses(t *testing.T) (wb, cli *Service) {
	t.Helper()
	dir := t.TempDir()
	kr := testenv.NewMemKeyring()
	newSvc := func() *Service {
		repo := credtest.Repository(t, kr, credtest.InDir(filepath.Join(dir, "credworkbench")))
		s := NewService(repo, nil, nil)
		t.Cleanup(s.Close)
		return s
	}
	return newSvc(), newSvc()
}

// waitEvent returns the first event on events that matches, failing the
// test when none comes within two seconds (what follows another process
// promises).
func waitEvent(t *testing.T, events <-chan Event, match func(Event) bool, what string) Event {
	t.Helper()
	deadline := time.After(2 * time.Second)
	for {
		select {
		case e := <-events:
			if match(e) {
				return e
			}
		case <-deadline:
			t.Fatalf("no %s within 2 s", what)
		}
	}
}

package oauthflow

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/credentials/credtest"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// The log says what happened to which profile, with the failure category,
// and never the secret or the token.
func TestEventLogNamesOutcomeWithoutSecrets(t *testing.T) {
	idp := testidp.Shared(t)
	s := ccService(t, testenv.NewMemKeyring())
	var buf testenv.LockedBuffer
	s.Log = slog.New(slog.NewTextHandler(&buf, nil))

	ccSave(t, s, ccApp("good", idp.TokenURL), testidp.AppClientSecret)
	ccSave(t, s, ccApp("bad", idp.TokenURL), "LOGCANARY-wrong-secret")
	good := ccTest(t, s, "good")
	ccWantActive(t, good)
	ccWantFailed(t, ccTest(t, s, "bad"), CatCredentials)
	tok, err := s.Token(t.Context(), "good")
	if err != nil {
		t.Fatal(err)
	}

	out := buf.String()
	for _, want := range []string{`profile=good event=tested status=Active`, `profile=bad event=failed status=Failed`, `category=credentials`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{testidp.AppClientSecret, "LOGCANARY", tok.AccessToken} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds a secret or token %.12q…:\n%s", secret, out)
		}
	}
}

// Both front ends write the one log file: what the workbench's watcher sees
// another process (credctl) do is announced to its window but not logged
// again, so the Logs view shows each event once; the start of a test is not
// logged at Info (its outcome is).
func TestSeenEventsAreNotLoggedTwice(t *testing.T) {
	dir := t.TempDir()
	kr := testenv.NewMemKeyring()
	var shared testenv.LockedBuffer // the one log both processes append to
	newSvc := func(app string) *Service {
		repo := credtest.Repository(t, kr, credtest.InDir(filepath.Join(dir, "credworkbench")))
		s := NewService(repo, nil, nil)
		s.Log = slog.New(slog.NewTextHandler(&shared, nil)).With("app", app)
		t.Cleanup(s.Close)
		return s
	}
	wb, cli := newSvc("credworkbench"), newSvc("credctl")
	events := make(chan Event, 100)
	cancel := wb.Subscribe(func(e Event) { events <- e })
	defer cancel()
	stop, err := wb.Watch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	p, err := cli.Save(credentials.Profile{Name: "portal", Type: credentials.TypeApplication,
		TokenURL: "http://127.0.0.1:1/token", ClientID: "c"}, credentials.SecretChange{ClientSecret: credentials.Secret("LOGCANARY-seen")})
	if err != nil {
		t.Fatal(err)
	}
	waitFor := func(kind EventKind) {
		t.Helper()
		deadline := time.After(3 * time.Second)
		for {
			select {
			case e := <-events:
				if e.Kind == kind && e.Name == "portal" {
					return
				}
			case <-deadline:
				t.Fatalf("the watcher announced no %q of portal", kind)
			}
		}
	}
	waitFor(EventSaved)
	now := time.Now().UTC()
	if err := cli.repo.Record(p.ID, func(b *credentials.Bookkeeping) {
		b.LastStatus, b.LastChecked = credentials.StatusActive, now
	}); err != nil {
		t.Fatal(err)
	}
	waitFor(EventTested)
	out := shared.String()
	if n := strings.Count(out, "msg=\"profile saved\""); n != 1 {
		t.Errorf("the save is logged %d times, want once (by the process that saved):\n%s", n, out)
	}
	if strings.Contains(out, "app=credworkbench") {
		t.Errorf("the workbench logged what it only saw credctl do:\n%s", out)
	}
	if strings.Contains(out, "event=testing") {
		t.Errorf("the start of a test is logged at Info:\n%s", out)
	}
}

// A login or test the user cancelled is logged at Info, not as a warning:
// nothing went wrong.
func TestCancelledIsNotAWarning(t *testing.T) {
	var buf testenv.LockedBuffer
	s := &Service{Log: slog.New(slog.NewTextHandler(&buf, nil))}
	logEvent(s.Log, Event{Name: "portal", Kind: EventFailed, Result: &Result{Status: credentials.StatusFailed,
		Failure: &Failure{Category: CatCancelled, Message: "The login was cancelled."}}})
	if out := buf.String(); !strings.Contains(out, "level=INFO") || strings.Contains(out, "level=WARN") {
		t.Errorf("a cancelled login logged as %q", out)
	}
}

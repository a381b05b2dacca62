package oauthflow

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/credentials/credtest"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// eventLines records a service's events as "kind name" lines, without the
// progress ones (EventTesting), as the event history shows them.
type eventLines struct {
	mu    sync.Mutex
	lines []string
}

func recordLines(t *testing.T, s *Service) *eventLines {
	l := &eventLines{}
	t.Cleanup(s.Subscribe(func(e Event) {
		if e.Kind == EventTesting {
			return
		}
		l.mu.Lock()
		l.lines = append(l.lines, string(e.Kind)+" "+e.Name)
		l.mu.Unlock()
	}))
	return l
}

// take returns the lines since the last take.
func (l *eventLines) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.lines
	l.lines = nil
	return out
}

// One operation is one event, in the process that did it (which watches
// the store too, as the workbench does) and in a second process watching
// the same store (#24.6).
func TestEachOperationIsOneEvent(t *testing.T) {
	idp := testidp.Start(t, testidp.WithClientSecrets(testidp.AppClientID, testidp.AppClientSecret, "rotated-secret"))
	dir := t.TempDir()
	kr := testenv.NewMemKeyring()
	newSvc := func() *Service {
		repo := credtest.Repository(t, kr, credtest.InDir(filepath.Join(dir, "credworkbench")))
		s := NewService(repo, nil, nil)
		s.Tokens = NewKeyringTokenStore(repo.Secrets, filepath.Join(dir, "tokens"))
		t.Cleanup(s.Close)
		stop, err := s.Watch(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(stop)
		return s
	}
	pub, other := newSvc(), newSvc()
	pubLines, otherLines := recordLines(t, pub), recordLines(t, other)
	ctx := context.Background()

	step := func(what string, want string, op func() error) {
		t.Helper()
		if err := op(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		settled(t, pub, other)
		for who, l := range map[string]*eventLines{"the publishing process": pubLines, "a watching process": otherLines} {
			if got := l.take(); !slices.Equal(got, []string{want}) {
				t.Errorf("%s: %s saw %q, want exactly [%s]", what, who, got, want)
			}
		}
	}
	var p credentials.Profile
	step("add", "saved api", func() (err error) {
		p, err = pub.Save(ccApp("api", idp.TokenURL), credentials.SecretChange{ClientSecret: credentials.Secret(testidp.AppClientSecret)})
		return err
	})
	step("edit", "saved api", func() (err error) {
		p.Scope = "api:read api:write"
		p, err = pub.Save(p, credentials.SecretChange{})
		return err
	})
	step("a failing test", "failed api", func() error {
		idp.SetTokenFault(t, testidp.Fault{Status: http.StatusServiceUnavailable, Count: 1})
		res, err := pub.Test(ctx, "api")
		if err == nil && res.Active() {
			err = fmt.Errorf("the test passed: %+v", res)
		}
		return err
	})
	step("a test", "tested api", func() error {
		res, err := pub.Test(ctx, "api")
		if err == nil && !res.Active() {
			err = fmt.Errorf("the test failed: %+v", res.Failure)
		}
		return err
	})
	step("a rotation", "secret rotated api", func() error {
		_, err := pub.RotateSecret(ctx, "api", "rotated-secret", RotateOptions{})
		return err
	})
	step("delete", "deleted api", func() error { return pub.Delete("api", DeleteOptions{}) })
}

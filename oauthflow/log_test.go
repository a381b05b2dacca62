package oauthflow

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// lockedBuffer lets the logger write from the manager's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The log says what happened to which profile, with the failure category,
// and never the secret or the token.
func TestEventLogNamesOutcomeWithoutSecrets(t *testing.T) {
	idp := testidp.Start(t)
	s := ccService(t, testenv.NewMemKeyring())
	var buf lockedBuffer
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

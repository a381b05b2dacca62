package oauthflow

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// Rotation against an IdP that accepts two secrets during the change-over.
func TestRotateSecret(t *testing.T) {
	idp := testidp.Start(t, testidp.WithClientSecrets(testidp.AppClientID, "old-secret", "new-secret"))
	var s *Service
	if ccRealKeyring(t) {
		s = ccService(t, nil)
	} else {
		s = ccService(t, testenv.NewMemKeyring())
	}
	ev := ccSubscribe(t, s)
	p := ccSave(t, s, ccApp("rotating", idp.TokenURL), "old-secret")
	ccWantActive(t, ccTest(t, s, p.Name))

	t.Run("failure keeps the old secret", func(t *testing.T) {
		idp.Reset(t)
		res, err := s.RotateSecret(context.Background(), p.Name, "typo-secret", RotateOptions{})
		var re *RotateError
		if !errors.As(err, &re) || re.Step != RotateStepTest {
			t.Fatalf("error %v, want a RotateError at the test step", err)
		}
		f, ok := AsFailure(err)
		if !ok || f.Category != CatCredentials || res.Status != credentials.StatusFailed {
			t.Fatalf("failure %+v, result %s", f, res.Status)
		}
		if !strings.Contains(err.Error(), "old secret stays in use") || strings.Contains(err.Error(), "typo-secret") {
			t.Errorf("message %q", err)
		}
		if got, _ := s.repo.Secrets.Get(p.ID, credentials.ClientSecret); got != "old-secret" {
			t.Fatalf("stored secret changed to %q", got)
		}
		stored, _ := s.repo.Get(p.ID)
		if !stored.SecretRotatedAt.IsZero() || stored.LastStatus != credentials.StatusActive {
			t.Errorf("bookkeeping after a failed rotation: %+v", stored.Bookkeeping)
		}
		if idp.Stats(t).TokenErrors["invalid_client"] != 1 {
			t.Errorf("the new secret was not tried at the IdP: %+v", idp.Stats(t))
		}
	})
	t.Run("success stores the new secret", func(t *testing.T) {
		res, err := s.RotateSecret(context.Background(), p.Name, "new-secret", RotateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ccWantActive(t, res)
		if got, _ := s.repo.Secrets.Get(p.ID, credentials.ClientSecret); got != "new-secret" {
			t.Fatalf("stored secret %q", got)
		}
		stored, _ := s.repo.Get(p.ID)
		if stored.SecretRotatedAt.IsZero() || stored.LastStatus != credentials.StatusActive {
			t.Errorf("bookkeeping %+v", stored.Bookkeeping)
		}
		ev.wait(t, p.ID, EventRotated, 5e9)
		ccWantActive(t, ccTest(t, s, p.Name))
	})
	t.Run("empty secret", func(t *testing.T) {
		_, err := s.RotateSecret(context.Background(), p.Name, "  ", RotateOptions{})
		var re *RotateError
		if !errors.As(err, &re) || re.Step != RotateStepCheck {
			t.Fatalf("error %v", err)
		}
	})
}

package idpadmin_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/internal/testmgmt"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// ratStore is the keyring's part: the registration access token, rotated.
type ratStore struct {
	mu    sync.Mutex
	token string
	saved int
}

func (s *ratStore) conn(idp *testidp.IdP, uri string) idpadmin.Conn {
	return idpadmin.Conn{
		Kind: idpadmin.RFC7592, BaseURL: uri, Client: idp.HTTPClient(),
		Token: func(context.Context) (string, string, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			return "Bearer", s.token, nil
		},
		SaveRegistrationToken: func(_ context.Context, tok string) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.token, s.saved = tok, s.saved+1
			return nil
		},
	}
}

// oidc-provider keeps the secret on an RFC 7592 update: Mint says so, and
// everything else the standard supports works (read, expiry, identify,
// registration access token rotation).
func TestRFC7592KeepsSecret(t *testing.T) {
	idp := testidp.Start(t, testidp.WithManagement(testidp.Management{SecretTTL: 48 * time.Hour}))
	reg := idp.RegisterClient(t, map[string]any{"client_name": "Registered"})
	store := &ratStore{token: reg.RegistrationAccessToken}
	c, err := idpadmin.New(store.conn(idp, reg.RegistrationClientURI))
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	a, err := c.FindApp(ctx, reg.ClientID)
	if err != nil || a.Name != "Registered" {
		t.Fatalf("FindApp = %+v, %v", a, err)
	}
	creds, err := c.Credentials(ctx, a)
	if err != nil || len(creds) != 1 || time.Until(creds[0].Expires) < 47*time.Hour || time.Until(creds[0].Expires) > 49*time.Hour {
		t.Fatalf("Credentials = %+v, %v (want client_secret_expires_at in 48h)", creds, err)
	}
	if key, err := c.Identify(ctx, a, reg.ClientSecret); err != nil || key != creds[0].KeyID {
		t.Fatalf("Identify = %q, %v", key, err)
	}
	if _, err := c.Identify(ctx, a, "not-the-secret"); !isCode(err, idpadmin.CodeUnidentified) {
		t.Fatalf("Identify(wrong) = %v", err)
	}
	_, err = c.Mint(ctx, a, idpadmin.MintOptions{})
	if !isCode(err, idpadmin.CodeSecretKept) {
		t.Fatalf("Mint = %v, want %s", err, idpadmin.CodeSecretKept)
	}
	if store.saved != 1 || store.token == reg.RegistrationAccessToken {
		t.Fatalf("the rotated registration access token was not saved (%d saves)", store.saved)
	}
	if !testmgmt.Accepts(t, idp, reg.ClientID, reg.ClientSecret) {
		t.Fatal("the kept secret no longer works")
	}
	// The old registration access token is gone; a fresh client with the
	// saved one works.
	old := &ratStore{token: reg.RegistrationAccessToken}
	oc, _ := idpadmin.New(old.conn(idp, reg.RegistrationClientURI))
	var e *idpadmin.Error
	if _, err := oc.FindApp(ctx, reg.ClientID); !errors.As(err, &e) || e.Status != 401 || e.Advice == "" {
		t.Fatalf("old registration access token: %v", err)
	}
	nc, _ := idpadmin.New(store.conn(idp, reg.RegistrationClientURI))
	if _, err := nc.FindApp(ctx, reg.ClientID); err != nil {
		t.Fatalf("saved registration access token: %v", err)
	}
}

// An IdP that issues a new secret on update (the harness switch): the
// standard rotation path.
func TestRFC7592IssuesNewSecret(t *testing.T) {
	idp := testidp.Start(t, testidp.WithManagement(testidp.Management{}))
	reg := idp.RegisterClient(t, nil)
	idp.SetIssueSecretOnUpdate(t, true)
	store := &ratStore{token: reg.RegistrationAccessToken}
	c, _ := idpadmin.New(store.conn(idp, reg.RegistrationClientURI))
	ctx := ctxT(t)
	a, err := c.FindApp(ctx, reg.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	oldKey, err := c.Identify(ctx, a, reg.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Mint(ctx, a, idpadmin.MintOptions{})
	if err != nil || m.Value == "" || m.Value == reg.ClientSecret || m.KeyID == oldKey {
		t.Fatalf("Mint = %v, %v", m, err)
	}
	if !c.Limits().MintReplacesOld || !testmgmt.Accepts(t, idp, reg.ClientID, m.Value) || testmgmt.Accepts(t, idp, reg.ClientID, reg.ClientSecret) {
		t.Fatal("after the update the new secret must work and the old one not")
	}
	if err := c.Revoke(ctx, a, oldKey); err != nil {
		t.Fatalf("Revoke(old, already replaced) = %v", err)
	}
	if err := c.Revoke(ctx, a, m.KeyID); !isCode(err, idpadmin.CodeUnsupported) {
		t.Fatalf("Revoke(current) = %v", err)
	}
	if store.saved != 1 {
		t.Fatalf("registration access token saves = %d, want 1", store.saved)
	}
}

// A rotated registration access token that cannot be kept: the new secret
// is still returned (it is the only one that works) with the error.
func TestRFC7592TokenNotSaved(t *testing.T) {
	idp := testidp.Start(t, testidp.WithManagement(testidp.Management{IssueSecretOnUpdate: true}))
	reg := idp.RegisterClient(t, nil)
	store := &ratStore{token: reg.RegistrationAccessToken}
	conn := store.conn(idp, reg.RegistrationClientURI)
	conn.SaveRegistrationToken = func(context.Context, string) error { return errors.New("keyring locked") }
	c, _ := idpadmin.New(conn)
	ctx := ctxT(t)
	a, _ := c.FindApp(ctx, reg.ClientID)
	m, err := c.Mint(ctx, a, idpadmin.MintOptions{})
	if !isCode(err, "token_not_saved") || m.Value == "" || !testmgmt.Accepts(t, idp, reg.ClientID, m.Value) {
		t.Fatalf("Mint = %v, %v", m, err)
	}
}

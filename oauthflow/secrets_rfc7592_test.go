package oauthflow

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/internal/testmgmt"
)

// refusingRegistrationToken is an in-memory keyring whose writes of the
// registration access token fail once armed (failure injection: a keyring
// that refuses one write).
type refusingRegistrationToken struct {
	*testenv.MemKeyring
	armed atomic.Bool
}

func (k *refusingRegistrationToken) Set(service, user, secret string) error {
	if k.armed.Load() && strings.HasSuffix(user, "/"+string(credentials.RegistrationToken)) {
		return errors.New("the keyring refused the write")
	}
	return k.MemKeyring.Set(service, user, secret)
}

// An RFC 7592 IdP that issues a new secret on update also rotates the
// registration access token; when that token cannot be kept, the new secret
// (the only one that works now) must still be kept and switched to.
func TestRotateAtIdPRFC7592KeepsSecretWhenTokenCannotBeKept(t *testing.T) {
	idp := testidp.Start(t, testidp.WithManagement(testidp.Management{IssueSecretOnUpdate: true}))
	reg := idp.RegisterClient(t, nil)
	kr := &refusingRegistrationToken{MemKeyring: testenv.NewMemKeyring()}
	s := ccService(t, kr)
	p := ccSave(t, s, credentials.Profile{Name: "registered", Type: credentials.TypeApplication, TokenURL: idp.TokenURL,
		ClientID: reg.ClientID, ManagementAPI: "rfc7592", RegistrationClientURI: reg.RegistrationClientURI,
		RefreshInterval: credentials.Duration(5 * time.Minute)}, reg.ClientSecret)
	if err := s.Secrets().SetManagementToken(p.ID, credentials.RegistrationToken, reg.RegistrationAccessToken); err != nil {
		t.Fatal(err)
	}
	kr.armed.Store(true)
	newSecretDelay = 50 * time.Millisecond

	r, err := s.Secrets().RotateAtIdP(context.Background(), p.Name, AtIdPOptions{})
	if err != nil || !r.OK() || !r.Did(StepSwitch) {
		t.Fatalf("rotation: %v %v %v %q", err, r.Failed, r.Failure, r.Left)
	}
	if len(r.Warnings) == 0 || !strings.Contains(r.Warnings[0], "registration access token") {
		t.Fatalf("warnings = %q, want the registration token named", r.Warnings)
	}
	secret := lcSecret(t, s, p.ID, credentials.ClientSecret)
	if secret == reg.ClientSecret || !testmgmt.Accepts(t, idp, reg.ClientID, secret) {
		t.Fatal("the profile does not hold the new, working secret")
	}
}

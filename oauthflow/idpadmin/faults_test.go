package idpadmin_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/internal/testmgmt"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// A read-only management client is refused a mint with each API's real
// error body, and the error says which right to grant.
func TestMintDeniedWithoutTheRight(t *testing.T) {
	for _, tc := range []struct {
		kind   idpadmin.Kind
		code   string
		advice string
	}{
		{idpadmin.Entra, "Authorization_RequestDenied", "Application.ReadWrite.OwnedBy"},
		{idpadmin.Okta, "E0000006", "okta.apps.manage"},
		{idpadmin.Keycloak, "HTTP 403 Forbidden", "manage-clients"},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			idp, srv, _ := startHarness(t, tc.kind)
			c, _ := idpadmin.New(srv.ConnAs(tc.kind, testidp.AuditorClientID, testidp.AuditorClientSecret, "okta.apps.read"))
			ctx := ctxT(t)
			a, err := c.FindApp(ctx, testidp.AppClientID) // reading is allowed
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Mint(ctx, a, idpadmin.MintOptions{})
			var e *idpadmin.Error
			if !errors.As(err, &e) || e.Op != "mint" || e.Status != 403 || e.Code != tc.code || !strings.Contains(e.Advice, tc.advice) || !idpadmin.IsDenied(err) {
				t.Fatalf("Mint as auditor = %#v", err)
			}
			if got, _ := idp.ClientSecrets(testidp.AppClientID); len(got) != 1 {
				t.Fatalf("a refused mint changed the IdP: %d secrets", len(got))
			}
		})
	}
}

// Injected faults at each step: the IdP's denial body, a server error,
// a slow answer that outlasts the caller's deadline.
func TestFaultsAtEachStep(t *testing.T) {
	for _, kind := range []idpadmin.Kind{idpadmin.Entra, idpadmin.Okta, idpadmin.Keycloak} {
		t.Run(string(kind), func(t *testing.T) {
			idp, srv, c := startHarness(t, kind)
			ctx := ctxT(t)
			a, err := c.FindApp(ctx, testidp.AppClientID)
			if err != nil {
				t.Fatal(err)
			}
			srv.SetFault(kind, testmgmt.OpMint, testmgmt.Fault{Deny: true, Count: 1})
			if _, err := c.Mint(ctx, a, idpadmin.MintOptions{}); !idpadmin.IsDenied(err) {
				t.Fatalf("denied mint = %v", err)
			}
			if got := srv.Secrets(kind, testidp.AppClientID); len(got) != 1 || !got[0].Active {
				t.Fatalf("after a denied mint the harness holds %+v", got)
			}
			srv.SetFault(kind, testmgmt.OpCredentials, testmgmt.Fault{Status: 503, Count: 1})
			var e *idpadmin.Error
			if _, err := c.Credentials(ctx, a); !errors.As(err, &e) || e.Status != 503 || e.Op != "credentials" {
				t.Fatalf("credentials with 503 = %v", err)
			}
			srv.SetFault(kind, testmgmt.OpList, testmgmt.Fault{Delay: 2 * time.Second, Count: 1})
			short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			defer cancel()
			if _, err := c.Apps(short); !errors.As(err, &e) || e.Code != idpadmin.CodeNetwork || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("slow list = %v", err)
			}
			// The mint goes through once the faults are used up; a revoke fault leaves the old secret working.
			m, err := c.Mint(ctx, a, idpadmin.MintOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if kind == idpadmin.Keycloak {
				return // without the policy the old secret is already gone
			}
			old, err := c.Identify(ctx, a, testidp.AppClientSecret)
			if err != nil {
				t.Fatal(err)
			}
			srv.SetFault(kind, testmgmt.OpRevoke, testmgmt.Fault{Deny: true})
			if err := c.Revoke(ctx, a, old); !idpadmin.IsDenied(err) {
				t.Fatalf("denied revoke = %v", err)
			}
			if !testmgmt.Accepts(t, idp, testidp.AppClientID, testidp.AppClientSecret) || !testmgmt.Accepts(t, idp, testidp.AppClientID, m.Value) {
				t.Fatal("a refused revoke must leave both secrets working")
			}
			srv.ClearFaults()
			if err := c.Revoke(ctx, a, old); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestFindAppNotFound(t *testing.T) {
	for _, kind := range []idpadmin.Kind{idpadmin.Entra, idpadmin.Okta, idpadmin.Keycloak} {
		_, _, c := startHarness(t, kind)
		if _, err := c.FindApp(ctxT(t), "no-such-client"); !idpadmin.IsNotFound(err) {
			t.Errorf("%s: FindApp(unknown) = %v", kind, err)
		}
	}
}

// An Okta revocation that stopped after the deactivation (DELETE failed)
// is finished by the next Revoke: the inactive secret is only deleted.
func TestOktaRevokeResumesAfterDeactivation(t *testing.T) {
	idp, srv, c := startHarness(t, idpadmin.Okta)
	ctx := ctxT(t)
	a, _ := c.FindApp(ctx, testidp.AppClientID)
	old, _ := c.Identify(ctx, a, testidp.AppClientSecret)
	if _, err := c.Mint(ctx, a, idpadmin.MintOptions{}); err != nil {
		t.Fatal(err)
	}
	// deactivate passes, the DELETE (second revoke request) fails
	srv.SetFault(idpadmin.Okta, testmgmt.OpRevoke, testmgmt.Fault{Status: 500, Count: 1, After: 1})
	if err := c.Revoke(ctx, a, old); err == nil || !strings.Contains(err.Error(), "deactivated") {
		t.Fatalf("Revoke with a failing DELETE = %v", err)
	}
	if got := srv.Secrets(idpadmin.Okta, testidp.AppClientID); len(got) != 2 || testmgmt.Accepts(t, idp, testidp.AppClientID, testidp.AppClientSecret) {
		t.Fatalf("after the deactivation: %+v", got)
	}
	srv.ClearFaults()
	if err := c.Revoke(ctx, a, old); err != nil {
		t.Fatalf("resumed Revoke: %v", err)
	}
	if testmgmt.Accepts(t, idp, testidp.AppClientID, testidp.AppClientSecret) || len(srv.Secrets(idpadmin.Okta, testidp.AppClientID)) != 1 {
		t.Fatalf("after the resumed revoke: %+v", srv.Secrets(idpadmin.Okta, testidp.AppClientID))
	}
}

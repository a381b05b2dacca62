package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/internal/testmgmt"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// mgmtWorld is an IdP with management clients, the management API
// harness, and the profiles "manager" (its token manages apps) and
// "billing" (the app client, managed through kind's API).
type mgmtWorld struct {
	h   *H
	idp *testidp.IdP
	mg  *testmgmt.Server
}

func newMgmtWorld(t *testing.T, kind idpadmin.Kind, opts ...testmgmt.Option) *mgmtWorld {
	t.Helper()
	h := New(t)
	idp := h.StartIdP(testidp.WithManagement(testidp.Management{}))
	mg := testmgmt.Start(t, idp, append([]testmgmt.Option{testmgmt.WithApp(testmgmt.App{Kind: kind, ClientID: testidp.AppClientID, Name: "Billing"})}, opts...)...)
	h.MustCredctlIn(testidp.ManagerClientSecret+"\n", "add", "--name", "manager", "--type", "application", "--token-url", idp.TokenURL,
		"--client-id", testidp.ManagerClientID, "--client-secret-stdin", "--scope", testidp.ManagementScopes, "--no-test")
	h.AddApp(idp, "billing", "--management-profile", "manager", "--management-api", string(kind), "--management-url", mg.BaseURL(kind))
	return &mgmtWorld{h: h, idp: idp, mg: mg}
}

// secrets are what the IdP's token endpoint accepts for the app client.
func (w *mgmtWorld) secrets(t *testing.T) []string {
	t.Helper()
	s, err := w.idp.ClientSecrets(testidp.AppClientID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pending is the profile file's pendingAtIdp of name.
func (w *mgmtWorld) pending(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.h.ConfigDir(), "profiles.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Profiles []struct {
			Name    string         `json:"name"`
			Pending map[string]any `json:"pendingAtIdp"`
		} `json:"profiles"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Profiles {
		if p.Name == name {
			return p.Pending
		}
	}
	return nil
}

func TestSecretsRotateAtIdP(t *testing.T) {
	for _, kind := range []idpadmin.Kind{idpadmin.Entra, idpadmin.Okta, idpadmin.Keycloak} {
		t.Run(string(kind), func(t *testing.T) {
			w := newMgmtWorld(t, kind, testmgmt.WithKeycloakRotation(90*24*time.Hour, time.Hour))
			h := w.h
			h.MustCredctl("test", "billing")
			r := h.MustCredctl("rotate-secret", "billing", "--at-idp", "--revoke-old-after", "now")
			if !strings.Contains(r.Stdout, "done (find, mint, store, test, switch, revoke)") {
				t.Fatalf("%s", r)
			}
			if s := w.secrets(t); len(s) != 1 || s[0] == testidp.AppClientSecret {
				t.Fatalf("the IdP accepts %d secrets (old one among them: %v)", len(s), slices.Contains(s, testidp.AppClientSecret))
			}
			h.MustCredctl("test", "billing")
			show := h.MustCredctl("show", "billing")
			if !strings.Contains(show.Stdout, "IdP management:") || !strings.Contains(show.Stdout, "Secret key ID:") ||
				(kind != idpadmin.Okta && !strings.Contains(show.Stdout, "from "+map[idpadmin.Kind]string{idpadmin.Entra: "Entra", idpadmin.Keycloak: "Keycloak"}[kind])) {
				t.Fatalf("show: %s", show)
			}
			logs := h.MustCredctl("logs", "--profile", "billing")
			for _, ev := range []string{"secret minted", "secret tested", "secret switched", "secret revoked"} {
				if !strings.Contains(logs.Stdout, ev) {
					t.Errorf("the log has no %q: %s", ev, logs.Stdout)
				}
			}
		})
	}
}

func TestSecretsRotateFaults(t *testing.T) {
	t.Run("mint denied", func(t *testing.T) {
		w := newMgmtWorld(t, idpadmin.Entra)
		w.mg.SetFault(idpadmin.Entra, testmgmt.OpMint, testmgmt.Fault{Deny: true})
		r := w.h.Credctl("rotate-secret", "billing", "--at-idp")
		if r.Code == 0 || !strings.Contains(r.Stdout, "Authorization_RequestDenied") || !strings.Contains(r.Stdout, "nothing was created") {
			t.Fatalf("%s", r)
		}
		w.h.MustCredctl("test", "billing")
	})
	t.Run("revoke fails: pending, the next command finishes it", func(t *testing.T) {
		w := newMgmtWorld(t, idpadmin.Okta)
		w.mg.SetFault(idpadmin.Okta, testmgmt.OpRevoke, testmgmt.Fault{Status: 500})
		r := w.h.Credctl("rotate-secret", "billing", "--at-idp")
		if r.Code == 0 || !strings.Contains(r.Stdout, "the revoke step failed") || !strings.Contains(r.Stdout, "Pending: revoke the old secret") {
			t.Fatalf("%s", r)
		}
		if !slices.Contains(w.secrets(t), testidp.AppClientSecret) {
			t.Fatal("the old secret is gone although its revocation failed")
		}
		show := w.h.MustCredctl("idp", "pending")
		if !strings.Contains(show.Stdout, "billing: revoke the old secret") {
			t.Fatalf("%s", show)
		}
		w.mg.ClearFaults()
		c := w.h.MustCredctl("idp", "complete", "billing")
		if !strings.Contains(c.Stdout, "revoke") || slices.Contains(w.secrets(t), testidp.AppClientSecret) {
			t.Fatalf("%s", c)
		}
		w.h.MustCredctl("test", "billing")
	})
	t.Run("killed between switch and revoke", func(t *testing.T) {
		w := newMgmtWorld(t, idpadmin.Entra)
		w.mg.SetFault(idpadmin.Entra, testmgmt.OpRevoke, testmgmt.Fault{Delay: time.Minute, Count: 1})
		p := w.h.StartCredctl("", "rotate-secret", "billing", "--at-idp")
		deadline := time.Now().Add(30 * time.Second)
		// Killed while it waits for the IdP's answer to the revocation (the
		// pending step on record, the request sent), not in the middle of a
		// keyring call: gnome-keyring 42 has been seen to abort when a client
		// dies inside one, which would take the suite's keyring with it.
		for w.pending(t, "billing")["step"] != "revoke" || !w.mg.Held(testmgmt.OpRevoke) {
			if time.Now().After(deadline) {
				t.Fatal("the rotation never reached the revocation")
			}
			time.Sleep(50 * time.Millisecond)
		}
		p.cancel() // SIGKILL
		p.Wait()
		if !slices.Contains(w.secrets(t), testidp.AppClientSecret) {
			t.Fatal("revoked despite the kill")
		}
		w.mg.ClearFaults()
		// Any command that touches profiles finishes the revocation.
		w.h.MustCredctl("list")
		if slices.Contains(w.secrets(t), testidp.AppClientSecret) || w.pending(t, "billing") != nil {
			t.Fatalf("not finished: %v", w.pending(t, "billing"))
		}
		w.h.MustCredctl("test", "billing")
	})
	t.Run("the new secret fails its test: pending switch, completed by hand", func(t *testing.T) {
		w := newMgmtWorld(t, idpadmin.Entra)
		w.h.MustCredctl("test", "manager") // the management token is in the shared store
		w.mg.SetFault(idpadmin.Entra, testmgmt.OpMint, testmgmt.Fault{Delay: 2 * time.Second, Count: 1})
		p := w.h.StartCredctl("", "rotate-secret", "billing", "--at-idp")
		deadline := time.Now().Add(30 * time.Second)
		for !slices.ContainsFunc(w.mg.Requests(), func(r testmgmt.Request) bool { return r.Op == testmgmt.OpCredentials }) {
			if time.Now().After(deadline) {
				t.Fatal("the rotation never read the app's secrets")
			}
			time.Sleep(20 * time.Millisecond)
		}
		w.idp.SetTokenFault(t, testidp.Fault{Status: 401}) // while the mint waits
		r := p.Wait()
		if r.Code == 0 || !strings.Contains(r.Stdout, "the test step failed") || !strings.Contains(r.Stdout, "failed its test") {
			t.Fatalf("%s", r)
		}
		w.idp.Reset(t)
		if got := w.pending(t, "billing"); got["step"] != "switch" || got["lastError"] == nil {
			t.Fatalf("pending %v", got)
		}
		if s := w.secrets(t); !slices.Contains(s, testidp.AppClientSecret) || len(s) != 2 {
			t.Fatalf("the IdP should hold the old and the minted secret: %d", len(s))
		}
		w.h.MustCredctl("test", "billing") // still the old one
		pend := w.h.MustCredctl("idp", "pending")
		if !strings.Contains(pend.Stdout, "billing: switch to the new secret") || !strings.Contains(pend.Stdout, "its test failed") {
			t.Fatalf("%s", pend)
		}
		w.h.MustCredctl("idp", "complete", "billing")
		if s := w.secrets(t); len(s) != 1 || s[0] == testidp.AppClientSecret {
			t.Fatalf("after complete the IdP accepts %d secrets", len(s))
		}
		w.h.MustCredctl("test", "billing")
	})
	t.Run("two processes rotate one profile", func(t *testing.T) {
		w := newMgmtWorld(t, idpadmin.Entra)
		w.mg.SetFault(idpadmin.Entra, testmgmt.OpMint, testmgmt.Fault{Delay: 2 * time.Second, Count: 2})
		var wg sync.WaitGroup
		rs := make([]Result, 2)
		for i := range rs {
			wg.Add(1)
			go func() { defer wg.Done(); rs[i] = w.h.Credctl("rotate-secret", "billing", "--at-idp") }()
		}
		wg.Wait()
		done, told := 0, 0
		for _, r := range rs {
			switch {
			case r.Code == 0 && strings.Contains(r.Stdout, "done ("):
				done++
			case r.Code == 0 && strings.Contains(r.Stdout, "another process rotated"):
				told++
			default:
				t.Errorf("unexpected: %s", r)
			}
		}
		if done != 1 || told != 1 {
			t.Fatalf("done %d, told %d", done, told)
		}
		if s := w.secrets(t); len(s) != 1 {
			t.Fatalf("the IdP accepts %d secrets, want 1", len(s))
		}
		w.h.MustCredctl("test", "billing")
	})
}

func TestSecretsTenantAndBulk(t *testing.T) {
	w := newMgmtWorld(t, idpadmin.Entra, testmgmt.WithApp(testmgmt.App{Kind: idpadmin.Okta, ClientID: testidp.AuditorClientID, Name: "Audit"}))
	h := w.h
	// The manager's own settings name the API the tenant view reads.
	h.MustCredctl("edit", "manager", "--management-api", "entra", "--management-url", w.mg.BaseURL(idpadmin.Entra), "--no-test")
	var list []struct {
		ClientID string   `json:"clientId"`
		KeyID    string   `json:"keyId"`
		UsedBy   []string `json:"usedBy"`
		Due      bool     `json:"expiresWithinWindow"`
	}
	ok := h.MustCredctl("idp", "secrets", "--management-profile", "manager", "--within", "30d", "--json")
	if err := ok.JSON(&list); err != nil || len(list) == 0 || !slices.Contains(list[0].UsedBy, "billing") {
		t.Fatalf("%v %s", err, ok)
	}
	due := h.Credctl("idp", "secrets", "--management-profile", "manager", "--within", "400d")
	if due.Code != 8 || !strings.Contains(due.Stdout, "billing") {
		t.Fatalf("want exit 8: %s", due)
	}
	// Bulk: billing (Entra, expires within 400 days) and audit (Okta, past
	// its maximum age), the Okta mint refused.
	h.MustCredctlIn(testidp.AuditorClientSecret+"\n", "add", "--name", "audit", "--type", "application", "--token-url", w.idp.TokenURL,
		"--client-id", testidp.AuditorClientID, "--client-secret-stdin", "--scope", "okta.apps.read", "--no-test",
		"--management-profile", "manager", "--management-api", "okta", "--management-url", w.mg.BaseURL(idpadmin.Okta), "--max-secret-age", "1d")
	h.MustCredctl("idp", "refresh", "billing")
	w.mg.SetFault(idpadmin.Okta, testmgmt.OpMint, testmgmt.Fault{Deny: true})
	b := h.Credctl("rotate-secret", "--all-expiring", "400d", "--at-idp")
	if b.Code == 0 || !strings.Contains(b.Stdout, "rotated 1: billing") || !strings.Contains(b.Stdout, "failed 1: audit (mint)") || !strings.Contains(b.Stdout, "E0000006") {
		t.Fatalf("%s", b)
	}
	h.MustCredctl("test", "billing")
	h.MustCredctl("test", "audit")
}

// RFC 7592 against the test IdP's real oidc-provider: its PUT keeps the
// secret (said so, nothing changes); with an IdP that issues a new secret
// on update the rotation switches to it, and the rotated registration
// access token is kept for the next one.
func TestSecretsRotateRFC7592(t *testing.T) {
	h := New(t)
	idp := h.StartIdP(testidp.WithManagement(testidp.Management{SecretTTL: 30 * 24 * time.Hour}))
	reg := idp.RegisterClient(t, nil)
	h.MustCredctlIn(reg.ClientSecret+"\n"+reg.RegistrationAccessToken+"\n", "add", "--name", "dyn", "--type", "application",
		"--token-url", idp.TokenURL, "--client-id", reg.ClientID, "--client-secret-stdin", "--scope", testidp.AppScopes,
		"--registration-uri", reg.RegistrationClientURI, "--registration-token-stdin", "--no-test")
	h.MustCredctl("test", "dyn")

	kept := h.Credctl("rotate-secret", "dyn", "--at-idp")
	if kept.Code == 0 || !strings.Contains(kept.Stdout, "the mint step failed") || !strings.Contains(kept.Stdout, "nothing was created") {
		t.Fatalf("oidc-provider keeps the secret on update: %s", kept)
	}
	h.MustCredctl("test", "dyn")

	idp.SetIssueSecretOnUpdate(t, true)
	for i := range 2 { // the second uses the registration token the first one got
		r := h.Credctl("rotate-secret", "dyn", "--at-idp")
		if r.Code != 0 || !strings.Contains(r.Stdout, "done (find, mint, store, test, switch)") {
			t.Fatalf("rotation %d: %s", i, r)
		}
		h.MustCredctl("test", "dyn")
	}
	show := h.MustCredctl("show", "dyn")
	if !strings.Contains(show.Stdout, "Secret expiry source:  from the IdP (RFC 7592), checked") {
		t.Errorf("show: %s", show)
	}
}

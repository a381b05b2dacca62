package oauthflow

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// Profiles with equal connection settings share one transport (and so its
// connections); other settings, or a proxy with a user name (its password
// is part of the transport), get their own. The last user closes it.
func TestTransportsSharedBySettings(t *testing.T) {
	s := ccService(t, testenv.NewMemKeyring())
	save := func(name string, edit func(*credentials.Profile)) credentials.Profile {
		p := ccApp(name, "https://idp.example/token")
		if edit != nil {
			edit(&p)
		}
		return ccSave(t, s, p, "secret")
	}
	a, b := save("a", nil), save("b", nil)
	insecure := save("insecure", func(p *credentials.Profile) { p.TLS.InsecureSkipVerify = true })
	proxied := save("proxied", func(p *credentials.Profile) {
		p.Proxy = credentials.Proxy{Mode: credentials.ProxyURL, URL: "http://proxy.example:3128", Username: "u"}
	})
	proxied2 := save("proxied 2", func(p *credentials.Profile) {
		p.Proxy = credentials.Proxy{Mode: credentials.ProxyURL, URL: "http://proxy.example:3128", Username: "u"}
	})
	tr := func(p credentials.Profile) *http.Transport {
		t.Helper()
		tr, err := s.mgr.http.Transport(p)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	if tr(a) != tr(b) {
		t.Error("two profiles with equal settings have two transports")
	}
	if tr(a) == tr(insecure) {
		t.Error("a profile without TLS verification shares a verifying transport")
	}
	if tr(proxied) == tr(proxied2) {
		t.Error("profiles with proxy credentials share a transport")
	}
	count := func() int {
		_, n := s.mgr.http.Sizes()
		return n
	}
	if n := count(); n != 4 {
		t.Fatalf("%d transports for a, b, insecure, proxied, proxied 2; want 4", n)
	}
	// An edit that keeps the connection settings keeps the transport.
	shared := tr(a)
	a.Scope = "api:write"
	a, err := s.Save(a, credentials.SecretChange{})
	if err != nil {
		t.Fatal(err)
	}
	if tr(a) != shared || tr(b) != shared {
		t.Error("an edit of the scope replaced the shared transport")
	}
	for _, p := range []credentials.Profile{a, b, insecure, proxied, proxied2} {
		if err := s.Delete(p.ID, DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(); n != 0 {
		t.Fatalf("%d transports left after every profile was deleted", n)
	}
}

// The manager's and the login state's maps do not grow with edits, tests,
// logins and deletes: what is kept is bounded by the profiles in use.
func TestCachesDoNotGrow(t *testing.T) {
	idp := testidp.Shared(t)
	s := ccService(t, testenv.NewMemKeyring())
	ctx := context.Background()
	sizes := func() (gens, entries, clients, transports, sessions, keySets int) {
		s.mgr.mu.Lock()
		gens, entries = len(s.mgr.gens), len(s.mgr.entries)
		s.mgr.mu.Unlock()
		clients, transports = s.mgr.http.Sizes()
		s.logins.mu.Lock()
		sessions, keySets = len(s.logins.session), len(s.logins.keySets)
		s.logins.mu.Unlock()
		return
	}
	keep := ccSave(t, s, ccApp("kept", idp.TokenURL), testidp.AppClientSecret)
	if r, err := s.Test(ctx, keep.ID); err != nil || !r.Active() {
		t.Fatalf("test: %v %v", r.Failure, err)
	}
	for i := range 50 {
		p := ccSave(t, s, ccApp(fmt.Sprintf("churn %d", i), idp.TokenURL), testidp.AppClientSecret)
		for range 3 { // edits, each followed by a test
			if r, err := s.Test(ctx, p.ID); err != nil || !r.Active() {
				t.Fatalf("test: %v %v", r.Failure, err)
			}
			p, _ = s.repo.Get(p.ID)
			p.Scope += " api:read"
			var err error
			if p, err = s.Save(p, credentials.SecretChange{}); err != nil {
				t.Fatal(err)
			}
		}
		// What a login and a refresh do with the session lock and key set.
		unlock := s.logins.lock(p.ID)
		s.logins.keySet(p.ID, fmt.Sprint(p.Revision), idp.Issuer+"/jwks", http.DefaultClient)
		unlock()
		s.logins.keySet(p.ID, fmt.Sprint(p.Revision+1), idp.Issuer+"/jwks", http.DefaultClient)
		if err := s.Delete(p.ID, DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	s.mgr.wg.Wait() // renewals restarted by the edits have ended (nothing starts new ones now)
	gens, entries, clients, transports, sessions, keySets := sizes()
	// Only "kept" is in use: its token, generation, client and transport.
	if gens > 1 || entries != 1 || clients != 1 || transports != 1 || sessions != 0 || keySets != 0 {
		t.Fatalf("after 50 profiles were created, edited, tested and deleted: gens %d, entries %d, clients %d, "+
			"transports %d, session locks %d, key sets %d; want at most 1, 1, 1, 1, 0, 0", gens, entries, clients, transports, sessions, keySets)
	}
}

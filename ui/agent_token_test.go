package ui

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/credentials/credtest"
	"github.com/credworkbench/credworkbench/internal/instance"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// The workbench answers credctl's token requests through its Service: the
// token it holds (no IdP request), looked up by name or ID; a change
// another process made is seen before the next answer; a refusal comes
// back with the Service's own text and category; what it should not
// answer is declined.
func TestAgentTokensThroughService(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t)
	repo := newRepo(t, nil)
	p := saveProfile(t, repo, appProfile("Billing API", idp), testidp.AppClientSecret)
	saveProfile(t, repo, appProfile("Wrong secret", idp), "not-the-secret")
	svc := oauthflow.NewService(repo, nil, nil)
	t.Cleanup(svc.Close)

	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	in, err := instance.Claim("credworkbench-uitest", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	in.OnToken(AgentTokens(svc))
	store := repo.Store.Path()
	ask := func(name, store string, helper bool) instance.TokenAnswer {
		t.Helper()
		a, err := instance.AskToken("credworkbench-uitest", instance.TokenRequest{Profile: name, Store: store, Helper: helper}, 30*time.Second)
		if err != nil {
			t.Fatalf("asking for %q: %v", name, err)
		}
		return a
	}

	held, _, err := svc.FetchToken(context.Background(), p.ID, oauthflow.TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	idp.Reset(t)
	for _, ref := range []string{"billing api", p.ID} {
		a := ask(ref, store, false)
		if a.Status != instance.TokenOK || a.Token.AccessToken != held.AccessToken || !a.Token.Cached ||
			a.Profile.Name != "Billing API" || a.Profile.ID != p.ID || a.Profile.Type != string(credentials.TypeApplication) {
			t.Fatalf("%q: status %s, profile %+v, same token %v", ref, a.Status, a.Profile, a.Token != nil && a.Token.AccessToken == held.AccessToken)
		}
	}
	if n := idp.Stats(t).Token; n != 0 {
		t.Fatalf("the agent asked the IdP %d times for a token it holds", n)
	}
	for what, a := range map[string]instance.TokenAnswer{
		"another store":   ask("Billing API", filepath.Join(t.TempDir(), "profiles.json"), false),
		"unknown profile": ask("nope", store, false),
	} {
		if a.Status != instance.TokenDeclined || a.Token != nil {
			t.Errorf("%s: %+v", what, a)
		}
	}

	// Another process edits the profile: the held token belongs to the
	// old settings, and the next answer is a new one.
	other := credtest.Repository(t, nil, credtest.InDir(filepath.Dir(store)))
	cur, err := other.Get(p.ID)
	if err != nil {
		t.Fatal(err)
	}
	cur.Scope = "api:read"
	if _, err := other.Save(cur, credentials.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	if a := ask("Billing API", store, false); a.Status != instance.TokenOK || a.Token.AccessToken == held.AccessToken || a.Token.Cached {
		t.Fatalf("after an edit elsewhere: status %s, the old token %v", a.Status, a.Token != nil && a.Token.AccessToken == held.AccessToken)
	}

	// A refusal: the Service's text and category, nothing else.
	a := ask("Wrong secret", store, true)
	_, _, want := svc.FetchToken(context.Background(), "Wrong secret", oauthflow.TokenOptions{})
	f, ok := oauthflow.AsFailure(want)
	if a.Status != instance.TokenFailed || !ok || a.Error.Text != want.Error() || a.Error.Category != string(f.Category) ||
		a.Error.Advice != f.Advice() || a.Token != nil || a.Profile.Name != "Wrong secret" {
		t.Fatalf("refused: %+v %+v, want %v", a, a.Error, want)
	}
}

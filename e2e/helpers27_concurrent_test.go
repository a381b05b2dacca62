package e2e

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// TestGitCredentialTwentyAtOnce: twenty real git commands at once on a
// cold token cache, each running credctl git-credential, make one IdP
// request between them (the shared store's lock) and all succeed.
func TestGitCredentialTwentyAtOnce(t *testing.T) {
	h := New(t)
	srv := h.gitServer()
	h.AddApp(nil, "Git App", "--git-host", strings.TrimPrefix(srv.URL, "http://"))
	h.useGitHelper(srv.URL)
	h.IdP.Reset(t)

	const n = 20
	var wg sync.WaitGroup
	outs, errs := make([]string, n), make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = h.git(h.Home, "ls-remote", srv.RepoURL, "main")
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || !strings.Contains(outs[i], "refs/heads/main") {
			t.Fatalf("git ls-remote #%d: %v\n%s", i, errs[i], outs[i])
		}
	}
	if st := h.IdP.Stats(t); st.Token != 1 {
		t.Fatalf("%d git commands at once made %d token requests, want 1", n, st.Token)
	}
}

// TestKubectlCredentialTwentyAtOnce: the same for twenty real kubectl runs.
func TestKubectlCredentialTwentyAtOnce(t *testing.T) {
	h := New(t)
	api := testapi.StartKube(t, testapi.Config{Issuer: h.IdP.Issuer, JWKSURL: h.IdP.JWKSURL,
		Audience: testidp.Resource, Scope: "api:read", Client: h.IdP.HTTPClient()})
	h.AddApp(nil, "Kube App")
	kc := h.kubeconfigFile("Kube App", api.URL, "--name", "dev")
	// The stub's CA, written in directly: kubectl config set-cluster would
	// warm the cache (gcloud's kubectl dispatcher asks the server).
	b, _ := os.ReadFile(kc)
	b = []byte(strings.Replace(string(b), "    server: ", "    certificate-authority: \""+api.CAFile+"\"\n    server: ", 1))
	if err := os.WriteFile(kc, b, 0o600); err != nil {
		t.Fatal(err)
	}
	h.IdP.Reset(t)

	const n = 20
	var wg sync.WaitGroup
	outs, errs := make([]string, n), make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = h.kubectl(kc, "get", "--raw", "/version")
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || !strings.Contains(outs[i], "v1.20.0-testapi") {
			t.Fatalf("kubectl #%d: %v\n%s", i, errs[i], outs[i])
		}
	}
	if st := h.IdP.Stats(t); st.Token != 1 {
		t.Fatalf("%d kubectl runs at once made %d token requests, want 1", n, st.Token)
	}
}

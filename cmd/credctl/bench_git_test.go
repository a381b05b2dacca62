package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testgit"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// BenchmarkTargetGitFetchHelper: `git fetch` (the real git, an up-to-date
// clone, the harness git server) with `credctl git-credential` as the
// credential helper, configured as the docs say and holding a valid cached
// token, against the same fetch with the token in the remote's URL.
// Target ≤ 1.1×. The floor is the same fetch through a trivial shell helper
// that prints the token: what git's own helper round (a 401, then get and,
// after the fetch, store) costs without credctl.
// Run: scripts/test.sh -run '^$' -bench TargetGitFetch -benchtime 5x ./cmd/credctl/
func BenchmarkTargetGitFetchHelper(b *testing.B) {
	requireKeyring(b)
	if _, err := exec.LookPath("git"); err != nil {
		testenv.Unavailable(b, "git is not installed (scripts/deps.sh installs it)")
	}
	idp := testidp.Start(b)
	srv := testgit.Start(b, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL,
		Audience: testidp.Resource, Scope: "api:read", Client: idp.HTTPClient()})
	c := newCLI(b)
	c.t = b
	addApp(b, c, idp, "git", "--git-host", strings.TrimPrefix(srv.URL, "http://"))
	// credctl on PATH and the helper in ~/.gitconfig, as docs/credctl.md says.
	if err := os.Symlink(credctlBin, filepath.Join(c.binDir, "credctl")); err != nil {
		b.Fatal(err)
	}
	git := func(global, dir string, args ...string) {
		cmd := exec.Command("git", args...) // #nosec G204 -- the benchmark's own git arguments
		cmd.Dir = dir
		cmd.Env = append(c.environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0")
		if global != "" {
			cmd.Env = append(cmd.Env, "GIT_CONFIG_GLOBAL="+global)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	git("", c.home, "config", "--global", "credential."+srv.URL+".helper", "!credctl git-credential")
	clone := filepath.Join(c.home, "clone")
	git("", c.home, "clone", "-q", srv.RepoURL, clone) // fetches and caches the token
	tok := strings.TrimSpace(c.must(0, "", "token", "git").stdout)

	// The baseline: no helper at all, the token in the URL of a second
	// remote (in the clone's config, not on a command line).
	direct := strings.Replace(srv.RepoURL, "http://", "http://oauth2:"+tok+"@", 1)
	git(os.DevNull, clone, "remote", "add", "direct", direct)
	// The floor: a shell helper (builtins only) reading the token from a file.
	tokFile := filepath.Join(c.home, "token")
	floorConfig := filepath.Join(c.home, "floor.gitconfig")
	if err := os.WriteFile(tokFile, []byte(tok+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	helper := `!f() { test "$1" = get || return 0; read -r p < "` + tokFile + `"; echo username=oauth2; echo "password=$p"; }; f`
	git(floorConfig, c.home, "config", "--global", "credential."+srv.URL+".helper", helper)
	// One warm-up fetch each; the HTTP requests it takes are reported after
	// the runs (a helper costs git a refused first request).
	requests := map[string]float64{}
	for _, warm := range []struct{ global, remote, metric string }{
		{"", "origin", "subject-requests"}, {os.DevNull, "direct", "baseline-requests"}, {floorConfig, "origin", "floor-requests"},
	} {
		n := len(srv.Requests())
		git(warm.global, clone, "fetch", "-q", warm.remote)
		requests[warm.metric] = float64(len(srv.Requests()) - n)
	}
	before := tokenRequests(b, idp)

	testenv.RatioFloor(b, 1.1, func() {
		git("", clone, "fetch", "-q", "origin")
	}, func() {
		git(os.DevNull, clone, "fetch", "-q", "direct")
	}, func() {
		git(floorConfig, clone, "fetch", "-q", "origin")
	})
	b.StopTimer()
	for metric, n := range requests {
		b.ReportMetric(n, metric)
	}
	if n := tokenRequests(b, idp) - before; n != 0 {
		b.Fatalf("the fetches through credctl made %d token requests, want 0 (the cached token)", n)
	}
}

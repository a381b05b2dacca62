package e2e

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

// gitServer is a test git server accepting the shared IdP's tokens for the
// test resource with scope api:read.
func (h *H) gitServer() *testgit.Server {
	h.t.Helper()
	return testgit.Start(h.t, testapi.Config{Issuer: h.IdP.Issuer, JWKSURL: h.IdP.JWKSURL,
		Audience: testidp.Resource, Scope: "api:read", Client: h.IdP.HTTPClient()})
}

// git runs the real git as the user of this scenario (its HOME and
// ~/.gitconfig, no system config, never a prompt).
func (h *H) git(dir string, args ...string) (string, error) {
	h.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(h.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com", "GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (h *H) mustGit(dir string, args ...string) string {
	h.t.Helper()
	out, err := h.git(dir, args...)
	if err != nil {
		h.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// useGitHelper configures credctl as the helper for the server's URL, as
// the README says.
func (h *H) useGitHelper(url string) {
	h.t.Helper()
	h.mustGit(h.Home, "config", "--global", "credential."+url+".helper", "!"+credctlBin+" git-credential")
}

// TestGitCredentialCloneAndPush: the real git clones and pushes over HTTP
// with the token credctl hands it (the profile chosen by its git host),
// a second clone asks the IdP nothing, and a token the server rejects is
// erased: the next clone gets a fresh one and succeeds.
func TestGitCredentialCloneAndPush(t *testing.T) {
	h := New(t)
	srv := h.gitServer()
	host := strings.TrimPrefix(srv.URL, "http://")
	h.AddApp(nil, "Git App", "--git-host", host, "--git-username", "build-bot")
	h.useGitHelper(srv.URL)
	h.IdP.Reset(t)

	one := filepath.Join(t.TempDir(), "one")
	h.mustGit(h.Home, "clone", "-q", srv.RepoURL, one)
	if b, err := os.ReadFile(filepath.Join(one, "README")); err != nil || !strings.Contains(string(b), "hello from testgit") {
		t.Fatalf("the clone has no README: %v %q", err, b)
	}
	if st := h.IdP.Stats(t); st.Token != 1 {
		t.Fatalf("the clone made %d token requests, want 1", st.Token)
	}

	if err := os.WriteFile(filepath.Join(one, "CHANGE"), []byte("pushed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.mustGit(one, "add", "CHANGE")
	h.mustGit(one, "commit", "-q", "-m", "change")
	h.mustGit(one, "push", "-q", "origin", "main")
	if got, want := srv.Head(t, "main"), strings.TrimSpace(h.mustGit(one, "rev-parse", "HEAD")); got != want {
		t.Fatalf("the server's main is %s after the push, want %s", got, want)
	}

	h.mustGit(h.Home, "clone", "-q", srv.RepoURL, filepath.Join(t.TempDir(), "two"))
	if st := h.IdP.Stats(t); st.Token != 1 {
		t.Fatalf("push and second clone asked the IdP again: %d token requests, want 1", st.Token)
	}
	pushes := 0
	for _, s := range srv.Requests() {
		if s.Service == "git-receive-pack" && s.Outcome == "ok" {
			pushes++
		}
	}
	if pushes == 0 {
		t.Fatalf("the server saw no authorized push: %+v", srv.Requests())
	}

	// The server stops accepting the token: git's clone fails and erases
	// it; the next clone gets a new token and works.
	srv.RevokeSeen()
	out, err := h.git(h.Home, "clone", "-q", srv.RepoURL, filepath.Join(t.TempDir(), "three"))
	if err == nil {
		t.Fatalf("a clone with a revoked token succeeded:\n%s", out)
	}
	if st := h.IdP.Stats(t); st.Token != 2 {
		t.Fatalf("erase of the rejected token made %d token requests in all, want 2", st.Token)
	}
	h.mustGit(h.Home, "clone", "-q", srv.RepoURL, filepath.Join(t.TempDir(), "four"))
	if st := h.IdP.Stats(t); st.Token != 2 {
		t.Fatalf("the retry asked the IdP again: %d token requests, want 2", st.Token)
	}

	// The token is nowhere git keeps things.
	tok := strings.TrimSpace(h.MustCredctl("token", "Git App").Stdout)
	for _, f := range []string{filepath.Join(one, ".git", "config"), filepath.Join(h.Home, ".gitconfig")} {
		if b, _ := os.ReadFile(f); strings.Contains(string(b), tok) {
			t.Fatalf("the token is in %s", f)
		}
	}
	if strings.Contains(out, tok) {
		t.Fatal("the token is in git's output")
	}
}

// TestGitCredentialProtocol: get answers username, password and expiry;
// store and erase of another password write nothing; a remote no profile
// serves gets git's silence; plain http to another computer is refused.
func TestGitCredentialProtocol(t *testing.T) {
	h := New(t)
	h.AddApp(nil, "Team Git", "--git-host", "git.example.com/team/*")
	h.AddApp(nil, "Other Git", "--git-host", "git.example.com")
	if out := h.MustCredctl("show", "Team Git").Stdout; !strings.Contains(out, "Git hosts:") || !strings.Contains(out, "git.example.com/team/*") {
		t.Fatalf("credctl show does not say which remotes the profile serves:\n%s", out)
	}

	r := h.MustCredctlIn("protocol=https\nhost=git.example.com\npath=team/repo.git\nusername=me\n\n", "git-credential", "get")
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if len(lines) != 3 || lines[0] != "username=me" || !strings.HasPrefix(lines[1], "password=ey") || !strings.HasPrefix(lines[2], "password_expiry_utc=") {
		t.Fatalf("get answered:\n%s", r)
	}
	team := strings.TrimPrefix(lines[1], "password=")
	if tok := strings.TrimSpace(h.MustCredctl("token", "Team Git").Stdout); tok != team {
		t.Fatal("the path pattern did not pick the Team Git profile")
	}
	r = h.MustCredctlIn("protocol=https\nhost=git.example.com\npath=other/repo.git\n\n", "git-credential", "get")
	if tok := strings.TrimSpace(h.MustCredctl("token", "Other Git").Stdout); !strings.Contains(r.Stdout, "username=oauth2\npassword="+tok+"\n") {
		t.Fatalf("another path did not get the host-wide profile's token:\n%s", r.Stderr)
	}

	h.IdP.Reset(t)
	for _, action := range []string{"store", "erase"} {
		r = h.MustCredctlIn("protocol=https\nhost=git.example.com\nusername=x\npassword=not-our-token\n\n", "git-credential", action)
		if r.Stdout != "" {
			t.Fatalf("%s printed: %s", action, r)
		}
	}
	if st := h.IdP.Stats(t); st.Token != 0 {
		t.Fatalf("store/erase of another password made %d token requests", st.Token)
	}

	r = h.MustCredctlIn("protocol=https\nhost=unknown.example.org\n\n", "git-credential", "get")
	if r.Stdout != "" || !strings.Contains(r.Stderr, "no profile serves unknown.example.org") {
		t.Fatalf("an unknown host: %s", r)
	}
	r = h.CredctlIn("protocol=http\nhost=git.example.com\n\n", "git-credential", "get")
	if r.Code == 0 || r.Stdout != "" || !strings.Contains(r.Stderr, "plain http") {
		t.Fatalf("plain http to another computer: %s", r)
	}
	r = h.CredctlIn("protocol=https\nhost=git.example.com\n\n", "git-credential", "fetch")
	if r.Code != 2 || !strings.Contains(r.Stderr, "get, store or erase") {
		t.Fatalf("an unknown action: %s", r)
	}
}

// TestGitCredentialUserWithoutSessionNoTerminal: a User profile that never
// logged in, asked with no terminal, answers nothing (git's expected
// silence) and says on stderr how to log in.
func TestGitCredentialUserWithoutSessionNoTerminal(t *testing.T) {
	h := New(t)
	h.AddUser(nil, "Dev Login", "--git-host", "git.example.com")
	r := h.CredctlIn("protocol=https\nhost=git.example.com\n\n", "git-credential", "get")
	if r.Code == 0 || r.Stdout != "" || !strings.Contains(r.Stderr, "credctl login 'Dev Login'") {
		t.Fatalf("no session, no terminal: %s", r)
	}
}

// TestGitCredentialUserLogsInOnATerminal: with stderr on a terminal (as
// when git runs in one; script(1) gives it a pty), a User profile without
// a session logs in in the browser, then get answers with the token.
func TestGitCredentialUserLogsInOnATerminal(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		testenv.Unavailable(t, "script(1) (util-linux) is not installed")
	}
	h := New(t)
	h.AddUser(nil, "Dev Login", "--git-host", "git.example.com")
	browser := h.LoginBrowser(testidp.Username, testidp.Password)
	browser.UseQuick()
	in := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(in, []byte("protocol=https\nhost=git.example.com\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// stdin from the file (git's pipe), stdout and stderr on the pty.
	cmd := exec.Command("script", "-qec", "'"+credctlBin+"' git-credential get < '"+in+"'", "/dev/null")
	cmd.Env = h.Environ()
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "password=ey") || browser.Logins() != 1 {
		t.Fatalf("get on a terminal: %v, %d logins\n%s", err, browser.Logins(), out)
	}
}

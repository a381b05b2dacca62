// Package testgit runs a git smart-HTTP server for tests on 127.0.0.1:
// the real `git http-backend` behind a Go handler that takes the Basic
// password (or a Bearer token) as an OAuth access token and verifies it as
// internal/testapi's services do — signature against the IdP's JWKS,
// issuer, expiry, audience, scope. Refusals are 401 with a Basic challenge,
// which makes git ask its credential helpers (and erase on a refusal).
package testgit

import (
	"cmp"
	"context"
	"crypto/sha256"
	"net"
	"net/http"
	"net/http/cgi" // #nosec G504 -- Go >= 1.6.3 (httpoxy fixed); runs git http-backend for tests only
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testenv"
)

// Seen is what the server recorded about one request (never the token).
type Seen struct {
	Path    string
	Service string // git-upload-pack (fetch) or git-receive-pack (push), "" for others
	Outcome string // "ok", or the refusal's code ("no_token", "invalid_token", "revoked" …)
}

// Server is a running git server with one repository, /repo.git, whose
// branch main has one commit.
type Server struct {
	URL     string // http://127.0.0.1:PORT
	RepoURL string // URL + "/repo.git"
	Root    string // the directory of the bare repositories

	verifier *testapi.Verifier
	backend  string
	srv      *http.Server

	mu      sync.Mutex
	seen    []Seen
	ok      map[[32]byte]bool // hashes of the tokens accepted so far
	revoked map[[32]byte]bool
}

// Start runs a server that accepts tokens cfg describes (cfg.Audience
// must be set). It skips (fails under CI=true) when git is missing.
func Start(t testing.TB, cfg testapi.Config) *Server {
	t.Helper()
	gitBin, err := exec.LookPath("git")
	if err != nil {
		testenv.Unavailable(t, "git is not installed (scripts/deps.sh installs it)")
	}
	out, err := exec.Command(gitBin, "--exec-path").Output() // #nosec G204 -- git from PATH, a fixed argument
	if err != nil {
		t.Fatalf("testgit: git --exec-path: %v", err)
	}
	s := &Server{Root: t.TempDir(), verifier: testapi.NewVerifier(cfg),
		backend: filepath.Join(strings.TrimSpace(string(out)), "git-http-backend"),
		ok:      map[[32]byte]bool{}, revoked: map[[32]byte]bool{}}
	if _, err := os.Stat(s.backend); err != nil {
		testenv.Unavailable(t, "git-http-backend is missing: "+err.Error())
	}
	s.initRepo(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.URL = "http://" + l.Addr().String()
	s.RepoURL = s.URL + "/repo.git"
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.srv.Shutdown(ctx)
	})
	return s
}

// Git runs git with a private configuration (no system or user config).
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...) // #nosec G204 -- the test's own git arguments
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com", "GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("testgit: git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (s *Server) initRepo(t testing.TB) {
	bare := filepath.Join(s.Root, "repo.git")
	Git(t, s.Root, "init", "-q", "--bare", "-b", "main", bare)
	work := t.TempDir()
	Git(t, work, "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(work, "README"), []byte("hello from testgit\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	Git(t, work, "add", "README")
	Git(t, work, "commit", "-q", "-m", "first")
	Git(t, work, "push", "-q", bare, "main")
}

// Head is the commit the repository's branch points at.
func (s *Server) Head(t testing.TB, branch string) string {
	t.Helper()
	return Git(t, s.Root, "--git-dir", filepath.Join(s.Root, "repo.git"), "rev-parse", branch)
}

// Requests returns what the server saw so far.
func (s *Server) Requests() []Seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Seen(nil), s.seen...)
}

// RevokeSeen makes the server refuse every token it accepted so far (as a
// server does when a token was revoked before it expired).
func (s *Server) RevokeSeen() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for h := range s.ok {
		s.revoked[h] = true
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	seen := Seen{Path: r.URL.Path, Service: r.URL.Query().Get("service")}
	if seen.Service == "" && strings.HasSuffix(r.URL.Path, "/git-upload-pack") {
		seen.Service = "git-upload-pack"
	}
	if seen.Service == "" && strings.HasSuffix(r.URL.Path, "/git-receive-pack") {
		seen.Service = "git-receive-pack"
	}
	raw := token(r)
	claims, ref := s.verifier.Verify(r.Context(), raw, "")
	h := sha256.Sum256([]byte(raw))
	s.mu.Lock()
	switch {
	case ref != nil:
		seen.Outcome = ref.Code
		if seen.Outcome == "" {
			seen.Outcome = "no_token"
		}
	case s.revoked[h]:
		seen.Outcome = "revoked"
	default:
		seen.Outcome = "ok"
		s.ok[h] = true
	}
	s.seen = append(s.seen, seen)
	s.mu.Unlock()
	if seen.Outcome != "ok" {
		// 401 with Basic: git asks its helpers, and erases on a second 401.
		w.Header().Set("WWW-Authenticate", `Basic realm="testgit"`)
		http.Error(w, "token refused: "+seen.Outcome, http.StatusUnauthorized)
		return
	}
	r = r.Clone(r.Context())
	r.Header.Del("Authorization") // the backend needs no token
	(&cgi.Handler{Path: s.backend, Dir: s.Root, Env: []string{
		"GIT_PROJECT_ROOT=" + s.Root, "GIT_HTTP_EXPORT_ALL=1",
		"REMOTE_USER=" + cmp.Or(claims.Str("sub"), "oauth"), // enables receive-pack (push)
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
	}}).ServeHTTP(w, r)
}

// token is the Basic password or the Bearer token.
func token(r *http.Request) string {
	if _, pw, ok := r.BasicAuth(); ok {
		return pw
	}
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// Ask the agent first (issue #29): with the workbench running, credctl
// token and the helpers get the token it holds over its instance socket.

// credctlNoKeyring runs credctl with the Secret Service out of reach (its
// D-Bus session points nowhere): what it prints can only have come from
// the running workbench.
func (h *H) credctlNoKeyring(stdin string, args ...string) Result {
	h.t.Helper()
	saved := h.Env
	h.Env = append(append([]string(nil), saved...), "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(h.Home, "no-bus"))
	defer func() { h.Env = saved }()
	return h.CredctlIn(stdin, args...)
}

// waitAgent waits until the workbench answers token requests for name
// (it wires them up once its window and token manager run).
func (h *H) waitAgent(name string) Result {
	h.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		r := h.credctlNoKeyring("", "token", name)
		if r.Code == 0 || time.Now().After(deadline) {
			return r
		}
		time.Sleep(100 * time.Millisecond) // a poll for readiness, not a fixed wait
	}
}

// With the workbench running, credctl token, git-credential and
// kubectl-credential hand out the token it holds, without the keyring and
// without a request to the IdP; stopped, credctl reads the same token from
// the keyring as before.
func TestAgentTokenFromWorkbench(t *testing.T) {
	h := New(t)
	h.AddApp(nil, "Orders API")
	w := h.StartWorkbench("--hidden")
	if r := h.waitAgent("Orders API"); r.Code != 0 {
		t.Fatalf("the workbench never answered: %s\n%s", r, w.Output())
	}

	h.IdP.Reset(t)
	var out struct {
		Name, AccessToken string
		Cached            bool
	}
	r := h.credctlNoKeyring("", "token", "orders api", "--json")
	if r.Code != 0 || r.JSON(&out) != nil || out.Name != "Orders API" || !out.Cached || strings.Count(out.AccessToken, ".") != 2 {
		t.Fatalf("credctl token --json from the workbench: %s", r)
	}
	git := h.credctlNoKeyring("protocol=https\nhost=git.example.com\n\n", "git-credential", "--profile", "Orders API", "get")
	if git.Code != 0 || !strings.Contains(git.Stdout, "password="+out.AccessToken+"\n") {
		t.Fatalf("git-credential through the workbench: exit %d, has the token %v", git.Code, strings.Contains(git.Stdout, out.AccessToken))
	}
	var cred struct{ Status struct{ Token string } }
	kube := h.credctlNoKeyring("", "kubectl-credential", "Orders API")
	if kube.Code != 0 || kube.JSON(&cred) != nil || cred.Status.Token != out.AccessToken {
		t.Fatalf("kubectl-credential through the workbench: exit %d", kube.Code)
	}
	if strings.Contains(r.Stderr+git.Stderr+kube.Stderr+w.Output(), out.AccessToken) {
		t.Fatal("the token is on standard error or in the workbench's output")
	}

	w.Stop()
	if tok := strings.TrimSpace(h.MustCredctl("token", "Orders API").Stdout); tok != out.AccessToken {
		t.Fatal("the keyring holds another token than the workbench handed out")
	}
	if n := h.IdP.Stats(t).Token; n != 0 {
		t.Fatalf("%d token requests reached the IdP", n)
	}
}

// A logout by credctl is seen by the running workbench before its next
// answer: credctl token reports the logout with the text and exit code
// of the keyring path.
func TestAgentTokenSeesLogout(t *testing.T) {
	h := New(t)
	h.AddUser(nil, "Portal")
	if r := h.DeviceLogin("Portal", testidp.Username, testidp.Password); r.Code != 0 {
		t.Fatalf("login: %s", r)
	}
	w := h.StartWorkbench("--hidden")
	if r := h.waitAgent("Portal"); r.Code != 0 {
		t.Fatalf("the workbench never answered: %s\n%s", r, w.Output())
	}
	h.MustCredctl("logout", "Portal")
	viaAgent := h.credctlNoKeyring("", "token", "Portal")
	if viaAgent.Code != 5 || !strings.Contains(viaAgent.Stderr, `not logged in: "Portal" was logged out`) {
		t.Fatalf("credctl token right after the logout, from the workbench: %s", viaAgent)
	}
	git := h.credctlNoKeyring("protocol=https\nhost=git.example.com\n\n", "git-credential", "--profile", "Portal", "get")
	w.Stop()
	viaKeyring := h.Credctl("token", "Portal")
	if viaKeyring.Code != viaAgent.Code || viaKeyring.Stderr != viaAgent.Stderr || viaKeyring.Stdout != "" {
		t.Fatalf("the workbench's answer differs from the keyring path's:\n%s\n%s", viaAgent, viaKeyring)
	}
	if gitKeyring := h.CredctlIn("protocol=https\nhost=git.example.com\n\n", "git-credential", "--profile", "Portal", "get"); gitKeyring.Code != git.Code || gitKeyring.Stderr != git.Stderr {
		t.Fatalf("git-credential after the logout, workbench vs keyring:\n%s\n%s", git, gitKeyring)
	}
}

// heldTokens is a token endpoint in front of the IdP that holds every
// request while armed (until its client goes away) and says when one came.
type heldTokens struct {
	armed atomic.Bool
	held  chan struct{}
	srv   *httptest.Server
}

func holdTokens(t *testing.T, tokenURL string) *heldTokens {
	u, err := url.Parse(tokenURL)
	if err != nil {
		t.Fatal(err)
	}
	ht := &heldTokens{held: make(chan struct{}, 16)}
	stop := make(chan struct{})
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	ht.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if ht.armed.Load() {
			ht.held <- struct{}{}
			select {
			case <-r.Context().Done(): // its client was killed
			case <-stop:
			}
			return
		}
		r.URL.Path = u.Path
		proxy.ServeHTTP(rw, r)
	}))
	t.Cleanup(func() { close(stop); ht.srv.Close() })
	return ht
}

// hasSocket reports whether our child pid has a socket open.
func hasSocket(pid int) bool {
	fds, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	for _, fd := range fds {
		if l, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/fd/" + fd.Name()); err == nil && strings.HasPrefix(l, "socket:") {
			return true
		}
	}
	return false
}

// The workbench killed (SIGKILL) while it works on credctl's request:
// credctl falls back to the keyring path and still answers; the socket the
// dead workbench left is passed over at once.
func TestAgentKilledMidRequest(t *testing.T) {
	h := New(t)
	ht := holdTokens(t, h.IdP.TokenURL)
	h.MustCredctlIn(testidp.AppClientSecret+"\n", "add", "--name", "Slow API", "--type", "application", "--token-url", ht.srv.URL+"/token",
		"--client-id", testidp.AppClientID, "--client-secret-stdin", "--scope", testidp.AppScopes, "--no-test")
	w := h.StartWorkbench("--hidden")
	if r := h.waitAgent("Slow API"); r.Code != 0 {
		t.Fatalf("the workbench never answered: %s\n%s", r, w.Output())
	}
	old := strings.TrimSpace(h.credctlNoKeyring("", "token", "Slow API").Stdout)

	// The edit drops the token: the workbench's next answer needs the IdP,
	// where its request is held.
	ht.armed.Store(true)
	h.MustCredctl("edit", "Slow API", "--scope", "api:read", "--no-test")
	t0 := time.Now()
	p := h.StartCredctl("", "token", "Slow API")
	deadline := time.Now().Add(30 * time.Second)
	for !hasSocket(p.cmd.Process.Pid) {
		if time.Now().After(deadline) {
			t.Fatal("credctl never connected to the workbench")
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case <-ht.held:
	case <-time.After(30 * time.Second):
		t.Fatal("the workbench did not ask the IdP")
	}
	t.Logf("credctl connected and the IdP request held after %v", time.Since(t0))
	ht.armed.Store(false)
	if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	r := p.Wait()
	t.Logf("credctl answered %v after the kill", time.Since(killed))
	tok := strings.TrimSpace(r.Stdout)
	if r.Code != 0 || strings.Count(tok, ".") != 2 || tok == old {
		t.Fatalf("credctl token with the workbench killed mid-request: %s", r)
	}
	if _, err := os.Stat(filepath.Join(h.Runtime, "credworkbench", "instance.sock")); err != nil {
		t.Fatalf("the killed workbench left no socket to test with: %v", err)
	}
	start := time.Now()
	if again := h.MustCredctl("token", "Slow API"); strings.TrimSpace(again.Stdout) != tok {
		t.Fatalf("after the kill: %s", again)
	}
	t.Logf("credctl token past the stale socket: %v", time.Since(start))
}

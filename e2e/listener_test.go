package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/internal/twouser"
)

// TestListenerOtherUserLogin (issue #23): the browser opener is another
// local user's attacker (uid 65534 through setpriv) that reads the login's
// one-time start address and takes the login over, from an AF_INET6 socket
// connected to ::ffff:127.0.0.1 (listed in /proc/net/tcp6, which the old
// owner check never read). bin/credctl must not log anyone in: it exits
// non-zero and says that another local user tried to use the login.
func TestListenerOtherUserLogin(t *testing.T) {
	h := New(t)
	twouser.Require(t)
	h.AddUser(nil, "Portal login")
	report := filepath.Join(t.TempDir(), "attacker.out")
	opener := filepath.Join(t.TempDir(), "open")
	argv := twouser.Argv(t, "login", "ipv6")
	script := "#!/bin/sh\nexec " + strings.Join(argv, " ") + ` "$1" ` + testidp.Username2 + " " + testidp.Password2 + " > " + report + " 2>&1\n"
	if err := os.WriteFile(opener, []byte(script), 0o700); err != nil { // #nosec G306 -- the opener must be executable
		t.Fatal(err)
	}
	h.Env = append(h.Env, "BROWSER="+opener)

	r := h.Credctl("login", "Portal login", "--timeout", "15s")
	attack, _ := os.ReadFile(report) // #nosec G304 -- the test's file
	t.Logf("attacker:\n%s\n%s", attack, r)
	if r.Code == 0 || strings.Contains(r.Stdout, "Logged in") {
		t.Fatalf("credctl reported a login the other user took over: %s", r)
	}
	if !strings.Contains(r.Stderr, "Another local user (uid 65534) tried to use this login's address; it was refused") {
		t.Fatalf("credctl does not say why the login failed: %s", r)
	}
	if !strings.Contains(string(attack), "ATTACKER REFUSED") {
		t.Fatalf("the attacker was not refused by the listener:\n%s", attack)
	}
	if out := h.Credctl("show", "Portal login").Stdout; strings.Contains(out, testidp.Username2) {
		t.Fatalf("the profile shows the attacker's user:\n%s", out)
	}
}

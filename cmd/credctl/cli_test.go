package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// These tests need neither the keyring nor the IdP: they touch only the
// profile file (import writes no secrets).

func TestUsageErrors(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"--frob"},
		{"list", "--frob"},
		{"list", "extra"},
		{"show"},
		{"show", "a", "b"},
		{"test"},
		{"test", "x", "--all"},
		{"request", "x"},
		{"add", "--type", "application"}, // --name and --client-id missing
		{"add", "--name", "x", "--type", "robot", "--client-id", "c"}, // bad enum
		{"add", "--name", "x", "--type", "user", "--client-id", "c", "--refresh-interval", "soon"},
		{"edit", "x"},          // nothing to change
		{"rotate-secret", "x"}, // secret flag missing
		{"completion", "tcsh"},
		{"login", "x", "--timeout", "-1s"},
		{"request", "x", "http://127.0.0.1/", "--header", "no colon"},
	} {
		o := c.must(exitUsage, "", args...)
		contains(t, "stderr of "+strings.Join(args, " "), o.stderr, "--help")
		if o.stdout != "" {
			t.Errorf("credctl %s: usage errors print nothing on stdout, got %q", strings.Join(args, " "), o.stdout)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	c := newCLI(t)
	o := c.must(0, "", "--help")
	contains(t, "credctl --help", o.stdout, "Exit codes:", "3  profile not found", "7  OS keyring", "rotate-secret", "never from\narguments or environment variables")
	if strings.Contains(o.stdout, completeNamesCmd) {
		t.Errorf("the hidden command shows in --help")
	}
	o = c.must(0, "", "token", "--help")
	contains(t, "credctl token --help", o.stdout, "Usage: credctl token NAME", "--json", "--fresh", "Exit codes:")
	o = c.must(0, "", "help", "add")
	contains(t, "credctl help add", o.stdout, "--client-secret-stdin", "--tenant-header", "--redirect-port", "--proxy")
	o = c.must(0, "", "version")
	contains(t, "credctl version", o.stdout, "credctl dev")
	o = c.must(0, "", "--version")
	contains(t, "credctl --version", o.stdout, "credctl ")
}

const registrations = `[
  {"clientId": "billing app", "authorizedGrantTypes": ["client_credentials"], "scope": ["api:read", "api:write"], "accessTokenValidity": 600},
  {"clientId": "portal", "authorizedGrantTypes": ["authorization_code", "refresh_token"], "scope": "openid profile", "redirectUri": "http://127.0.0.1:8765/callback"}
]`

func TestNotFoundAndValidation(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"show", "nope"}, {"edit", "nope", "--scope", "a"}, {"delete", "nope", "--yes"}, {"test", "nope"},
		{"token", "nope"}, {"login", "nope"}, {"logout", "nope"}, {"request", "nope", "http://127.0.0.1/"},
	} {
		o := c.must(exitNotFound, "", args...)
		contains(t, "stderr", o.stderr, `profile not found: "nope"`, "credctl list")
	}

	// Validation fails before any secret is read or stored.
	o := c.must(exitValidation, "", "add", "--name", "bad", "--type", "application", "--client-id", "c",
		"--token-url", "http://idp.example.com/token", "--client-secret-stdin")
	contains(t, "stderr", o.stderr, "--token-url: Token endpoint URL must use https")
	o = c.must(exitValidation, "", "add", "--name", "no/slash", "--type", "application", "--client-id", "c",
		"--token-url", "https://idp.example.com/token")
	contains(t, "stderr", o.stderr, "--name: Name may hold", "--client-secret-stdin: An Application profile needs a client secret")
	o = c.must(exitValidation, "", "add", "--name", "u", "--type", "user", "--client-id", "c",
		"--issuer", "https://idp.example.com", "--roles-claim", "a..b")
	contains(t, "stderr", o.stderr, "--roles-claim:")

	// Import with a registration file that does not name the IdP: invalid,
	// nothing imported.
	f := filepath.Join(t.TempDir(), "regs.json")
	if err := os.WriteFile(f, []byte(registrations), 0o600); err != nil {
		t.Fatal(err)
	}
	o = c.must(exitValidation, "", "import", f)
	contains(t, "import preview", o.stdout, "0 to add, 2 invalid", "billing app", "invalid:")
	contains(t, "stderr", o.stderr, "nothing was imported", "--skip-invalid")
	o = c.must(0, "", "list")
	if strings.Contains(o.stdout, "billing") {
		t.Fatalf("a refused import added profiles:\n%s", o)
	}
	o = c.must(exitFailure, "", "import", "/nonexistent/file.json")
	contains(t, "stderr", o.stderr, "/nonexistent/file.json")
	o = c.must(exitValidation, "not json", "import", "-")
	contains(t, "stderr", o.stderr, "not JSON")
}

func TestImportPreviewAndCompletion(t *testing.T) {
	c := newCLI(t)
	f := filepath.Join(t.TempDir(), "regs.json")
	if err := os.WriteFile(f, []byte(registrations), 0o600); err != nil {
		t.Fatal(err)
	}
	o := c.must(0, "", "import", f, "--issuer", "https://idp.example.com", "--dry-run")
	contains(t, "dry run", o.stdout, "2 to add, 0 invalid", "+ billing app", "+ portal")
	if strings.Contains(c.must(0, "", "list").stdout, "portal") {
		t.Fatal("--dry-run imported")
	}
	o = c.must(0, "", "import", f, "--issuer", "https://idp.example.com")
	contains(t, "import", o.stdout, "Imported 2 profile(s)", "credctl edit NAME --client-secret-stdin")
	o = c.must(0, "", "list")
	contains(t, "list", o.stdout, "NAME", "STATUS", "billing app", "Application", "portal", "User", "Untested")
	ps := decode[[]map[string]any](t, c.must(0, "", "list", "--json").stdout)
	if len(ps) != 2 || ps[0]["name"] != "billing app" || ps[1]["redirectPort"].(float64) != 8765 {
		t.Fatalf("list --json: %v", ps)
	}
	// The documented JSON field names.
	for _, k := range []string{"id", "name", "type", "grantType", "issuerUrl", "clientId", "authMethod", "scope",
		"refreshInterval", "refreshIntervalSeconds", "proxy", "tls", "tenantHeader", "redirectPort", "clientSecret", "status", "revision"} {
		if _, ok := ps[0][k]; !ok {
			t.Errorf("list --json lacks %q: %v", k, ps[0])
		}
	}
	if st := ps[0]["status"].(map[string]any); st["state"] != "Untested" {
		t.Errorf("status: %v", st)
	}
	if sec := ps[0]["clientSecret"].(map[string]any); sec["set"] != false {
		t.Errorf("clientSecret: %v", sec)
	}

	// Importing the same names again: all invalid; --skip-invalid skips them.
	o = c.must(exitValidation, "", "import", f, "--issuer", "https://idp.example.com")
	contains(t, "re-import", o.stdout, "0 to add, 2 invalid", "already exists")
	o = c.must(0, "", "import", f, "--issuer", "https://idp.example.com", "--skip-invalid", "--json")
	res := decode[importJSON](t, o.stdout)
	if len(res.Added) != 0 || len(res.Invalid) != 2 {
		t.Fatalf("import --json: %+v", res)
	}

	o = c.must(0, "", completeNamesCmd)
	if o.stdout != "billing app\nportal\n" {
		t.Fatalf("%s: %q", completeNamesCmd, o.stdout)
	}
	// Completion: cobra's scripts for four shells, which ask `credctl
	// __complete` for commands, flags, profile and transport names and files,
	// reading the profile and transport files only: no keyring here.
	c.env = append(c.env, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		o := c.must(0, "", "completion", sh)
		contains(t, sh+" completion", o.stdout, "__complete")
		shell := map[string]string{"powershell": "pwsh"}[sh]
		if shell == "" {
			shell = sh
		}
		if path, err := exec.LookPath(shell); err == nil && sh != "powershell" {
			// The shell's own syntax check.
			script := filepath.Join(t.TempDir(), "completion."+sh)
			if err := os.WriteFile(script, []byte(o.stdout), 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(path, "-n", script).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", sh, err, out)
			}
		}
	}
	complete := func(args ...string) string {
		t.Helper()
		return c.must(0, "", append([]string{"__complete"}, args...)...).stdout
	}
	contains(t, "flags of add", complete("add", "--client-secret"), "--client-secret-stdin")
	contains(t, "flags of import", complete("import", "--skip"), "--skip-invalid")
	contains(t, "commands", complete("rot"), "rotate-secret")
	contains(t, "profile names", complete("show", "b"), "billing app\n")
	contains(t, "profile flag values", complete("transport", "add", "--credential", "p"), "portal\n")
	contains(t, "transport subcommands", complete("transport", ""), "list", "show", "add", "edit", "delete", "run")
	c.must(0, "", "transport", "add", "--name", "Orders", "--type", "http", "--url", "https://idp.example.com/orders")
	contains(t, "transport names", complete("transport", "run", "o"), "Orders\n")
	contains(t, "transport flag values", complete("logs", "--transport", ""), "Orders\n")
	contains(t, "shells", complete("completion", ""), "bash", "zsh", "fish", "powershell")
	for _, args := range [][]string{{"add", "--certificate", ""}, {"edit", "x", "--ca-file", ""}, {"certificate", "new", "x", "--out", ""}, {"import", ""}} {
		// File flags and arguments: the shell completes files (directive 0).
		contains(t, "files for "+strings.Join(args, " "), "\n"+complete(args...), "\n:0\n")
	}
	if out := complete("transport", "add", "--body", "@"+filepath.Join(c.home, "bi")); !strings.Contains(out, "@"+c.binDir+"/\n") {
		t.Errorf("--body @FILE completes no file: %q", out)
	}

	// The bash script completes profile names, commands and flags in a bare
	// bash (no bash-completion package), through the binary on PATH.
	if bash, err := exec.LookPath("bash"); err == nil {
		script := filepath.Join(t.TempDir(), "completion.bash")
		if err := os.WriteFile(script, []byte(c.must(0, "", "completion", "bash").stdout), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(credctlBin, filepath.Join(c.binDir, "credctl")); err != nil {
			t.Fatal(err)
		}
		// compopt works only while bash completes for real.
		probe := `source "$1"; compopt() { :; }; try() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE};` +
			` COMPREPLY=(); __start_credctl; printf '%s\n' "${COMPREPLY[@]}"; };` +
			` try credctl show b; try credctl rot; try credctl token --f`
		cmd := exec.Command(bash, "-c", probe, "bash", script)
		cmd.Env = c.environ()
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("bash completion: %v\n%s%s", err, out, stderr.String())
		}
		if got := string(out); got != "billing\\ app\nrotate-secret\n--fresh\n" {
			t.Fatalf("bash completion gave %q\n%s", got, stderr.String())
		}
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/internal/testmgmt"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// TestSecretsLifecycleNoLeaks runs the IdP secret lifecycle (#26) with
// recognisable secrets — a management profile's secret, an Okta API token
// (SSWS) read from stdin, the secrets the IdP mints on every rotation — and
// searches every file under HOME, the export, every stdout and stderr, and
// the command lines and environments of the credctl processes: none may
// hold any of them (the log and `credctl logs` hold key IDs only).
func TestSecretsLifecycleNoLeaks(t *testing.T) {
	requireKeyring(t)
	appSecret, auditSecret := canary("app"), canary("audit")
	idp := testidp.Start(t, testidp.WithManagement(testidp.Management{}),
		testidp.WithClientSecrets(testidp.AppClientID, appSecret), testidp.WithClientSecrets(testidp.AuditorClientID, auditSecret))
	mg := testmgmt.Start(t, idp, testmgmt.WithApp(testmgmt.App{Kind: idpadmin.Entra, ClientID: testidp.AppClientID}),
		testmgmt.WithApp(testmgmt.App{Kind: idpadmin.Okta, ClientID: testidp.AuditorClientID}))
	c := newCLI(t)
	c.env = append(c.env, "XDG_CACHE_HOME="+filepath.Join(c.home, ".cache"), "XDG_DATA_HOME="+filepath.Join(c.home, ".local", "share"))
	w := &leakWatch{t: t, c: c}

	w.must(0, testidp.ManagerClientSecret+"\n", "add", "--name", "manager", "--type", "application", "--token-url", idp.TokenURL,
		"--client-id", testidp.ManagerClientID, "--client-secret-stdin", "--scope", testidp.ManagementScopes,
		"--management-api", "entra", "--management-url", mg.BaseURL(idpadmin.Entra))
	w.must(0, appSecret+"\n", "add", "--name", "billing", "--type", "application", "--token-url", idp.TokenURL,
		"--client-id", testidp.AppClientID, "--client-secret-stdin", "--scope", testidp.AppScopes,
		"--management-profile", "manager", "--management-api", "entra", "--management-url", mg.BaseURL(idpadmin.Entra))
	// The Okta app is managed with an SSWS token read after its secret.
	w.must(0, auditSecret+"\n"+mg.OktaAPIToken+"\n", "add", "--name", "audit", "--type", "application", "--token-url", idp.TokenURL,
		"--client-id", testidp.AuditorClientID, "--client-secret-stdin", "--scope", "okta.apps.read",
		"--management-api", "okta", "--management-url", mg.BaseURL(idpadmin.Okta), "--management-token-stdin", "--max-secret-age", "90d")

	minted := []string{}
	keep := func(name string) {
		p := decode[profileJSON](t, w.must(0, "", "show", name, "--json").stdout)
		minted = append(minted, keyringValue(t, p.ID, credentials.ClientSecret))
	}
	w.must(0, "", "rotate-secret", "billing", "--at-idp")
	keep("billing")
	w.must(0, "", "rotate-secret", "audit", "--at-idp", "--revoke-old-after", "7d")
	keep("audit")
	w.must(0, "", "idp", "pending")
	w.must(0, "", "idp", "complete", "audit")
	w.must(0, "", "idp", "refresh", "billing")
	w.must(8, "", "idp", "secrets", "--management-profile", "manager", "--within", "800d")
	w.must(8, "", "idp", "secrets", "--management-profile", "manager", "--within", "800d", "--json")
	// Error paths: the mint refused, the revocation refused.
	mg.SetFault(idpadmin.Entra, testmgmt.OpMint, testmgmt.Fault{Deny: true, Count: 1})
	w.must(exitAuth, "", "rotate-secret", "billing", "--at-idp")
	mg.SetFault(idpadmin.Entra, testmgmt.OpRevoke, testmgmt.Fault{Status: 500})
	r := w.start(t.Context(), "", "rotate-secret", "billing", "--at-idp")()
	keep("billing")
	if r.code == 0 || !strings.Contains(r.stdout, "revoke step failed") {
		t.Fatalf("revoke fault: %d %s %s", r.code, r.stdout, r.stderr)
	}
	mg.ClearFaults()
	w.must(0, "", "idp", "complete", "billing")
	w.must(0, "", "show", "billing")
	w.must(0, "", "show", "audit", "--json")
	w.must(0, "", "test", "--all")
	exportFile := filepath.Join(t.TempDir(), "export.json")
	w.must(0, "", "export", exportFile)
	w.must(0, "", "logs", "--profile", "billing")
	logs := w.must(0, "", "logs", "--profile", "billing", "--json")
	if !strings.Contains(logs.stdout, "secret minted") || !strings.Contains(logs.stdout, "newKeyId") {
		t.Errorf("the audit log lacks the mint: %s", logs.stdout)
	}
	time.Sleep(100 * time.Millisecond)

	values := map[string]string{"app secret": appSecret, "audit secret": auditSecret, "management secret": testidp.ManagerClientSecret,
		"Okta API token": mg.OktaAPIToken}
	for i, m := range minted {
		if len(m) < 8 {
			t.Fatalf("minted secret %d looks wrong", i)
		}
		values["minted secret "+string(rune('0'+i))] = m
	}
	leakSearchAll(t, w, []string{c.home, filepath.Dir(exportFile)}, c.binDir, values)
}

// leakSearchAll fails for every value found in a file under dirs (but
// binDir), a run's stdout or stderr, or its /proc samples.
func leakSearchAll(t *testing.T, w *leakWatch, dirs []string, binDir string, values map[string]string) {
	t.Helper()
	check := func(where, text string) {
		for what, v := range values {
			if strings.Contains(text, v) {
				t.Errorf("the %s appears in %s", what, where)
			}
		}
	}
	files := 0
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() || filepath.Dir(p) == binDir {
				return err
			}
			b, err := os.ReadFile(p)
			files++
			check("the file "+p, string(b))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range w.runs {
		name := "credctl " + strings.Join(r.args, " ")
		check("the standard output of "+name, r.stdout)
		check("the standard error of "+name, r.stderr)
		for _, p := range r.proc {
			check("/proc of "+name, p)
		}
	}
	if files < 3 {
		t.Fatalf("searched %d files: too few", files)
	}
}

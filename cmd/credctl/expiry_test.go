package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// --secret-expires on add, edit and rotate-secret; the expiry in list, show
// and --json; `credctl expiring` lists what expires within the window and
// exits 8 when anything does, 0 otherwise.
func TestSecretExpiry(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithClientSecrets(testidp.AppClientID, testidp.AppClientSecret, newSecret))
	c := newCLI(t)
	now := time.Now().UTC()
	soon := now.AddDate(0, 0, 40).Format("2006-01-02")
	later := now.AddDate(0, 0, 90).Format("2006-01-02")
	past := now.AddDate(0, 0, -3).Format("2006-01-02")

	c.must(exitUsage, testidp.AppClientSecret+"\n", "add", "--name", "bad date", "--type", "application",
		"--token-url", idp.TokenURL, "--client-id", testidp.AppClientID, "--client-secret-stdin", "--secret-expires", "31.12.2027")
	addApp(t, c, idp, "soon", "--secret-expires", soon, "--no-test")
	addApp(t, c, idp, "later", "--secret-expires", later, "--no-test")
	addApp(t, c, idp, "unknown", "--no-test")

	o := c.must(0, "", "expiring")
	contains(t, "expiring", o.stdout, "No client secret or certificate expires within 30d")
	c.must(0, "", "test", "soon")
	o = c.must(0, "", "edit", "soon", "--secret-expires", past) // a date note keeps the test result
	shown := decode[profileJSON](t, c.must(0, "", "show", "soon", "--json").stdout)
	if shown.CredentialExp == nil || !shown.CredentialExp.Expired || shown.CredentialExp.Credential != "client secret" ||
		shown.CredentialExp.ExpiresAt.Format("2006-01-02") != past || shown.Status.State != "Active" {
		t.Fatalf("show --json after edit: %+v %+v", shown.CredentialExp, shown.Status)
	}
	o = c.must(0, "", "list")
	contains(t, "list", o.stdout, "SECRET/CERT", "expired "+past, "in 90 days")

	o = c.must(exitExpiring, "", "expiring")
	contains(t, "expiring", o.stdout, "soon", "EXPIRED", past)
	if strings.Contains(o.stdout, "later") || strings.Contains(o.stdout, "unknown") {
		t.Errorf("expiring lists too much:\n%s", o.stdout)
	}
	o = c.must(exitExpiring, "", "expiring", "--within", "120d", "--json")
	var items []map[string]any
	if err := json.Unmarshal([]byte(o.stdout), &items); err != nil || len(items) != 2 {
		t.Fatalf("expiring --json: %v\n%s", err, o.stdout)
	}
	c.must(exitUsage, "", "expiring", "--within", "soon")

	// Rotation records the new secret's date; the old date goes only when
	// told (--no-secret-expiry), never by leaving the date out.
	c.must(0, newSecret+"\n", "rotate-secret", "soon", "--new-secret-stdin", "--secret-expires", later)
	shown = decode[profileJSON](t, c.must(0, "", "show", "soon", "--json").stdout)
	if shown.CredentialExp == nil || shown.CredentialExp.Expired || shown.CredentialExp.ExpiresAt.Format("2006-01-02") != later {
		t.Fatalf("after rotation: %+v", shown.CredentialExp)
	}
	c.must(exitUsage, testidp.AppClientSecret+"\n", "rotate-secret", "soon", "--new-secret-stdin")
	c.must(0, testidp.AppClientSecret+"\n", "rotate-secret", "soon", "--new-secret-stdin", "--no-secret-expiry")
	if shown = decode[profileJSON](t, c.must(0, "", "show", "soon", "--json").stdout); shown.CredentialExp != nil {
		t.Fatalf("the old secret's date survived a rotation: %+v", shown.CredentialExp)
	}
	c.must(0, "", "edit", "later", "--secret-expires", "none")
	c.must(0, "", "expiring", "--within", "365d")

	// The help documents exit code 8.
	contains(t, "help", c.must(0, "", "expiring", "--help").stdout, "8  credctl expiring")
}

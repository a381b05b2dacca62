package main

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/logfile"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

const invoiceEnvelope = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetInvoice xmlns="urn:billing"/></soap:Body></soap:Envelope>`

func TestTransportCommands(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	addApp(t, c, idp, "backend", "--tenant", testidp.TenantID)
	cfg := testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource, TenantHeader: "X-TENANT-ID"}
	api := testapi.StartJSON(t, cfg)
	adminCfg := cfg
	adminCfg.Scope = "api:admin"
	adminAPI := testapi.StartJSON(t, adminCfg)
	soap := testapi.StartSOAP11(t, cfg, testapi.FromWSSecurity)
	envFile := filepath.Join(c.home, "invoice.xml")
	if err := os.WriteFile(envFile, []byte(invoiceEnvelope), 0o600); err != nil {
		t.Fatal(err)
	}

	c.must(0, "", "transport", "add", "--name", "Orders", "--type", "http", "--url", api.URL+"/orders",
		"--header", "Accept: application/json", "--credential", "backend", "--timeout", "20s")
	c.must(0, "", "transport", "add", "--name", "Billing", "--type", "ws_soap", "--url", soap.URL,
		"--soap-version", "1.1", "--soap-action", "urn:billing:GetInvoice", "--body", "@"+envFile,
		"--credential", "backend", "--token-in", "wsse")
	c.must(0, "", "transport", "add", "--name", "Admin", "--type", "http", "--url", adminAPI.URL, "--credential", "backend")
	c.must(0, `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Fail/></soap:Body></soap:Envelope>`,
		"transport", "add", "--name", "Broken op", "--type", "ws_soap", "--url", soap.URL, "--body", "-",
		"--credential", "backend", "--token-in", "wsse")
	c.must(0, "", "transport", "add", "--name", "Down", "--type", "http", "--url", "http://127.0.0.1:"+strconv.Itoa(closedPort(t)), "--credential", "backend")
	c.must(0, "", "transport", "add", "--name", "Nobody", "--type", "http", "--url", api.URL)
	// A header with a credential is refused, and its value is not repeated.
	o := c.must(4, "", "transport", "add", "--name", "Leaky", "--type", "http", "--url", api.URL, "--header", "Authorization: Bearer sekrit-123")
	contains(t, "refusal", o.stderr, "--header", "Authorization header carries a secret")
	noSecret(t, o, "sekrit-123")
	c.must(2, "", "transport", "list", "--url", "x") // a flag list does not take

	o = c.must(0, "", "transport", "list")
	contains(t, "list", o.stdout, "Orders", "HTTP", "backend", "never run", "Nobody", "None")

	o = c.must(0, "", "transport", "run", "Orders")
	contains(t, "run", o.stdout, "HTTP 200 OK", `"tenant": "tenant-42"`)
	o = c.must(0, "", "transport", "run", "billing", "--json")
	run := decode[runJSON](t, o.stdout)
	if run.Status != 200 || !strings.Contains(run.Body, "GetInvoiceResponse") || run.Outcome != "ok" {
		t.Fatalf("run --json: %+v", run)
	}
	tok := c.must(0, "", "token", "backend").stdout
	noSecret(t, o, strings.TrimSpace(tok))

	o = c.must(5, "", "transport", "run", "Admin")
	contains(t, "scope refusal", o.stderr, "insufficient_scope", "the API wants api:admin; the token has api:read api:write")
	o = c.must(1, "", "transport", "run", "Broken op", "--json")
	if run := decode[runJSON](t, o.stdout); run.Fault == nil || run.Fault.Code != "soap:Server" || run.ExitCode != 1 {
		t.Fatalf("fault run: %+v", run)
	}
	c.must(6, "", "transport", "run", "Down")
	// The IdP refuses the token request: exit 5, with the IdP's reason and the advice.
	c.must(0, "wrong-secret-77\n", "add", "--name", "wrong", "--type", "application", "--token-url", idp.TokenURL,
		"--client-id", testidp.AppClientID, "--client-secret-stdin", "--scope", testidp.AppScopes)
	c.must(0, "", "transport", "add", "--name", "Refused", "--type", "http", "--url", api.URL, "--credential", "wrong")
	o = c.must(5, "", "transport", "run", "Refused")
	contains(t, "idp refusal", o.stderr, "no token was generated", "invalid_client", "Verify the client ID and client secret")
	noSecret(t, o, "wrong-secret-77")
	c.must(0, "", "transport", "delete", "Refused", "--yes")
	c.must(0, "", "delete", "wrong", "--yes")
	o = c.must(5, "", "transport", "run", "Nobody")
	contains(t, "no token sent", o.stderr, "sends no token", "Ensure a credential is selected in Authorization")

	o = c.must(0, "", "transport", "show", "orders", "--json")
	shown := decode[transportJSON](t, o.stdout)
	if shown.Credential != "backend" || shown.LastRun == nil || !shown.LastRun.OK || shown.LastRun.StatusCode != 200 || shown.Timeout != "20s" {
		t.Fatalf("show --json: %+v", shown)
	}

	// Export carries the transports (by profile name, no secret, no token); import links them again.
	o = c.must(0, "", "export")
	contains(t, "export", o.stdout, `"transports"`, `"profile": "backend"`)
	noSecret(t, o, testidp.AppClientSecret, strings.TrimSpace(tok))
	c2 := newCLI(t)
	exp := filepath.Join(c2.home, "export.json")
	if err := os.WriteFile(exp, []byte(o.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	o = c2.must(0, "", "import", exp)
	contains(t, "import", o.stdout, "Imported 1 profile(s)", "Imported 6 transport(s)")
	contains(t, "imported list", c2.must(0, "", "transport", "list").stdout, "Billing", "backend")

	// Rename keeps the link; delete of a used profile refuses without --force.
	c.must(0, "", "edit", "backend", "--rename", "backend v2")
	contains(t, "after rename", c.must(0, "", "transport", "show", "Orders").stdout, "backend v2")
	o = c.must(2, "", "delete", "backend v2", "--yes")
	contains(t, "delete refusal", o.stderr, `"Admin"`, `"Billing"`, `"Orders"`, "--force")
	c.must(0, "", "show", "backend v2")
	o = c.must(0, "", "delete", "backend v2", "--yes", "--force")
	contains(t, "forced delete", o.stderr, "will have no credential")
	contains(t, "list after delete", c.must(0, "", "transport", "list").stdout, "no credential")
	o = c.must(4, "", "transport", "run", "Orders")
	contains(t, "deleted credential", o.stderr, "was deleted", "Ensure a credential is selected")

	// Edit and delete of the transport itself.
	c.must(0, "", "transport", "edit", "Nobody", "--rename", "Public", "--method", "HEAD")
	contains(t, "edited", c.must(0, "", "transport", "show", "public").stdout, "HEAD")
	c.must(2, "", "transport", "delete", "Public") // no terminal, no --yes
	c.must(0, "", "transport", "delete", "Public", "--yes")
	c.must(3, "", "transport", "show", "Public")

	// Nothing secret in the transports file.
	b, err := os.ReadFile(filepath.Join(c.home, ".config", "credworkbench", "transports.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), strings.TrimSpace(tok)) || strings.Contains(string(b), testidp.AppClientSecret) {
		t.Fatal("the transports file holds a token or the client secret")
	}
}

func TestLogsCommand(t *testing.T) {
	c := newCLI(t)
	path := filepath.Join(c.home, ".local", "state", "credworkbench", logfile.FileName)
	w, err := logfile.OpenWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	log := logfile.NewLogger(w, "credworkbench")
	log.Info("profile tested", "profile", "backend", "status", "Active")
	log.Warn("profile failed", "profile", "legacy", "category", "credentials", "error", "the IdP refused the client (IdP said: invalid_client)")
	log.Warn("transport run", "transport", "Orders", "profile", "backend", "status", 403, "error", "insufficient_scope")

	o := c.must(0, "", "logs")
	contains(t, "all", o.stdout, "profile tested", "invalid_client", "transport run")
	o = c.must(0, "", "logs", "--profile", "LEGACY")
	if strings.Contains(o.stdout, "backend") || !strings.Contains(o.stdout, "invalid_client") {
		t.Fatalf("--profile filter:\n%s", o.stdout)
	}
	o = c.must(0, "", "logs", "--transport", "orders", "--level", "warn")
	if strings.Count(strings.TrimSpace(o.stdout), "\n") != 0 || !strings.Contains(o.stdout, "status=403") {
		t.Fatalf("--transport filter:\n%s", o.stdout)
	}
	c.must(2, "", "logs", "--level", "loud")

	// --follow prints what is written after it started.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd, _, _ := c.command(ctx, "", "logs", "--follow", "--profile", "backend")
	cmd.Stdout = nil
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func(after <-chan time.Time) (string, bool) {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("credctl logs --follow ended")
			}
			return l, true
		case <-after:
			return "", false
		case <-ctx.Done():
			t.Fatal("credctl logs --follow printed nothing more")
		}
		return "", false
	}
	// Ready: it has printed the two events of backend already written
	// (read before it follows).
	for range 2 {
		if l, _ := next(nil); !strings.Contains(l, "backend") {
			t.Fatalf("--follow printed %q before following", l)
		}
	}
	// Between that read and the start of following lies a moment in which
	// a new line would be missed: write again until one is printed.
	var got []string
	for len(got) == 0 || !strings.Contains(got[len(got)-1], "profile renewed") {
		log.Info("profile renewed", "profile", "other")
		log.Info("profile renewed", "profile", "backend", "status", "Active")
		for {
			l, ok := next(time.After(time.Second)) // following polls every 500 ms
			if !ok {
				break
			}
			got = append(got, l)
			if strings.Contains(l, "profile renewed") {
				break
			}
		}
	}
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
	last := got[len(got)-1]
	if !strings.Contains(last, "profile renewed") || !strings.Contains(last, `profile="backend"`) {
		t.Fatalf("--follow output: %q", got)
	}
}

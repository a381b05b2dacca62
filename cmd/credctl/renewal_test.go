package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// browserLogin runs `credctl login NAME` and logs in at the test IdP as
// the user would in the browser credctl opens.
func browserLogin(t *testing.T, c *cli, urlFile, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd, stdout, stderr := c.command(ctx, "", "login", name, "--timeout", "60s")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := testidp.BrowserLogin(ctx, waitForFile(t, urlFile, 30*time.Second), testidp.Username, testidp.Password); err != nil {
		t.Fatalf("browser login: %v\nstderr: %s", err, stderr)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("login: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
}

// A command that outlives its token's renewal point must not cost the
// session (#24.5). The IdP rotates refresh tokens and revokes the session
// when a used one comes back; its token endpoint carries a redemption out
// at once and answers 5 s later; access tokens live 8 s; the API takes 6 s.
// A one-shot credctl that renewed in the background sent a redemption
// mid-request and abandoned it on exit, keeping the used refresh token:
// the next `credctl token` failed with invalid_grant and the session was
// gone.
func TestSlowCommandKeepsRotatingSession(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithAccessTokenTTL(8*time.Second))
	api := testapi.StartJSON(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource})
	c := newCLI(t)
	urlFile := fakeBrowser(t, c)
	addUser(t, c, idp, "portal")
	slowURL := api.URL + "/slow?ms=6000"
	c.must(0, "", "transport", "add", "--name", "Slow", "--type", "http", "--url", slowURL, "--credential", "portal", "--timeout", "30s")
	browserLogin(t, c, urlFile, "portal")

	for _, cmd := range [][]string{{"request", "portal", slowURL}, {"transport", "run", "Slow"}} {
		idp.Reset(t)
		idp.SetTokenFault(t, testidp.Fault{AnswerDelay: 5 * time.Second})
		c.must(0, "", cmd...)
		grants := idp.Stats(t).Grants["refresh_token"]
		if o := c.run("", "token", "portal"); o.code != 0 {
			t.Fatalf("after `credctl %v` (%d refresh-token redemptions during it) the session is gone:\n%s", cmd, grants, o)
		}
	}
}

// rotate-secret records the new secret's expiry in the rotation itself
// (#24.1): `credctl expiring` shows the new date, and the token the
// rotation obtained serves the next `credctl token` without asking the IdP.
// Without a date for a secret that had one, it refuses and changes nothing.
func TestRotateSecretRecordsNewExpiry(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithClientSecrets(testidp.AppClientID, testidp.AppClientSecret, "rotated-secret"))
	c := newCLI(t)
	addApp(t, c, idp, "api", "--secret-expires", "2026-12-31")

	o := c.must(exitUsage, "rotated-secret\n", "rotate-secret", "api", "--new-secret-stdin")
	contains(t, "rotate-secret without a date", o.stderr, "2026-12-31", "--secret-expires", "--no-secret-expiry")
	contains(t, "expiring after a refused rotation", c.must(8, "", "expiring", "--within", "36500d").stdout, "2026-12-31")

	c.must(0, "rotated-secret\n", "rotate-secret", "api", "--new-secret-stdin", "--secret-expires", "2027-06-30")
	out := c.must(8, "", "expiring", "--within", "36500d").stdout
	contains(t, "expiring after the rotation", out, "2027-06-30")
	if strings.Contains(out, "2026-12-31") {
		t.Fatalf("the old date is still listed:\n%s", out)
	}
	idp.Reset(t)
	tok := decode[tokenJSON](t, c.must(0, "", "token", "api", "--json").stdout)
	if !tok.Cached || tokenRequests(t, idp) != 0 {
		t.Fatalf("credctl token after the rotation asked the IdP (cached %v, %d requests)", tok.Cached, tokenRequests(t, idp))
	}
}

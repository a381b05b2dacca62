package main

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// seedApps stores n Application profiles of idp in c's store in one write,
// with their client secrets in the real keyring (removed at the end).
func seedApps(b *testing.B, c *cli, idp *testidp.IdP, n int, secrets bool) *oauthflow.Service {
	b.Helper()
	wb, repo := workbenchRepo(b, c, nil)
	entries := make([]credentials.ImportEntry, n)
	for i := range n {
		p := credentials.Profile{Name: fmt.Sprintf("bench %05d", i), Type: credentials.TypeApplication,
			TokenURL: idp.TokenURL, ClientID: testidp.AppClientID, Scope: testidp.AppScopes}
		p.Normalize()
		entries[i] = credentials.ImportEntry{Index: i, Profile: p}
	}
	if _, err := repo.Import(entries, false); err != nil {
		b.Fatal(err)
	}
	if !secrets {
		return wb
	}
	ps, err := repo.List()
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range ps {
		if err := repo.Secrets.Set(p.ID, credentials.ClientSecret, testidp.AppClientSecret); err != nil {
			b.Fatal(err)
		}
	}
	b.Cleanup(func() {
		for _, p := range ps {
			_ = repo.Secrets.Delete(p.ID, credentials.ClientSecret)
			_ = repo.Secrets.Delete(p.ID, credentials.TokenCache)
		}
	})
	return wb
}

// BenchmarkTargetCLITestAll: `credctl test --all` over 200 profiles (process
// start and 200 keyring reads included) against one process making 200
// keep-alive token POSTs at concurrency 8 (this test process). Target ≤ 1.5×.
// The floor adds to each POST what the keyring itself costs a test (read
// the client secret, store the token; see oauthflow's BenchmarkTargetTestAll).
// Run: scripts/test.sh -run '^$' -bench TargetCLI -benchtime 3x ./cmd/credctl/
func BenchmarkTargetCLITestAll(b *testing.B) {
	requireKeyring(b)
	idp := testidp.Start(b)
	c := newCLI(b)
	c.t = b
	wb := seedApps(b, c, idp, 200, true)
	ps, err := wb.Profiles()
	if err != nil {
		b.Fatal(err)
	}
	post := testenv.TokenPOST{Client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}},
		TokenURL: idp.TokenURL, ClientID: testidp.AppClientID, ClientSecret: testidp.AppClientSecret, Scope: testidp.AppScopes}
	f := testenv.NewSecretServiceFloor(b, credentials.KeyringService)
	testenv.RatioFloor(b, 1.5, func() {
		c.must(0, "", "test", "--all")
	}, func() {
		post.Run(b, len(ps), 8, nil)
	}, func() {
		post.Run(b, len(ps), 8, func(i int, post func() []byte) {
			if err := f.Read(ps[i].ID + "/" + string(credentials.ClientSecret)); err != nil {
				b.Error(err)
			}
			if err := f.Store(ps[i].ID+"/"+string(credentials.TokenCache), string(post())); err != nil {
				b.Error(err)
			}
		})
	})
}

// BenchmarkTargetCLITokenCached: `credctl token` handing out a valid cached
// token against `secret-tool lookup` of one Secret Service item. Target ≤ 0.5×.
// The floor is internal/testenv/sslookup: a Go process that only connects
// to the session bus and reads that one item (open a session, search, get),
// the least any Go client does to hand out a keyring entry. start-ms is
// `credctl --version` (the process start alone), timed right after.
func BenchmarkTargetCLITokenCached(b *testing.B) {
	requireKeyring(b)
	st, err := exec.LookPath("secret-tool")
	if err != nil {
		testenv.Unavailable(b, "secret-tool is not installed (apt install libsecret-tools)")
	}
	lookup := buildTool(b, "../../internal/testenv/sslookup")
	idp := testidp.Start(b)
	c := newCLI(b)
	c.t = b
	addApp(b, c, idp, "api")
	wb := workbench(b, c, nil)
	if _, err := wb.Token(context.Background(), "api"); err != nil {
		b.Fatal(err)
	}
	p, _ := wb.Profile("api")
	user := p.ID + "/" + string(credentials.ClientSecret)
	testenv.RatioFloor(b, 0.5, func() {
		c.must(0, "", "token", "api")
	}, func() {
		out, err := exec.Command(st, "lookup", "service", credentials.KeyringService, "username", user).Output()
		if err != nil || len(out) == 0 {
			b.Fatalf("secret-tool lookup: %v", err)
		}
	}, func() {
		out, err := exec.Command(lookup, credentials.KeyringService, user).Output() // #nosec G204 -- the benchmark's own tool
		if err != nil || len(out) == 0 {
			b.Fatalf("sslookup: %v", err)
		}
	})
	// The process start alone, as many times right after (b.Loop's reset
	// would drop a metric reported before it).
	t := time.Now()
	for range b.N {
		c.must(0, "", "--version")
	}
	b.ReportMetric(float64(time.Since(t).Microseconds())/1000/float64(b.N), "start-ms")
}

// BenchmarkTargetCLIList: `credctl list` over 10,000 profiles against
// `cat profiles.json | jq length`. Target ≤ 3×.
func BenchmarkTargetCLIList(b *testing.B) {
	jq, err := exec.LookPath("jq")
	if err != nil {
		testenv.Unavailable(b, "jq is not installed (apt install jq)")
	}
	idp := testidp.Start(b)
	c := newCLI(b)
	c.t = b
	wb := seedApps(b, c, idp, 10000, false)
	path := wb.StorePath()
	testenv.Ratio(b, 3, func() {
		c.must(0, "", "list")
	}, func() {
		// #nosec G204 -- the benchmark's own temp file and jq from PATH
		out, err := exec.Command("sh", "-c", `cat "$1" | "$2" '.profiles | length'`, "sh", path, jq).Output()
		if err != nil || strings.TrimSpace(string(out)) != "10000" {
			b.Fatalf("cat | jq: %v %q", err, out)
		}
	})
}

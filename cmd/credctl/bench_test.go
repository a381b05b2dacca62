package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// BenchmarkToken compares, against the same local test IdP, getting a
// client-credentials token with credctl (a fresh fetch and a cached one) and
// with curl doing the bare token POST. Each iteration is one process start.
// Run: make bench, or
//
//	scripts/test.sh -run '^$' -bench Token -benchtime 2s ./cmd/credctl/
//
// oauth2c (github.com/cloudentity/oauth2c) is not in the Go module proxy
// (403 "not available"), so it is not part of the comparison.
func BenchmarkToken(b *testing.B) {
	requireKeyring(b)
	idp := testidp.Start(b)
	c := newCLI(b)
	addApp(b, c, idp, "api")

	sub := func(b *testing.B) *cli { cc := *c; cc.t = b; return &cc }
	b.Run("credctl-fresh", func(b *testing.B) {
		cc := sub(b)
		for b.Loop() {
			cc.must(0, "", "token", "api", "--fresh")
		}
	})
	b.Run("credctl-cached", func(b *testing.B) {
		cc := sub(b)
		cc.must(0, "", "token", "api") // fill the cache
		idp.Reset(b)
		for b.Loop() {
			cc.must(0, "", "token", "api")
		}
		if n := tokenRequests(b, idp); n != 0 {
			b.Fatalf("cached token calls reached the IdP %d times", n)
		}
	})
	b.Run("curl", func(b *testing.B) {
		curl, err := exec.LookPath("curl")
		if err != nil {
			b.Skip("curl is not installed")
		}
		for b.Loop() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			// The test client's well-known secret; a real one never goes in argv.
			out, err := exec.CommandContext(ctx, curl, "-sSf", "-u", testidp.AppClientID+":"+testidp.AppClientSecret,
				"-d", "grant_type=client_credentials", "--data-urlencode", "scope="+testidp.AppScopes, idp.TokenURL).CombinedOutput()
			cancel()
			if err != nil {
				b.Fatalf("curl: %v\n%s", err, out)
			}
		}
	})
}

// BenchmarkColdTokens measures 20 `credctl token` started at once on a cold
// cache (each op: the cached token removed, then 20 processes) against one
// `credctl token` on a cold cache; idp-requests/op must be 1 for both.
// Run: scripts/test.sh -run '^$' -bench ColdTokens -benchtime 5x ./cmd/credctl/
func BenchmarkColdTokens(b *testing.B) {
	requireKeyring(b)
	idp := testidp.Start(b)
	c := newCLI(b)
	addApp(b, c, idp, "api")
	wb := workbench(b, c, nil)
	p, err := wb.Profile("api")
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 20} {
		b.Run(fmt.Sprintf("processes-%d", n), func(b *testing.B) {
			cc := *c
			cc.t = b
			idp.Reset(b)
			for b.Loop() {
				b.StopTimer()
				if err := wb.Tokens.Delete(p.ID); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				var wg sync.WaitGroup
				for range n {
					wg.Add(1)
					go func() {
						defer wg.Done()
						cc.must(0, "", "token", "api")
					}()
				}
				wg.Wait()
			}
			b.ReportMetric(float64(tokenRequests(b, idp))/float64(b.N), "idp-requests/op")
		})
	}
}

// BenchmarkWorkbenchToken measures `credctl token` handing out the token a
// workbench (a Service in this process) obtained, against `secret-tool
// lookup` reading one keyring item (a C client's keyring read).
// Run: scripts/test.sh -run '^$' -bench WorkbenchToken -benchtime 2s ./cmd/credctl/
func BenchmarkWorkbenchToken(b *testing.B) {
	requireKeyring(b)
	idp := testidp.Start(b)
	c := newCLI(b)
	addApp(b, c, idp, "api")
	wb := workbench(b, c, nil)
	tok, err := wb.Token(context.Background(), "api")
	if err != nil {
		b.Fatal(err)
	}
	p, _ := wb.Profile("api")
	b.Run("credctl-token", func(b *testing.B) {
		cc := *c
		cc.t = b
		idp.Reset(b)
		for b.Loop() {
			if o := cc.must(0, "", "token", "api"); strings.TrimSpace(o.stdout) != tok.AccessToken {
				b.Fatal("credctl did not print the workbench's token")
			}
		}
		if n := tokenRequests(b, idp); n != 0 {
			b.Fatalf("the IdP saw %d token requests", n)
		}
	})
	b.Run("secret-tool-lookup", func(b *testing.B) {
		st, err := exec.LookPath("secret-tool")
		if err != nil {
			testenv.Unavailable(b, "secret-tool is not installed (apt install libsecret-tools)")
		}
		for b.Loop() {
			out, err := exec.Command(st, "lookup", "service", credentials.KeyringService, "username", p.ID+"/"+string(credentials.ClientSecret)).Output()
			if err != nil || len(out) == 0 {
				b.Fatalf("secret-tool lookup: %v", err)
			}
		}
	})
}

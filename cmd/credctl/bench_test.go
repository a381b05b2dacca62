package main

import (
	"context"
	"os/exec"
	"testing"
	"time"

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

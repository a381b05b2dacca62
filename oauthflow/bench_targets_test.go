package oauthflow

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// BenchmarkTargetTestAll is the "Test all" rows: Service.TestAll
// over n Application profiles (default bound 8) against n bare keep-alive
// token POSTs to the same IdP at the same concurrency, both in every
// iteration. state-writes/op is how often the bookkeeping file was written
// per Test all (target ≤ 20). With the real Secret Service a third run, the
// floor, adds to each bare POST what the keyring itself costs a test (read
// the client secret, store the token: testenv.SecretServiceFloor, straight
// over D-Bus), and x-floor is Test all against that.
// Run: make bench, or
//
//	scripts/test.sh -run '^$' -bench TargetTestAll -benchtime 3x ./oauthflow/
func BenchmarkTargetTestAll(b *testing.B) {
	idp := testidp.Start(b)
	for _, c := range []struct {
		n      int
		real   bool
		target float64 // #29: 1.3× for 200 and 1.5× for 1,000 with the Secret Service
	}{{200, true, 1.3}, {200, false, 1.3}, {1000, true, 1.5}, {1000, false, 1.3}} {
		n := c.n
		name := fmt.Sprintf("profiles=%d/keyring=memory", n)
		if c.real {
			name = fmt.Sprintf("profiles=%d/keyring=secret-service", n)
		}
		b.Run(name, func(b *testing.B) {
			var kr credentials.Keyring
			if c.real {
				testenv.RequireKeyring(b)
			} else {
				kr = testenv.NewMemKeyring()
			}
			s := ccService(b, kr)
			ps := importApps(b, s, n, idp.TokenURL)
			b.Cleanup(func() {
				for _, p := range ps {
					_ = s.repo.Secrets.Delete(p.ID, credentials.ClientSecret)
					_ = s.repo.Secrets.Delete(p.ID, credentials.TokenCache)
				}
			})
			ctx := context.Background()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: DefaultTestAllConcurrency}}
			post := testenv.TokenPOST{Client: client, TokenURL: idp.TokenURL, ClientID: testidp.AppClientID,
				ClientSecret: testidp.AppClientSecret, Scope: "api:read"}
			bare := func() { post.Run(b, n, DefaultTestAllConcurrency, nil) }
			var floor func()
			if c.real {
				f := testenv.NewSecretServiceFloor(b, credentials.KeyringService)
				floor = func() {
					post.Run(b, n, DefaultTestAllConcurrency, func(i int, post func() []byte) {
						if err := f.Read(ps[i].ID + "/" + string(credentials.ClientSecret)); err != nil {
							b.Error(err)
						}
						if err := f.Store(ps[i].ID+"/"+string(credentials.TokenCache), string(post())); err != nil {
							b.Error(err)
						}
					})
				}
			}
			writes := s.repo.Store.StateWrites()
			testenv.RatioFloor(b, c.target, func() {
				rs, err := s.TestAll(ctx, 0)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range rs {
					if !r.Active() {
						b.Fatalf("%s: %s %v", r.Name, r.Status, r.Failure)
					}
				}
			}, bare, floor)
			b.ReportMetric(float64(s.repo.Store.StateWrites()-writes)/float64(b.N), "state-writes/op")
		})
	}
}

package oauthflow

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// BenchmarkTargetTestAll is the "Test all" rows: Service.TestAll
// over n Application profiles (default bound 8) against n bare keep-alive
// token POSTs to the same IdP at the same concurrency, both in every
// iteration. state-writes/op is how often the bookkeeping file was written
// per Test all (target ≤ 20). 200 profiles run with the real Secret Service
// (under scripts/test.sh) and with an in-memory keyring; 1,000 only with
// the in-memory one: gnome-keyring searches every item per lookup, and with
// 1,000 profiles' secrets and tokens in it single reads took over the 15 s
// keyring deadline on the project machine.
// Run: make bench, or
//
//	scripts/test.sh -run '^$' -bench TargetTestAll -benchtime 3x ./oauthflow/
func BenchmarkTargetTestAll(b *testing.B) {
	idp := testidp.Start(b)
	for _, c := range []struct {
		n    int
		real bool
	}{{200, true}, {200, false}, {1000, false}} {
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
					_ = s.Repo.Secrets.Delete(p.ID, credentials.ClientSecret)
					_ = s.Repo.Secrets.Delete(p.ID, credentials.TokenCache)
				}
			})
			ctx := context.Background()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: DefaultTestAllConcurrency}}
			form := url.Values{"grant_type": {"client_credentials"}, "scope": {"api:read"}}.Encode()
			bare := func() {
				sem := make(chan struct{}, DefaultTestAllConcurrency)
				var wg sync.WaitGroup
				for range n {
					sem <- struct{}{}
					wg.Add(1)
					go func() {
						defer wg.Done()
						defer func() { <-sem }()
						req, _ := http.NewRequest(http.MethodPost, idp.TokenURL, strings.NewReader(form))
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						req.SetBasicAuth(testidp.AppClientID, testidp.AppClientSecret)
						resp, err := client.Do(req)
						if err != nil || resp.StatusCode != http.StatusOK {
							b.Error("bare POST", err)
							return
						}
						resp.Body.Close()
					}()
				}
				wg.Wait()
			}
			writes := s.Repo.Store.StateWrites()
			testenv.Ratio(b, 1.3, func() {
				rs, err := s.TestAll(ctx, 0)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range rs {
					if !r.Active() {
						b.Fatalf("%s: %s %v", r.Name, r.Status, r.Failure)
					}
				}
			}, bare)
			b.ReportMetric(float64(s.Repo.Store.StateWrites()-writes)/float64(b.N), "state-writes/op")
		})
	}
}

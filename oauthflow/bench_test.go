package oauthflow

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// BenchmarkTokenFetch: one client-credentials grant against the local IdP,
// by this package, by plain net/http, and by curl doing the same POST
// (curl's figure includes starting the process, as a script would).
// Run: go test -run '^$' -bench . ./oauthflow/   (see docs/benchmarks.md)
func BenchmarkTokenFetch(b *testing.B) {
	idp := testidp.Start(b)
	s := ccService(b, testenv.NewMemKeyring())
	p := ccSave(b, s, ccApp("bench", idp.TokenURL), testidp.AppClientSecret)
	ctx := context.Background()

	b.Run("oauthflow", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := (protocol{s}).fetchClientCredentials(ctx, p, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("oauthflow-Test", func(b *testing.B) {
		// Test adds the single-flight, bookkeeping (a locked file write) and events.
		for b.Loop() {
			if res, err := s.Test(ctx, p.ID); err != nil || !res.Active() {
				b.Fatal(err, res.Failure)
			}
		}
	})
	b.Run("net-http", func(b *testing.B) {
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {"api:read"}}.Encode()
		for b.Loop() {
			req, _ := http.NewRequest(http.MethodPost, idp.TokenURL, strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(testidp.AppClientID, testidp.AppClientSecret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 200 {
				b.Fatal(err)
			}
			resp.Body.Close()
		}
	})
	b.Run("curl", func(b *testing.B) {
		for b.Loop() {
			out, err := exec.Command("/usr/bin/curl", "-sS", "--fail", "-u", testidp.AppClientID+":"+testidp.AppClientSecret,
				"-d", "grant_type=client_credentials", "-d", "scope=api:read", idp.TokenURL).Output()
			if err != nil || !strings.Contains(string(out), "access_token") {
				b.Fatalf("curl: %v %s", err, out)
			}
		}
	})
}

// BenchmarkTestAll200: "Test all" over 200 profiles with the default bound
// (8) against testing them one after the other.
func BenchmarkTestAll200(b *testing.B) {
	idp := testidp.Start(b)
	s := ccService(b, testenv.NewMemKeyring())
	var ps []credentials.Profile
	for i := range 200 {
		ps = append(ps, ccSave(b, s, ccApp(fmt.Sprintf("bench %03d", i), idp.TokenURL), testidp.AppClientSecret))
	}
	ctx := context.Background()
	check := func(b *testing.B, rs []Result) {
		for _, r := range rs {
			if !r.Active() {
				b.Fatalf("%s: %s %v", r.Name, r.Status, r.Failure)
			}
		}
	}
	b.Run("testall-8", func(b *testing.B) {
		for b.Loop() {
			rs, err := s.TestAll(ctx, 0)
			if err != nil {
				b.Fatal(err)
			}
			check(b, rs)
		}
	})
	b.Run("net-http-8", func(b *testing.B) {
		// The IdP's own bound: 200 bare POSTs, 8 at a time, no bookkeeping.
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {"api:read"}}.Encode()
		for b.Loop() {
			sem := make(chan struct{}, 8)
			var wg sync.WaitGroup
			for range ps {
				sem <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					req, _ := http.NewRequest(http.MethodPost, idp.TokenURL, strings.NewReader(form))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.SetBasicAuth(testidp.AppClientID, testidp.AppClientSecret)
					resp, err := http.DefaultClient.Do(req)
					if err != nil || resp.StatusCode != 200 {
						b.Error(err)
						return
					}
					resp.Body.Close()
				}()
			}
			wg.Wait()
		}
	})
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			rs := make([]Result, 0, len(ps))
			for _, p := range ps {
				r, err := s.Test(ctx, p.ID)
				if err != nil {
					b.Fatal(err)
				}
				rs = append(rs, r)
			}
			check(b, rs)
		}
	})
}

package testenv

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// TokenPOST is the baseline of the Test-all benchmarks: a bare
// client-credentials POST with net/http, nothing of the app's code.
type TokenPOST struct {
	Client                 *http.Client
	TokenURL               string
	ClientID, ClientSecret string
	Scope                  string
}

// Do makes one POST and returns the token response's body.
func (p TokenPOST) Do(tb testing.TB) []byte {
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {p.Scope}}.Encode()
	req, err := http.NewRequest(http.MethodPost, p.TokenURL, strings.NewReader(form))
	if err != nil {
		tb.Error(err)
		return nil
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(p.ClientID, p.ClientSecret)
	resp, err := p.Client.Do(req)
	if err != nil {
		tb.Error("bare POST:", err)
		return nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		tb.Errorf("bare POST: %d %v", resp.StatusCode, err)
	}
	return body
}

// Run makes n POSTs, conc at a time. around, when given, wraps each: it
// gets the POST's index and the POST to make, and returns after it.
func (p TokenPOST) Run(tb testing.TB, n, conc int, around func(i int, post func() []byte)) {
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			post := func() []byte { return p.Do(tb) }
			if around == nil {
				post()
			} else {
				around(i, post)
			}
		}()
	}
	wg.Wait()
}

package idp

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"sync"
	"time"
)

// browserClient is a test browser: it keeps cookies and does not follow
// redirects by itself.
func browserClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// openStart opens the login's one-time start address in client and
// returns the authorization URL it redirects to.
func openStart(ctx context.Context, client *http.Client, startURL string) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, startURL, nil)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("start address answered %s", resp.Status)
	}
	return resp.Header.Get("Location"), nil
}

// browsers holds the browser each login was started in, by listener host:
// fetch acts as that browser (with the start cookie).
var browsers sync.Map

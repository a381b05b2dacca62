// Package idptest is a test browser for the loopback server of
// oauthflow/idp: it keeps cookies (the login's start cookie) and follows no
// redirect by itself, so a test sees each step. Tests only.
package idptest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"time"
)

// Browser is a test browser: it keeps cookies and does not follow
// redirects by itself.
func Browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// OpenStart opens a login's (or logout's) one-time start address in client
// and returns the address it redirects to.
func OpenStart(ctx context.Context, client *http.Client, startURL string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, startURL, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close() // #nosec G104 -- only the redirect's Location is wanted
	if resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("start address answered %s", resp.Status)
	}
	return resp.Header.Get("Location"), nil
}

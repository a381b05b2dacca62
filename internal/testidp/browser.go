package testidp

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// ErrLoginRejected is returned when the IdP rejects the user name or password.
var ErrLoginRejected = errors.New("testidp: login rejected")

// ChromiumPath is the browser ChromiumLogin drives.
var ChromiumPath = "/usr/bin/chromium"

type browserConfig struct {
	roots   *x509.CertPool
	jar     http.CookieJar
	authURL func(*url.URL)
	otp     string
	asked   *bool
}

// WithOTP enters a one-time code in the login form: for a user with that
// OTP the login did MFA.
func WithOTP(code string) BrowserOption {
	return func(c *browserConfig) { c.otp = code }
}

// WithCredentialsAsked sets *asked to whether the IdP showed its login form
// (false: it signed the user in from its browser session).
func WithCredentialsAsked(asked *bool) BrowserOption {
	return func(c *browserConfig) { c.asked = asked }
}

// WithAuthURL calls f with the authorization URL the browser is sent to
// (after the app's start address), so tests can check its parameters.
func WithAuthURL(f func(*url.URL)) BrowserOption {
	return func(c *browserConfig) { c.authURL = f }
}

// WithCookieJar makes BrowserLogin use jar (a browser whose cookies the
// test set up, e.g. through the app's start address).
func WithCookieJar(jar http.CookieJar) BrowserOption {
	return func(c *browserConfig) { c.jar = jar }
}

// BrowserOption configures BrowserLogin and ChromiumLogin.
type BrowserOption func(*browserConfig)

// WithRootCAs trusts pool (e.g. IdP.CAPool) for an https IdP; nil is ignored.
// ChromiumLogin cannot be given a CA and ignores certificate errors instead.
func WithRootCAs(pool *x509.CertPool) BrowserOption {
	return func(c *browserConfig) { c.roots = pool }
}

// BrowserLogin acts as the user's browser: it opens authURL, signs in as
// user, follows the redirects to the client's redirect URI (any origin other
// than the IdP's, e.g. http://127.0.0.1:PORT/callback) and loads that page
// too. It fails unless the callback page answers 200.
func BrowserLogin(ctx context.Context, authURL, user, password string, opts ...BrowserOption) error {
	_, err := BrowserLoginPage(ctx, authURL, user, password, opts...)
	return err
}

// BrowserLoginPage is BrowserLogin returning the body of the callback page.
func BrowserLoginPage(ctx context.Context, authURL, user, password string, opts ...BrowserOption) (string, error) {
	var cfg browserConfig
	for _, o := range opts {
		o(&cfg)
	}
	start, err := url.Parse(authURL)
	if err != nil {
		return "", err
	}
	var jar http.CookieJar = cfg.jar
	if jar == nil {
		jar, _ = cookiejar.New(nil)
	}
	client := &http.Client{
		Jar:       jar,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: cfg.roots}},
		// Redirects are followed by hand to notice when we leave the IdP.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()

	if isStartURL(start) {
		// The app's one-time local start address: it sets a cookie and
		// sends the browser on to the IdP.
		status, body, location, err := fetch(ctx, client, http.MethodGet, start, nil)
		if err != nil {
			return "", err
		}
		if status != http.StatusFound || location == nil {
			return body, fmt.Errorf("testidp: start address %s answered HTTP %d: %s", start.Redacted(), status, snippet(body))
		}
		start = location
	}
	if cfg.authURL != nil {
		cfg.authURL(start)
	}
	if cfg.asked != nil {
		*cfg.asked = false
	}

	method, target, form := http.MethodGet, start, url.Values(nil)
	submitted := false
	for range 20 {
		status, body, location, err := fetch(ctx, client, method, target, form)
		if err != nil {
			return "", err
		}
		if target.Scheme != start.Scheme || target.Host != start.Host {
			// Left the IdP: this is the client's redirect URI (or wherever it sent us).
			if status/100 == 3 && location != nil {
				method, target, form = http.MethodGet, location, nil
				continue
			}
			if status != http.StatusOK {
				return body, fmt.Errorf("testidp: callback %s answered HTTP %d: %s", target.Redacted(), status, snippet(body))
			}
			return body, nil
		}
		switch {
		case status/100 == 3 && location != nil:
			method, target, form = http.MethodGet, location, nil
		case strings.Contains(body, `id="login-error"`) && submitted:
			return "", fmt.Errorf("%w: %s", ErrLoginRejected, snippet(body))
		case strings.Contains(body, `id="login-form"`):
			action, err := formAction(body, target)
			if err != nil {
				return "", err
			}
			method, target, submitted = http.MethodPost, action, true
			form = url.Values{"username": {user}, "password": {password}}
			if cfg.otp != "" {
				form.Set("otp", cfg.otp)
			}
			if cfg.asked != nil {
				*cfg.asked = true
			}
		case status == http.StatusOK && strings.Contains(body, "document.forms[0].submit()"):
			// oidc-provider's auto-submitting form_post page (e.g. ending
			// the previous user's session when another one signs in): a
			// browser runs its script, which posts the hidden fields.
			action, err := formAction(body, target)
			if err != nil {
				return "", err
			}
			form = hiddenFields(body)
			method, target = http.MethodPost, action
		default:
			return "", fmt.Errorf("testidp: unexpected IdP page %s: HTTP %d: %s", target.Redacted(), status, snippet(body))
		}
	}
	return "", errors.New("testidp: too many redirects")
}

// isStartURL recognizes the app's one-time start address on the loopback
// listener (http://127.0.0.1:PORT/start/…).
func isStartURL(u *url.URL) bool {
	return u.Scheme == "http" && u.Hostname() == "127.0.0.1" && strings.HasPrefix(u.Path, "/start/")
}

func fetch(ctx context.Context, client *http.Client, method string, u *url.URL, form url.Values) (int, string, *url.URL, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return 0, "", nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, "", nil, err
	}
	loc, _ := resp.Location() // nil when there is none
	return resp.StatusCode, string(data), loc, nil
}

var formActionRE = regexp.MustCompile(`<form[^>]*\baction="([^"]*)"`)

func formAction(page string, base *url.URL) (*url.URL, error) {
	m := formActionRE.FindStringSubmatch(page)
	if m == nil {
		return nil, fmt.Errorf("testidp: no form action in login page: %s", snippet(page))
	}
	return base.Parse(html.UnescapeString(m[1]))
}

var tagRE = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`)

// snippet returns the start of a page's text for error messages.
func snippet(page string) string {
	text := strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(page, " "))), " ")
	if len(text) > 300 {
		text = text[:300] + "..."
	}
	return text
}

// ChromiumResult is what headless Chromium saw at the end of the login.
type ChromiumResult struct {
	// CloseAttempted reports that the final page called window.close() (or
	// closed). Chromium may ignore the call for a tab it did not open by
	// script, so the call itself is recorded.
	CloseAttempted bool   `json:"closeAttempted"`
	URL            string `json:"url"`    // the callback page's URL
	Status         int    `json:"status"` // its HTTP status
	Text           string `json:"text"`   // its visible text (document.body.innerText)
}

// ChromiumLogin drives headless Chromium through the login at authURL and
// reports whether the final (callback) page tried to close itself.
func ChromiumLogin(ctx context.Context, authURL, user, password string, opts ...BrowserOption) (closeAttempted bool, err error) {
	res, err := ChromiumLoginPage(ctx, authURL, user, password, opts...)
	if err != nil {
		return false, err
	}
	return res.CloseAttempted, nil
}

// ChromiumLoginPage is ChromiumLogin returning what the callback page showed.
// An https IdP's certificate is not checked when a BrowserOption with root
// CAs is given (Chromium cannot be handed a CA pool).
func ChromiumLoginPage(ctx context.Context, authURL, user, password string, opts ...BrowserOption) (*ChromiumResult, error) {
	var cfg browserConfig
	for _, o := range opts {
		o(&cfg)
	}
	if _, err := os.Stat(ChromiumPath); err != nil {
		return nil, fmt.Errorf("testidp: %s not found; run: apt-get install -y chromium", ChromiumPath)
	}
	node, err := checkNode("playwright-core")
	if err != nil {
		return nil, err
	}
	timeout := 60 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	input, err := json.Marshal(map[string]any{
		"authURL":           authURL,
		"username":          user,
		"password":          password,
		"executablePath":    ChromiumPath,
		"ignoreHTTPSErrors": cfg.roots != nil,
		"timeoutMs":         timeout.Milliseconds(),
	})
	if err != nil {
		return nil, err
	}

	cmd := exec.CommandContext(ctx, node, filepath.Join(nodeDir(), "browser-login.mjs")) // #nosec G204 -- test harness: node with its own script
	cmd.Dir = nodeDir()
	setProcessGroup(cmd)
	cmd.Cancel = func() error { return killProcessGroup(cmd) } // Chromium too
	cmd.WaitDelay = 5 * time.Second
	cmd.Stdin = bytes.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if os.Getenv("TESTIDP_VERBOSE") != "" {
		cmd.Stderr = io.MultiWriter(&stderr, os.Stderr)
	}
	runErr := cmd.Run()
	// Chromium's helper processes may outlive the script: clean up the group.
	_ = killProcessGroup(cmd)

	var out struct {
		ChromiumResult
		Error    string `json:"error"`
		Rejected bool   `json:"rejected"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &out); err != nil {
		return nil, fmt.Errorf("testidp: browser-login.mjs failed (%v): %s%s", runErr, stdout.String(), stderr.String())
	}
	switch {
	case out.Rejected:
		return nil, fmt.Errorf("%w: %s", ErrLoginRejected, out.Error)
	case out.Error != "":
		return nil, fmt.Errorf("testidp: chromium login: %s\n%s", out.Error, stderr.String())
	case out.Status != http.StatusOK:
		return &out.ChromiumResult, fmt.Errorf("testidp: callback %s answered HTTP %d: %s", out.URL, out.Status, out.Text)
	}
	return &out.ChromiumResult, nil
}

var (
	hiddenInputRE = regexp.MustCompile(`<input[^>]*type="hidden"[^>]*name="([^"]*)"[^>]*value="([^"]*)"`)
	logoutFormRE  = regexp.MustCompile(`<form[^>]*data-logout="1"[^>]*action="([^"]*)"|<form[^>]*action="([^"]*)"[^>]*data-logout="1"`)
)

// BrowserLogout acts as the user's browser for an RP-initiated logout: it
// opens logoutURL (the app's one-time start address or the IdP's
// end_session_endpoint), answers the IdP's "Sign out?" page with yes (or
// follows the auto-submitting form the IdP sends when it has no session)
// and follows the redirects back to the app's post-logout address, which
// must answer 200. jar is the browser's cookies (the login's), or nil.
func BrowserLogout(ctx context.Context, logoutURL string, jar http.CookieJar, opts ...BrowserOption) (string, error) {
	var cfg browserConfig
	for _, o := range opts {
		o(&cfg)
	}
	start, err := url.Parse(logoutURL)
	if err != nil {
		return "", err
	}
	if jar == nil {
		jar, _ = cookiejar.New(nil)
	}
	client := &http.Client{
		Jar:           jar,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: cfg.roots}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	method, target, form := http.MethodGet, start, url.Values(nil)
	var idp *url.URL
	for range 20 {
		status, body, location, err := fetch(ctx, client, method, target, form)
		if err != nil {
			return "", err
		}
		if isStartURL(target) {
			if status != http.StatusFound || location == nil {
				return body, fmt.Errorf("testidp: logout start address answered HTTP %d: %s", status, snippet(body))
			}
			method, target, form, idp = http.MethodGet, location, nil, location
			continue
		}
		if idp == nil {
			idp = target
		}
		if target.Host != idp.Host {
			// Back at the app's post-logout address.
			if status != http.StatusOK {
				return body, fmt.Errorf("testidp: post-logout page %s answered HTTP %d: %s", target.Redacted(), status, snippet(body))
			}
			return body, nil
		}
		if status/100 == 3 && location != nil {
			method, target, form = http.MethodGet, location, nil
			continue
		}
		if status != http.StatusOK {
			return body, fmt.Errorf("testidp: IdP logout page %s answered HTTP %d: %s", target.Redacted(), status, snippet(body))
		}
		// The confirmation page (data-logout form) or the IdP's
		// auto-submitting form_post page: post its hidden fields, saying yes.
		action := ""
		if m := logoutFormRE.FindStringSubmatch(body); m != nil {
			action = m[1] + m[2]
		} else if m := formActionRE.FindStringSubmatch(body); m != nil {
			action = m[1]
		} else {
			return body, fmt.Errorf("testidp: unexpected IdP logout page %s: %s", target.Redacted(), snippet(body))
		}
		next, err := target.Parse(html.UnescapeString(action))
		if err != nil {
			return "", err
		}
		form = url.Values{"logout": {"yes"}}
		for _, m := range hiddenInputRE.FindAllStringSubmatch(body, -1) {
			form.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
		}
		method, target = http.MethodPost, next
	}
	return "", errors.New("testidp: too many redirects in the logout")
}

package testidp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// ErrDeviceCodeRejected is returned when the IdP does not accept the user
// code (wrong, expired or already used).
var ErrDeviceCodeRejected = errors.New("testidp: user code rejected")

// DeviceApprove acts as the user's browser on another device for the
// device authorization grant (RFC 8628): it opens verificationURI, enters
// userCode, confirms, and signs in as user. It returns nil once the IdP
// shows its success page.
func DeviceApprove(ctx context.Context, verificationURI, userCode, user, password string, opts ...BrowserOption) error {
	return deviceBrowse(ctx, verificationURI, userCode, user, password, true, opts)
}

// DeviceDeny enters userCode at verificationURI and aborts on the
// confirmation page, so the device's polling ends with access_denied.
func DeviceDeny(ctx context.Context, verificationURI, userCode string, opts ...BrowserOption) error {
	return deviceBrowse(ctx, verificationURI, userCode, "", "", false, opts)
}

// hiddenFields are a page's hidden form fields (oidc-provider's xsrf,
// user_code, confirm).
func hiddenFields(page string) url.Values {
	v := url.Values{}
	for _, m := range hiddenInputRE.FindAllStringSubmatch(page, -1) {
		v.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return v
}

func deviceBrowse(ctx context.Context, verificationURI, userCode, user, password string, approve bool, opts []BrowserOption) error {
	var cfg browserConfig
	for _, o := range opts {
		o(&cfg)
	}
	start, err := url.Parse(verificationURI)
	if err != nil {
		return err
	}
	jar := cfg.jar
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
	entered, submitted := false, false
	for range 25 {
		status, body, location, err := fetch(ctx, client, method, target, form)
		if err != nil {
			return err
		}
		switch {
		case status/100 == 3 && location != nil:
			method, target, form = http.MethodGet, location, nil
		case strings.Contains(body, `id="device-success"`):
			if !approve {
				return errors.New("testidp: the device login succeeded although it was to be denied")
			}
			return nil
		case strings.Contains(body, `id="device-aborted"`):
			if approve {
				return fmt.Errorf("testidp: the device login was aborted: %s", snippet(body))
			}
			return nil
		case strings.Contains(body, `id="device-error"`):
			return fmt.Errorf("%w: %s", ErrDeviceCodeRejected, snippet(body))
		case strings.Contains(body, `id="device-input"`) && !entered:
			action, err := formAction(body, target)
			if err != nil {
				return err
			}
			form = hiddenFields(body)
			form.Set("user_code", userCode)
			method, target, entered = http.MethodPost, action, true
		case strings.Contains(body, `id="device-confirm"`):
			action, err := formAction(body, target)
			if err != nil {
				return err
			}
			form = hiddenFields(body)
			if !approve {
				form.Del("confirm")
				form.Set("abort", "yes")
			}
			method, target = http.MethodPost, action
		case strings.Contains(body, `id="login-error"`) && submitted:
			return fmt.Errorf("%w: %s", ErrLoginRejected, snippet(body))
		case strings.Contains(body, `id="login-form"`):
			action, err := formAction(body, target)
			if err != nil {
				return err
			}
			method, target, submitted = http.MethodPost, action, true
			form = url.Values{"username": {user}, "password": {password}}
			if cfg.otp != "" {
				form.Set("otp", cfg.otp)
			}
		default:
			return fmt.Errorf("testidp: unexpected device page %s: HTTP %d: %s", target.Redacted(), status, snippet(body))
		}
	}
	return errors.New("testidp: too many steps in the device login")
}

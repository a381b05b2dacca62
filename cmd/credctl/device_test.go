package main

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// runDeviceLogin starts `credctl login NAME --device`, reads the
// verification URI and user code from its standard error and hands them to
// act (the user on another device); it returns the command's outcome.
func runDeviceLogin(t *testing.T, c *cli, name string, act func(ctx context.Context, uri, code string) error) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd, out, _ := c.command(ctx, "", "login", name, "--device")
	cmd.Stderr = nil
	errPipe, perr := cmd.StderrPipe()
	if perr != nil {
		t.Fatal(perr)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var errText strings.Builder
	shown := make(chan [2]string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(errPipe)
		var indented []string
		for sc.Scan() {
			line := sc.Text()
			errText.WriteString(line + "\n")
			if strings.HasPrefix(line, "  ") && strings.TrimSpace(line) != "" {
				indented = append(indented, strings.TrimSpace(line))
				if len(indented) == 2 {
					shown <- [2]string{indented[0], indented[1]}
				}
			}
		}
	}()
	select {
	case s := <-shown:
		if aerr := act(ctx, s[0], s[1]); aerr != nil {
			t.Errorf("on the other device: %v", aerr)
		}
	case <-done:
	case <-ctx.Done():
	}
	err = cmd.Wait()
	<-done
	return out.String(), errText.String(), err
}

func TestLoginDevice(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	c := newCLI(t)
	// No display and no opener: the device login never needs one.
	c.env = append(c.env, "DISPLAY=", "WAYLAND_DISPLAY=", "BROWSER=")
	addUser(t, c, idp, "portal")

	stdout, stderr, err := runDeviceLogin(t, c, "portal", func(ctx context.Context, uri, code string) error {
		if !strings.HasPrefix(uri, idp.Issuer+"/device") {
			t.Errorf("verification URI %q", uri)
		}
		return testidp.DeviceApprove(ctx, uri, code, testidp.Username, testidp.Password)
	})
	if err != nil {
		t.Fatalf("login --device: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	if want := "Logged in as alice (roles: admin, viewer)\n"; stdout != want {
		t.Fatalf("stdout %q, want %q", stdout, want)
	}
	contains(t, "device login stderr", stderr, "enter the code", "Ctrl-C cancels")
	contains(t, "show after the device login", c.must(0, "", "show", "portal").stdout, "Logged in as:", "alice", "Active")
	// The session is like any other: renewal through the refresh token, logout.
	idp.Reset(t)
	c.must(0, "", "token", "portal", "--fresh")
	if st := idp.Stats(t); st.Grants["refresh_token"] != 1 {
		t.Fatalf("--fresh: grants %v", st.Grants)
	}
	c.must(0, "", "logout", "portal")

	stdout, stderr, err = runDeviceLogin(t, c, "portal", func(ctx context.Context, uri, code string) error {
		return testidp.DeviceDeny(ctx, uri, code)
	})
	if err == nil {
		t.Fatalf("a denied device login succeeded: %s", stdout)
	}
	contains(t, "denied device login", stderr, "access_denied", "Advice:")

	contains(t, "--device with --no-browser", c.must(exitUsage, "", "login", "portal", "--device", "--no-browser").stderr, "exclude each other")
}

// TestMFAFlagsAndLogin: the MFA flags of add/edit, show, and a device
// login that did MFA and one that did not.
func TestMFAFlagsAndLogin(t *testing.T) {
	requireKeyring(t)
	const otp = "271828"
	idp := testidp.Start(t, testidp.WithUser(testidp.User{Username: "carol", Password: "secure", Roles: []string{"viewer"}, OTP: otp}))
	c := newCLI(t)
	c.env = append(c.env, "DISPLAY=", "WAYLAND_DISPLAY=", "BROWSER=")
	addUser(t, c, idp, "portal")

	contains(t, "--mfa-acr without --require-mfa", c.must(exitUsage, "", "edit", "portal", "--mfa-acr", "phr").stderr, "--require-mfa")
	addApp(t, c, idp, "api")
	contains(t, "MFA on an Application profile", c.must(exitUsage, "", "edit", "api", "--require-mfa").stderr, "User profiles only")
	contains(t, "bad authentication context", c.must(exitValidation, "", "edit", "portal", "--require-mfa", "--mfa-auth-context", "x9").stderr, "c1 to c99")

	c.must(0, "", "edit", "portal", "--require-mfa", "--mfa-acr", "urn:okta:loa:2fa:any", "--mfa-fresh-login", "--mfa-claims")
	contains(t, "show", c.must(0, "", "show", "portal").stdout, "MFA:", "required, acr_values urn:okta:loa:2fa:any, fresh sign-in, essential acr claim")
	shown := decode[profileJSON](t, c.must(0, "", "show", "portal", "--json").stdout)
	if want := (credentials.MFAPolicy{Required: true, ACRValues: "urn:okta:loa:2fa:any", FreshSignIn: true, ClaimsParam: true}); shown.MFA == nil || *shown.MFA != want {
		t.Fatalf("show --json mfa %+v", shown.MFA)
	}

	stdout, stderr, err := runDeviceLogin(t, c, "portal", func(ctx context.Context, uri, code string) error {
		return testidp.DeviceApprove(ctx, uri, code, "carol", "secure", testidp.WithOTP(otp))
	})
	if err != nil {
		t.Fatalf("login with MFA: %v\n%s\n%s", err, stdout, stderr)
	}
	contains(t, "login with MFA", stdout, "Logged in as carol", "MFA verified: pwd, otp")
	contains(t, "show after the MFA login", c.must(0, "", "show", "portal").stdout, "Login MFA:", "MFA verified: pwd, otp")

	// Without the essential claim request the IdP lets a password-only
	// sign-in through: the login is refused here.
	c.must(0, "", "edit", "portal", "--mfa-claims=false")
	stdout, stderr, err = runDeviceLogin(t, c, "portal", func(ctx context.Context, uri, code string) error {
		return testidp.DeviceApprove(ctx, uri, code, "carol", "secure")
	})
	if err == nil {
		t.Fatalf("a login without MFA succeeded: %s", stdout)
	}
	contains(t, "login without MFA", stderr, "MFA requirement", "Advice:")

	c.must(0, "", "edit", "portal", "--require-mfa=false", "--mfa-acr", "none", "--mfa-fresh-login=false")
	if shown := decode[profileJSON](t, c.must(0, "", "show", "portal", "--json").stdout); shown.MFA != nil {
		t.Fatalf("MFA after clearing: %+v", shown.MFA)
	}
}

// TestUserPrivateKeyJWTDevice: a confidential User profile with a
// certificate (private_key_jwt) added by credctl logs in on another device
// and renews; every request carries a fresh assertion.
func TestUserPrivateKeyJWTDevice(t *testing.T) {
	requireKeyring(t)
	km, err := credentials.GenerateKeyMaterial("wb-pkjwt-user", 30, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(km.Key)
	pemFile := filepath.Join(t.TempDir(), "client.pem")
	if err := os.WriteFile(pemFile, append([]byte(credentials.CertificatePEM(km.Cert)),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...), 0o600); err != nil {
		t.Fatal(err)
	}
	jwk, err := oauthflow.PublicJWK(km.Cert)
	if err != nil {
		t.Fatal(err)
	}
	idp := testidp.Start(t, testidp.WithClient(testidp.Client{
		ID: "wb-pkjwt-user", GrantTypes: []string{"authorization_code", "refresh_token", testidp.DeviceCodeGrant},
		RedirectURIs: []string{testidp.RedirectURI}, Scope: testidp.UserScopes, JWKS: []json.RawMessage{jwk},
	}))
	c := newCLI(t)
	c.env = append(c.env, "DISPLAY=", "WAYLAND_DISPLAY=", "BROWSER=")
	c.must(0, "", "add", "--name", "pk user", "--type", "user", "--issuer", idp.Issuer, "--client-id", "wb-pkjwt-user",
		"--scope", "openid profile offline_access api:read", "--certificate", pemFile)
	stdout, stderr, err := runDeviceLogin(t, c, "pk user", func(ctx context.Context, uri, code string) error {
		return testidp.DeviceApprove(ctx, uri, code, testidp.Username, testidp.Password)
	})
	if err != nil {
		t.Fatalf("device login: %v\n%s\n%s", err, stdout, stderr)
	}
	contains(t, "device login", stdout, "Logged in as alice")
	idp.Reset(t)
	c.must(0, "", "token", "pk user", "--fresh")
	if st := idp.Stats(t); st.Grants["refresh_token"] != 1 {
		t.Fatalf("refresh with an assertion: grants %v, errors %v", st.Grants, st.TokenErrors)
	}
}

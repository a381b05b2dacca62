package ui

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
)

var (
	credctlOnce sync.Once
	credctlPath string
	credctlErr  error
)

// credctlBinary builds the real credctl once for the cross-process tests.
func credctlBinary(t *testing.T) string {
	t.Helper()
	credctlOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ui-credctl-")
		if err != nil {
			credctlErr = err
			return
		}
		credctlPath = filepath.Join(dir, "credctl")
		cmd := exec.Command("go", "build", "-o", credctlPath, "../cmd/credctl")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			credctlErr = err
			credctlPath = string(out)
		}
	})
	if credctlErr != nil {
		t.Fatalf("building credctl: %v\n%s", credctlErr, credctlPath)
	}
	return credctlPath
}

// credctl runs the real credctl on the workbench's store (same config
// directory and keyring) and fails the test unless it exits 0.
func credctl(t *testing.T, home, stdin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, credctlBinary(t), args...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"))
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("credctl %v: %v\nstdout: %s\nstderr: %s", args, err, out.String(), errOut.String())
	}
	return out.String()
}

// The workbench opened on untested Application profiles shows each Active
// or Failed without a tap, and shows a profile credctl added and a session
// credctl logged out within two seconds, without a tap either.
func TestLiveWorkbenchFollowsCredctl(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithTLS())
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	repo := &credentials.Repository{
		Store:   credentials.NewStore(filepath.Join(home, "config", "credworkbench", "profiles.json")),
		Secrets: credentials.NewSecrets(nil),
		Now:     time.Now,
	}
	good := saveProfile(t, repo, appProfile("good app", idp), testidp.AppClientSecret)
	bad := saveProfile(t, repo, appProfile("bad app", idp), "not-the-secret")
	user := saveProfile(t, repo, credentials.Profile{Name: "portal", Type: credentials.TypeUser, IssuerURL: idp.Issuer,
		ClientID: testidp.PublicClientID, Scope: "openid profile offline_access", TLS: credentials.TLS{CAFile: idp.CAFile}}, "")
	t.Cleanup(func() {
		for _, id := range []string{good.ID, bad.ID, user.ID} {
			_ = repo.Delete(id)
		}
	})

	h := newHarness(t, repo, loginBrowser(t, idp, testidp.Username, testidp.Password))
	if res, err := h.svc.Login(context.Background(), "portal", oauthflow.LoginOptions{Timeout: 60 * time.Second}); err != nil || !res.Active() {
		t.Fatalf("login: %v %+v", err, res.Failure)
	}
	h.wb.GoLive(h.svc)
	h.waitFor("the untested Application profiles to be tested at startup", func() bool {
		return strings.HasPrefix(h.statusOf("good app"), string(credentials.StatusActive)) &&
			strings.HasPrefix(h.statusOf("bad app"), string(credentials.StatusFailed))
	})

	credctl(t, home, testidp.AppClientSecret+"\n", "add", "--name", "from cli", "--type", "application",
		"--token-url", idp.TokenURL, "--ca-file", idp.CAFile, "--client-id", testidp.AppClientID,
		"--client-secret-stdin", "--no-test")
	t.Cleanup(func() {
		if p, err := repo.Get("from cli"); err == nil {
			_ = repo.Delete(p.ID)
		}
	})
	start := time.Now()
	h.waitFor("the profile credctl added", func() bool { return h.rowOf("from cli") >= 0 })
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the added profile showed after %s, want within 2 s", d)
	}

	credctl(t, home, "", "logout", "portal")
	start = time.Now()
	h.waitFor("the logout credctl made", func() bool {
		return strings.HasPrefix(h.statusOf("portal"), string(credentials.StatusLoggedOut))
	})
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the logout showed after %s, want within 2 s", d)
	}
	if _, err := h.svc.Token(context.Background(), "portal"); err == nil {
		t.Error("the workbench still hands out a token of a session credctl ended")
	}
}

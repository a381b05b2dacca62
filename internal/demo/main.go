// Command demo starts the project's test identity provider on loopback and
// the workbench on a throw-away configuration holding one working
// Application profile and one working User profile, so a newcomer can click
// Test and Login and see both flows succeed (make demo).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

func main() {
	workbench := flag.String("workbench", "bin/credworkbench", "the workbench binary to start")
	flag.Parse()
	if err := run(*workbench); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(workbench string) error {
	dir, err := os.MkdirTemp("", "credworkbench-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	idp, stop, err := testidp.Launch(dir)
	if err != nil {
		return err
	}
	defer stop()

	config := filepath.Join(dir, "config")
	repo := &credentials.Repository{
		Store:   credentials.NewStore(filepath.Join(config, "credworkbench", "profiles.json")),
		Secrets: credentials.NewSecrets(nil),
		Now:     time.Now,
	}
	app := credentials.Profile{
		Name: "Demo API - client credentials", Type: credentials.TypeApplication,
		TokenURL: idp.TokenURL, ClientID: testidp.AppClientID, Scope: "api:read",
		Resource: testidp.Resource, RolesClaim: "roles", TenantClaim: "$.TenantID", Tenant: testidp.TenantID,
	}
	user := credentials.Profile{
		Name: "Demo user login", Type: credentials.TypeUser,
		IssuerURL: idp.Issuer, ClientID: testidp.PublicClientID,
		Scope: "openid profile offline_access api:read", Resource: testidp.Resource,
		UsernameClaim: "preferred_username", RolesClaim: "realm_access.roles",
	}
	for _, p := range []struct {
		p      credentials.Profile
		secret *string
	}{{app, credentials.Secret(testidp.AppClientSecret)}, {user, nil}} {
		if _, err := repo.Save(p.p, credentials.SecretChange{ClientSecret: p.secret}); err != nil {
			return fmt.Errorf("seeding the demo profiles: %w", err)
		}
	}
	// The demo's keyring entries go away with the demo, also those of
	// profiles added while it ran (their file goes with the temp dir).
	defer func() {
		left, err := repo.List()
		if err != nil {
			fmt.Fprintf(os.Stderr, "demo: cannot read the demo profiles to remove their keyring entries: %v\n", err)
		}
		for _, p := range left {
			if err := repo.Delete(p.ID); err != nil && !errors.Is(err, credentials.ErrNotFound) {
				fmt.Fprintf(os.Stderr, "demo: could not remove %q from the keyring: %v\n", p.Name, err)
			}
		}
	}()

	if err := closingQuits(config); err != nil {
		return err
	}

	fmt.Printf("Demo identity provider: %s\n", idp.Issuer)
	fmt.Printf("Log in as %q with password %q. Close the window to end the demo.\n", testidp.Username, testidp.Password)

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	cmd := exec.CommandContext(ctx, workbench)
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+config)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second // Fyne sometimes hangs on shutdown
	if err := cmd.Run(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("the workbench ended with: %w", err)
	}
	return nil
}

// closingQuits answers the workbench's first-close question ("keep running
// in the background?", ui/closing.go) with Quit in the demo's own
// preferences, so closing the window ends the demo as promised instead of
// leaving the workbench, the IdP and the keyring entries behind unseen.
func closingQuits(config string) error {
	dir := filepath.Join(config, "fyne", appID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("preparing the demo preferences: %w", err)
	}
	prefs := []byte(`{"agent.closeAsked":true,"agent.keepRunning":false}`)
	if err := os.WriteFile(filepath.Join(dir, "preferences.json"), prefs, 0o600); err != nil {
		return fmt.Errorf("preparing the demo preferences: %w", err)
	}
	return nil
}

// appID is the workbench's Fyne app ID (cmd/credworkbench), the folder of
// its preferences.
const appID = "io.github.credworkbench"

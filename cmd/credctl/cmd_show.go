package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/cobra"
)

type showOptions struct {
	Name string
	JSON bool
}

func newShowCmd(a *app) *cobra.Command {
	opts := &showOptions{}
	cmd := &cobra.Command{
		Use:               "show NAME [--json]",
		Short:             "Show one profile (secrets are never shown, only whether they are set)",
		Args:              wantArgs("show", "NAME"),
		ValidArgsFunction: a.completeProfile,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name = args[0]
			return showRun(a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON (a profile object, see docs/credctl.md)")
	return cmd
}

func showRun(a *app, opts *showOptions) error {
	p, err := a.profile(opts.Name)
	if err != nil {
		return err
	}
	now := time.Now()
	if opts.JSON {
		return writeJSON(a.stdout, toProfileJSON(p, now))
	}
	return writeProfile(a, p, now)
}

// writeProfile prints a profile as aligned "Field: value" lines.
func writeProfile(a *app, p credentials.Profile, now time.Time) error {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 1, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, v)
		}
	}
	row("Name", p.Name)
	row("ID", p.ID)
	row("Type", p.Type.Label())
	row("Grant type", p.GrantType.Label())
	row("Issuer URL", p.IssuerURL)
	row("Token endpoint", p.TokenURL)
	row("Authorization endpoint", p.AuthURL)
	row("Revocation endpoint", p.RevocationURL)
	row("Client ID", p.ClientID)
	secret := "not set"
	if p.HasSecret {
		secret = "set"
		if !p.SecretSetAt.IsZero() {
			secret += " " + humanTime(p.SecretSetAt)
		}
		if !p.SecretRotatedAt.IsZero() {
			secret += ", rotated " + humanTime(p.SecretRotatedAt)
		}
	}
	if !p.AuthMethod.UsesKey() || p.HasSecret {
		row("Client secret", secret)
	}
	if at, what := p.CredentialExpiry(); !at.IsZero() {
		row(capitalize(what)+" expires", at.UTC().Format("2006-01-02")+" ("+humanExpiry(p, now)+")")
	}
	row("Client authentication", string(p.AuthMethod))
	row("Mutual TLS", mtlsSummary(p)) // profileflags_mtls.go
	if c := toCertificateJSON(p); c != nil {
		key := "private key not set"
		if c.PrivateKeySet {
			key = "private key in the keyring"
		}
		row("Certificate", fmt.Sprintf("%s, valid until %s (%s)", c.Subject, c.NotAfter.Format("2006-01-02"), key))
		row("Thumbprint (SHA-1)", c.SHA1Thumbprint)
		row("Key ID (kid)", c.KeyID)
		alg := c.Algorithm
		if alg == "" {
			alg = "by key type"
		}
		row("Assertion", assertionSummary(p, fmt.Sprintf("alg %s, headers %s, audience %s", alg, orWord(c.Headers, "x5t and x5t#S256"), orWord(c.Audience, "token endpoint"))))
	}
	row("Scope", p.Scope)
	row("Audience", p.Audience)
	row("Resource", p.Resource)
	showDerived(a, p, row) // profileflags_derived.go
	row("Refresh interval", p.RefreshInterval.D().String())
	switch p.Proxy.Mode {
	case credentials.ProxyURL:
		proxy := p.Proxy.URL
		if p.Proxy.Username != "" {
			proxy += " (user " + p.Proxy.Username + ", password "
			if p.HasProxyPass {
				proxy += "set)"
			} else {
				proxy += "not set)"
			}
		}
		row("Proxy", proxy)
	case credentials.ProxySystem:
		row("Proxy", "system (HTTPS_PROXY, HTTP_PROXY, NO_PROXY)")
	default:
		row("Proxy", "none")
	}
	row("CA bundle", p.TLS.CAFile)
	if p.TLS.InsecureSkipVerify {
		row("TLS verification", "OFF (anyone on the network can impersonate the IdP)")
	}
	row("Username claim", p.UsernameClaim)
	row("Roles claim", p.RolesClaim)
	row("Tenant claim", p.TenantClaim)
	if p.Tenant != "" {
		row("Tenant", p.Tenant+" (header "+p.TenantHeader+")")
	}
	row("DPoP", dpopShow(a, p))
	row("Git hosts", p.GitHosts) // served by `credctl git-credential`
	row("Git username", p.GitUsername)
	managementRows(a, p, now, row) // show_management.go (#26)
	if p.Type == credentials.TypeUser {
		port := "any free port"
		if p.RedirectPort != 0 {
			port = fmt.Sprint(p.RedirectPort)
		}
		row("Redirect port", port)
		row("MFA", mfaSummary(p.MFA))
		row("Login request", loginSummary(p)) // profileflags_login.go
	}
	sd := oauthflow.StandingOf(p, now) // as the workbench shows it
	status := sd.Text()
	if sd.Status == credentials.StatusActive && !sd.RenewalFailing() && !sd.Expiry.IsZero() {
		status += ", token expires " + humanUntil(sd.Expiry, now)
	}
	row("Status", status)
	row("Logged in as", p.LoggedInAs)
	row("Login MFA", p.LoginMFA)
	if p.LastError != "" {
		cat := ""
		if p.LastCategory != "" {
			cat = "(" + p.LastCategory + ") "
		}
		row("Last error", cat+oneLine(p.LastError))
	}
	row("Last checked", humanTime(p.LastChecked))
	row("Created", humanTime(p.CreatedAt))
	row("Updated", humanTime(p.UpdatedAt))
	return tw.Flush()
}

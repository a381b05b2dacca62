package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

func defineList(fs *flag.FlagSet) func(*app, []string) error {
	asJSON := fs.Bool("json", false, "print JSON (an array of profiles, see docs/credctl.md)")
	return func(a *app, args []string) error {
		if err := wantArgs("list", args); err != nil {
			return err
		}
		ps, err := a.profilesView() // read only
		if err != nil {
			return err
		}
		now := time.Now()
		if *asJSON {
			out := make([]profileJSON, 0, len(ps))
			for _, p := range ps {
				out = append(out, toProfileJSON(p, now))
			}
			return writeJSON(a.stdout, out)
		}
		if len(ps) == 0 {
			fmt.Fprintln(a.stderr, "No profiles yet. Add one with 'credctl add' or 'credctl import'.")
			return nil
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tTYPE\tSTATUS\tEXPIRES\tSECRET/CERT\tLAST CHECKED")
		for _, p := range ps {
			sd := oauthflow.StandingOf(p, now) // as the workbench shows it
			st := sd.Short()
			if p.LastCategory != "" && sd.Status == credentials.StatusFailed {
				st += " (" + p.LastCategory + ")"
			}
			expires := ""
			if !sd.Expiry.IsZero() && sd.Status == credentials.StatusActive {
				expires = humanUntil(sd.Expiry, now)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Type.Label(), st, orDash(expires), orDash(humanExpiry(p, now)), orDash(humanTime(p.LastChecked)))
		}
		return tw.Flush()
	}
}

func defineShow(fs *flag.FlagSet) func(*app, []string) error {
	asJSON := fs.Bool("json", false, "print JSON (a profile object, see docs/credctl.md)")
	return func(a *app, args []string) error {
		if err := wantArgs("show", args, "NAME"); err != nil {
			return err
		}
		p, err := a.profile(args[0])
		if err != nil {
			return err
		}
		now := time.Now()
		if *asJSON {
			return writeJSON(a.stdout, toProfileJSON(p, now))
		}
		return writeProfile(a, p, now)
	}
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
	if p.AuthMethod != credentials.AuthPrivateKeyJWT || p.HasSecret {
		row("Client secret", secret)
	}
	if at, what := p.CredentialExpiry(); !at.IsZero() {
		row(capitalize(what)+" expires", at.UTC().Format("2006-01-02")+" ("+humanExpiry(p, now)+")")
	}
	row("Client authentication", string(p.AuthMethod))
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
		row("Assertion", fmt.Sprintf("alg %s, headers %s, audience %s", alg, orWord(c.Headers, "x5t and x5t#S256"), orWord(c.Audience, "token endpoint")))
	}
	row("Scope", p.Scope)
	row("Audience", p.Audience)
	row("Resource", p.Resource)
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
	if p.Type == credentials.TypeUser {
		port := "any free port"
		if p.RedirectPort != 0 {
			port = fmt.Sprint(p.RedirectPort)
		}
		row("Redirect port", port)
		row("MFA", mfaSummary(p.MFA))
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

func defineAdd(fs *flag.FlagSet) func(*app, []string) error {
	f := registerProfileFlags(fs, false)
	noTest := fs.Bool("no-test", false, "do not test an Application profile after saving it")
	return func(a *app, args []string) error {
		if err := wantArgs("add", args); err != nil {
			return err
		}
		var missing []string
		for _, name := range []string{"name", "type", "client-id"} {
			if !f.given(name) {
				missing = append(missing, "--"+name)
			}
		}
		if len(missing) > 0 {
			return &usageError{cmd: "add", msg: "missing " + strings.Join(missing, ", ")}
		}
		var p credentials.Profile
		if err := f.apply("add", &p); err != nil {
			return err
		}
		svc, err := a.service()
		if err != nil {
			return err
		}
		others, err := svc.Profiles()
		if err != nil {
			return err
		}
		// private_key_jwt without --certificate: the key comes next from
		// `credctl certificate new`; no placeholder secret is asked for.
		certLater := p.AuthMethod == credentials.AuthPrivateKeyJWT && !f.given("certificate")
		// Check first, so nobody types a secret for a profile that will be refused.
		if err := precheck(others, p, f.secretStdin, f.given("certificate"), certLater); err != nil {
			return err
		}
		ch, err := a.secretChanges(&p, f)
		if err != nil {
			return err
		}
		ch.CertificateLater = certLater
		saved, err := svc.Save(p, ch)
		if err != nil {
			return err
		}
		a.warnInsecure(saved)
		fmt.Fprintf(a.stdout, "Added profile %q (%s).\n", saved.Name, saved.Type.Label())
		if certLater {
			q := shellQuote(saved.Name)
			fmt.Fprintf(a.stdout, "It has no certificate yet: run credctl certificate new %s (or credctl edit %s --certificate FILE),\n", q, q)
			fmt.Fprintf(a.stdout, "register the certificate at the IdP, then: credctl test %s\n", q)
			return nil
		}
		if saved.Type != credentials.TypeApplication || *noTest {
			fmt.Fprintf(a.stdout, "Check it with: credctl test %s\n", shellQuote(saved.Name))
			return nil
		}
		a.testAfterSave(svc, saved)
		return nil
	}
}

func defineEdit(fs *flag.FlagSet) func(*app, []string) error {
	f := registerProfileFlags(fs, true)
	noTest := fs.Bool("no-test", false, "do not test an Application profile after saving it")
	return func(a *app, args []string) error {
		if err := wantArgs("edit", args, "NAME"); err != nil {
			return err
		}
		if !f.anyGivenBut("no-test") {
			return &usageError{cmd: "edit", msg: "nothing to change: give the flags of the settings to change"}
		}
		if f.secretStdin && f.clearSecret {
			return &usageError{cmd: "edit", msg: "--client-secret-stdin and --clear-client-secret exclude each other"}
		}
		if f.proxyPassStdin && f.clearProxyPass {
			return &usageError{cmd: "edit", msg: "--proxy-password-stdin and --clear-proxy-password exclude each other"}
		}
		svc, err := a.service()
		if err != nil {
			return err
		}
		p, err := svc.Profile(args[0])
		if err != nil {
			return err
		}
		if err := f.apply("edit", &p); err != nil {
			return err
		}
		ch, err := a.secretChanges(&p, f)
		if err != nil {
			return err
		}
		saved, err := svc.Save(p, ch)
		if err != nil {
			return err
		}
		a.warnInsecure(saved)
		fmt.Fprintf(a.stdout, "Saved profile %q.\n", saved.Name)
		if saved.Type == credentials.TypeApplication && !*noTest {
			a.testAfterSave(svc, saved)
		}
		return nil
	}
}

// secretChanges reads the secrets the flags ask for, and the --certificate
// file: its certificate goes into p, its key into the change.
func (a *app) secretChanges(p *credentials.Profile, f *profileFlags) (credentials.SecretChange, error) {
	var ch credentials.SecretChange
	var prompts []secretPrompt
	if f.secretStdin {
		prompts = append(prompts, secretPrompt{"client secret", credentials.FieldClientSecret})
	}
	if f.proxyPassStdin {
		prompts = append(prompts, secretPrompt{"proxy password", credentials.FieldProxy})
	}
	if f.certPassStdin {
		prompts = append(prompts, secretPrompt{"certificate password", credentials.FieldCertificate})
	}
	certPass := ""
	if len(prompts) > 0 {
		vals, err := a.readSecrets(p.Name, prompts...)
		if err != nil {
			return ch, err
		}
		i := 0
		if f.secretStdin {
			ch.ClientSecret = &vals[i]
			i++
		}
		if f.proxyPassStdin {
			ch.ProxyPassword = &vals[i]
			i++
		}
		if f.certPassStdin {
			certPass = vals[i]
		}
	}
	if f.given("certificate") {
		key, err := loadCertificate(p, f.certFile, certPass)
		if err != nil {
			return ch, err
		}
		ch.PrivateKey = &key
	}
	if f.clearSecret {
		ch.ClientSecret = credentials.Secret("")
	}
	if f.clearProxyPass {
		ch.ProxyPassword = credentials.Secret("")
	}
	return ch, nil
}

// precheck validates a new profile without touching the keyring or file.
// With a certificate coming, the certificate itself is checked when read.
func precheck(others []credentials.Profile, p credentials.Profile, secretComing, certComing, certLater bool) error {
	p.Normalize()
	err := credentials.Validate(p, credentials.ValidateOptions{Others: others, HasSecret: secretComing, HasPrivateKey: certComing, CertificateLater: certLater})
	var ve *credentials.ValidationError
	if certComing && errors.As(err, &ve) {
		kept := ve.Fields[:0]
		for _, fe := range ve.Fields {
			if fe.Field != credentials.FieldCertificate {
				kept = append(kept, fe)
			}
		}
		if len(kept) == 0 {
			return nil
		}
		ve.Fields = kept
	}
	return err
}

func (a *app) warnInsecure(p credentials.Profile) {
	if p.TLS.InsecureSkipVerify {
		fmt.Fprintf(a.stderr, "Warning: TLS verification is off for %q: anyone on the network path can impersonate the IdP. Use --ca-file instead.\n", p.Name)
	}
}

func defineDelete(fs *flag.FlagSet) func(*app, []string) error {
	yes := fs.Bool("yes", false, "do not ask for confirmation (required when standard input is not a terminal)")
	force := fs.Bool("force", false, "delete also when transports use the profile (they then have no credential)")
	return func(a *app, args []string) error {
		if err := wantArgs("delete", args, "NAME"); err != nil {
			return err
		}
		p, err := a.profile(args[0])
		if err != nil {
			return err
		}
		if err := a.checkTransportsUsing(p, *force); err != nil {
			return err
		}
		if !*yes {
			if !a.stdinIsTerminal() {
				return &usageError{cmd: "delete", msg: "deleting cannot be undone and standard input is not a terminal to confirm it: pass --yes"}
			}
			ok, err := a.confirm(fmt.Sprintf("Delete profile %q and its secrets from the keyring? This cannot be undone.", p.Name))
			if err != nil {
				return err
			}
			if !ok {
				fmt.Fprintln(a.stderr, "Nothing was deleted.")
				return nil
			}
		}
		if err := a.deleteProfile(p, *force); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Deleted profile %q.\n", p.Name)
		return nil
	}
}

// shellQuote quotes a profile name for a command the user can paste.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " '\"&\\$`;|<>()*?[]!#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// deleteProfile removes the profile, its keyring entries and its cached token.
func (a *app) deleteProfile(p credentials.Profile, force bool) error {
	svc, err := a.service()
	if err != nil {
		return err
	}
	return svc.Delete(p.ID, oauthflow.DeleteOptions{Force: force})
}

// testAfterSave tests a just-saved Application profile, as the workbench's
// Save does, and reports its status. The profile is saved either way, so a
// failed test is reported, not an error of the command.
func (a *app) testAfterSave(svc *oauthflow.Service, p credentials.Profile) {
	res, err := svc.Test(a.ctx, p.ID)
	if err != nil {
		fmt.Fprintf(a.stderr, "Warning: the profile was saved but could not be tested: %v\n", err)
		return
	}
	a.writeResults([]oauthflow.Result{res}, time.Now())
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

package ui

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
)

// profile builds the profile the inputs describe, and the secret changes.
// Every input is read whether it is shown or not: an input starts with the
// edited profile's value, so a setting the user did not change is saved as
// it was, even one the form hides for the current type or proxy mode.
func (f *profileForm) profile() (credentials.Profile, credentials.SecretChange) {
	var p credentials.Profile
	if f.orig != nil {
		p = *f.orig
	}
	f.extra = map[string]string{}
	p.Name = f.name.Text
	p.Type = f.selectedType()
	p.GrantType = p.Type.DefaultGrant()
	p.IssuerURL = f.issuer.Text
	p.TokenURL = f.tokenURL.Text
	p.AuthURL = f.authURL.Text
	p.RevocationURL = f.revocationURL.Text
	p.ClientID = f.clientID.Text
	p.AuthMethod = credentials.AuthMethod(f.authMethod.Selected)
	p.Scope = f.scope.Text
	p.Audience = f.audience.Text
	p.Resource = f.resource.Text
	p.UsernameClaim = f.usernameClaim.Text
	p.RolesClaim = f.rolesClaim.Text
	p.TenantClaim = f.tenantClaim.Text
	p.RedirectPort = 0
	if s := strings.TrimSpace(f.redirectPort.Text); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			f.extra[credentials.FieldRedirectPort] = "Redirect port must be a number (0 = any free port)."
		}
		p.RedirectPort = n
	}
	p.RefreshInterval = 0
	if s := strings.TrimSpace(f.refresh.Text); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			f.extra[credentials.FieldRefreshInterval] = "Refresh interval: use a value like 30s, 5m or 1h."
			d = credentials.DefaultRefreshInterval
		}
		p.RefreshInterval = credentials.Duration(d)
	}
	p.Proxy = credentials.Proxy{URL: f.proxyURL.Text, Username: f.proxyUser.Text}
	switch f.proxyMode.Selected {
	case proxySystem:
		p.Proxy.Mode = credentials.ProxySystem
	case proxyURL:
		p.Proxy.Mode = credentials.ProxyURL
	default:
		p.Proxy.Mode = credentials.ProxyNone
	}
	p.TLS = credentials.TLS{CAFile: f.caFile.Text, InsecureSkipVerify: f.skipTLS.Checked}
	p.Tenant = f.tenant.Text
	p.TenantHeader = f.tenantHdr.Text
	p.GitHosts, p.GitUsername = f.gitHosts.Text, f.gitUser.Text
	f.readMFA(&p)
	f.readDPoP(&p)    // form_dpop.go
	f.readDerived(&p) // form_derived.go
	f.readLogin(&p)   // form_login.go
	f.readMTLS(&p)
	p.Normalize()
	f.readIdP(&p) // form_idp.go

	p.SecretExpiresAt = f.readSecretExpires()
	var ch credentials.SecretChange
	f.cert.readCertificate(&p, &ch)
	if f.secret.Text != "" {
		ch.ClientSecret = credentials.Secret(f.secret.Text)
	}
	switch {
	case f.proxyPass.Text != "" && p.Proxy.Mode == credentials.ProxyURL:
		ch.ProxyPassword = credentials.Secret(f.proxyPass.Text)
	case p.Proxy.Mode != credentials.ProxyURL && f.orig != nil && f.orig.HasProxyPass && f.orig.Proxy.Mode == credentials.ProxyURL:
		// The user turned the explicit proxy off: its password must not linger in the keyring.
		ch.ProxyPassword = credentials.Secret("")
	}
	return p, ch
}

// validate runs credentials.Validate on every change and shows its messages
// next to the fields the user has touched; Save is enabled only when valid.
func (f *profileForm) validate() {
	if f.discardArmed && f.s != nil {
		// Typing again takes back the first Escape.
		f.discardArmed = false
		f.s.button("Cancel").SetText("Cancel")
	}
	p, ch := f.profile()
	hasSecret := ch.ClientSecret != nil || (f.orig != nil && f.orig.HasSecret)
	var others []credentials.Profile
	for _, o := range f.h.allProfiles() {
		if f.orig == nil || o.ID != f.orig.ID {
			others = append(others, *o)
		}
	}
	err := credentials.Validate(p, credentials.ValidateOptions{Others: others, HasSecret: hasSecret, HasPrivateKey: f.hasKey()})
	f.errs = nil
	var ve *credentials.ValidationError
	if errors.As(err, &ve) {
		f.errs = ve
	}
	f.showErrors()
}

func (f *profileForm) showErrors() {
	n := 0
	var hidden, shown []string
	for _, ff := range f.order {
		msg := f.extra[ff.key]
		if msg == "" {
			msg = f.errs.For(ff.key)
		}
		if msg == "" && ff.key == credentials.FieldCertificate {
			msg = f.errs.For(credentials.FieldPrivateKey)
		}
		if ff.key == "proxyUrl" {
			msg = "" // proxy problems are reported on the proxy select
		}
		if msg != "" {
			n++
		}
		if msg != "" && (ff.touched || f.orig != nil) && ff.label.Visible() {
			ff.msg.SetText(msg)
			shown = append(shown, ff.label.Text+": "+strings.TrimSuffix(msg, "."))
		} else {
			ff.msg.SetText("")
			if msg != "" {
				hidden = append(hidden, strings.TrimSuffix(ff.label.Text, ":"))
			}
		}
	}
	f.problemsGo.Hide()
	switch {
	case n == 0:
		f.problems.SetText("")
		f.problems.Hide()
	case len(hidden) > 0:
		f.problems.SetText("Still needed before Save: " + strings.Join(hidden, ", ") + ".")
		f.problems.Show()
	default:
		// Each problem in full (the line under a field may cut it short).
		f.problems.SetText("To save, fix " + strings.Join(shown, "; ") + ".")
		f.problems.Show()
		f.problemsGo.SetText("Show " + strings.SplitN(shown[0], ":", 2)[0])
		f.problemsGo.Show()
	}
	if f.save != nil {
		if n == 0 && !f.saving {
			f.save.Enable()
		} else {
			f.save.Disable()
		}
	}
}

// message returns the inline validation message shown for a field.
func (f *profileForm) message(key string) string {
	if ff := f.fields[key]; ff != nil && ff.msg.Text != "" {
		return ff.msg.Text
	}
	return ""
}

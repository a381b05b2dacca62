package ui

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

func (f *profileForm) build() fyne.CanvasObject {
	d := f.h.dialogs()
	f.name = f.textField(credentials.FieldName, "Name", "e.g. Billing API - prod")
	f.typ = widget.NewRadioGroup([]string{typeApplication, typeUser}, nil)
	f.typ.Horizontal = true
	f.typ.Required = true
	f.newField(credentials.FieldType, "Type", f.typ)
	f.buildDerived() // form_derived.go
	f.issuer = f.textField(credentials.FieldIssuerURL, "Issuer URL", "optional: https://idp.example.com/realms/x")
	f.discover = widget.NewButton("Discover", f.runDiscover)
	f.buildPresetRow() // form_presets.go
	f.tokenURL = f.textField(credentials.FieldTokenURL, "Token endpoint", "https://idp.example.com/oauth2/token")
	f.authURL = f.textField(credentials.FieldAuthURL, "Authorization endpoint", "https://idp.example.com/oauth2/authorize")
	f.revocationURL = f.textField(credentials.FieldRevocationURL, "Revocation endpoint", "optional: used on logout")
	f.clientID = f.textField(credentials.FieldClientID, "Client ID", "")
	f.secret = newEntry(d)
	f.secret.Password = true
	secretField := f.newField(credentials.FieldClientSecret, "Client secret", f.secret)
	f.secret.OnChanged = func(string) {
		secretField.touched = true
		f.updateVisibility()
		f.validate()
	}
	f.secretHint = widget.NewLabel("")
	f.secretHint.Importance = widget.LowImportance
	f.secretHint.Wrapping = fyne.TextWrapWord
	// The hint right under the entry; the message line stays last.
	secretField.cell.Objects = []fyne.CanvasObject{secretField.cell.Objects[0], f.secretHint, secretField.msg}
	f.secretExpires = f.textField(fieldSecretExpires, "Secret expires", "optional: YYYY-MM-DD, for expiry warnings")
	f.authMethod = widget.NewSelect([]string{string(credentials.AuthBasic), string(credentials.AuthPost), string(credentials.AuthPrivateKeyJWT),
		string(credentials.AuthTLSClient), string(credentials.AuthSelfSignedTLS)}, func(string) {
		if f.cert.info != nil { // not while building
			f.updateVisibility()
			f.validate()
		}
	})
	f.newField(credentials.FieldAuthMethod, "Client authentication", f.authMethod)
	f.cert.buildCertificate()
	f.buildMTLS() // form_mtls.go
	f.scope = f.textField(credentials.FieldScope, "Scope", "space-separated, e.g. api:read api:write")
	f.audience = f.textField(credentials.FieldAudience, "Audience", "optional")
	f.resource = f.textField(credentials.FieldResource, "Resource", "optional: https://api.example.com")
	f.refresh = f.textField(credentials.FieldRefreshInterval, "Refresh interval", "5m")
	f.redirectPort = f.textField(credentials.FieldRedirectPort, "Redirect port", "0 = any free port")
	f.usernameClaim = f.textField(credentials.FieldUsernameClaim, "JWT username claim", "preferred_username")
	f.rolesClaim = f.textField(credentials.FieldRolesClaim, "JWT roles claim", "roles or realm_access.roles")

	main := container.New(layout.NewFormLayout())
	for _, ff := range f.order {
		main.Add(ff.label)
		main.Add(ff.cell)
	}
	basicCount := len(f.order)
	f.basicCount = basicCount

	// Advanced: proxy, TLS, tenant.
	f.proxyMode = widget.NewSelect([]string{proxyNone, proxySystem, proxyURL}, func(string) {
		f.updateVisibility()
		f.validate()
	})
	f.newField(credentials.FieldProxy, "Proxy", f.proxyMode)
	f.proxyURL = f.textField("proxyUrl", "Proxy URL", "http://proxy.example.com:3128 or socks5://…")
	f.proxyUser = f.textField("proxyUser", "Proxy user", "optional")
	f.proxyPass = newEntry(d)
	f.proxyPass.Password = true
	f.newField("proxyPassword", "Proxy password", f.proxyPass)
	f.proxyPass.OnChanged = func(string) { f.validate() }
	f.caFile = f.textField(credentials.FieldCAFile, "CA bundle file", "optional: PEM file of a private CA")
	f.browseCA = widget.NewButton("Browse…", f.pickCAFile)
	f.fields[credentials.FieldCAFile].cell.Objects[0] = container.NewBorder(nil, nil, nil, f.browseCA, f.caFile)
	f.skipTLS = widget.NewCheck("Skip TLS certificate verification", nil)
	f.tlsWarning = widget.NewLabel("⚠ Anyone on the network path can read the secret and the tokens. Use only against a test IdP.")
	f.tlsWarning.Importance = widget.DangerImportance
	f.tlsWarning.Wrapping = fyne.TextWrapWord
	f.skipTLS.OnChanged = func(on bool) {
		if on {
			f.tlsWarning.Show()
		} else {
			f.tlsWarning.Hide()
		}
		f.validate()
	}
	tlsField := f.newField("insecureSkipVerify", "TLS", f.skipTLS)
	tlsField.cell.Add(f.tlsWarning)
	f.tenant = f.textField("tenant", "Tenant", "optional: sent in a header on test requests")
	f.tenantHdr = f.textField(credentials.FieldTenantHeader, "Tenant header", credentials.DefaultTenantHeader)
	f.tenantClaim = f.textField(credentials.FieldTenantClaim, "JWT tenant claim", "optional, e.g. $.TenantID")
	f.gitHosts = f.textField(credentials.FieldGitHosts, "Git hosts", "optional: remotes credctl git-credential serves, e.g. dev.azure.com")
	f.gitUser = f.textField("gitUsername", "Git username", "optional: what git sends with the token (default oauth2)")
	f.buildMFA()
	f.buildDPoP()  // form_dpop.go
	f.buildLogin() // form_login.go
	f.buildIdP()   // form_idp.go
	adv := container.New(layout.NewFormLayout())
	for _, ff := range f.order[basicCount:] {
		adv.Add(ff.label)
		adv.Add(ff.cell)
	}
	f.advanced = widget.NewAccordion(widget.NewAccordionItem("Advanced: proxy, TLS, tenant, MFA, IdP management", adv))

	f.problems = widget.NewLabel("")
	f.problems.Wrapping = fyne.TextWrapWord
	f.problems.Importance = widget.WarningImportance

	f.fill()
	f.typ.OnChanged = func(string) {
		f.fields[credentials.FieldType].touched = true
		f.updateVisibility()
		f.validate()
	}
	f.updateVisibility()

	f.problemsGo = widget.NewButton("Show", f.goToProblem)
	f.problemsGo.Hide()
	body := container.NewVBox(main, f.advanced, container.NewBorder(nil, nil, nil, f.problemsGo, f.problems))
	f.scroll = container.NewVScroll(nil)
	f.scroll.Content = container.NewPadded(container.NewStack(body, newWheelForwarder(f.scroll)))
	f.scroll.Refresh()
	return container.NewStack(d.fitSpacer(680, 520), f.scroll)
}

// fill puts the edited profile's values (or an Add form's defaults) into the inputs.
func (f *profileForm) fill() {
	p := credentials.Profile{Type: credentials.TypeApplication, AuthMethod: credentials.AuthBasic,
		RefreshInterval: credentials.Duration(credentials.DefaultRefreshInterval), TenantHeader: credentials.DefaultTenantHeader}
	if f.orig != nil {
		p = *f.orig
	}
	set := func(e *entry, v string) { e.Text = v; e.Refresh() }
	set(f.name, p.Name)
	set(f.issuer, p.IssuerURL)
	set(f.tokenURL, p.TokenURL)
	set(f.authURL, p.AuthURL)
	set(f.revocationURL, p.RevocationURL)
	set(f.clientID, p.ClientID)
	set(f.scope, p.Scope)
	set(f.audience, p.Audience)
	set(f.resource, p.Resource)
	set(f.refresh, humanDuration(p.RefreshInterval.D()))
	if p.RedirectPort != 0 {
		set(f.redirectPort, strconv.Itoa(p.RedirectPort))
	}
	set(f.usernameClaim, p.UsernameClaim)
	set(f.rolesClaim, p.RolesClaim)
	set(f.tenantClaim, p.TenantClaim)
	set(f.tenant, p.Tenant)
	set(f.tenantHdr, p.TenantHeader)
	set(f.gitHosts, p.GitHosts)
	set(f.gitUser, p.GitUsername)
	set(f.proxyURL, p.Proxy.URL)
	set(f.proxyUser, p.Proxy.Username)
	set(f.caFile, p.TLS.CAFile)
	if !p.SecretExpiresAt.IsZero() {
		set(f.secretExpires, p.SecretExpiresAt.UTC().Format("2006-01-02"))
	}
	if p.Type == credentials.TypeUser {
		f.typ.Selected = typeUser
	} else {
		f.typ.Selected = typeApplication
	}
	f.typ.Refresh()
	f.authMethod.Selected = string(p.AuthMethod)
	if f.authMethod.Selected == "" {
		f.authMethod.Selected = string(credentials.AuthBasic)
	}
	f.authMethod.Refresh()
	f.cert.fillCertificate(p)
	f.fillMFA(p)
	f.fillMTLS(p)
	f.fillIdP(p) // form_idp.go
	switch p.Proxy.Mode {
	case credentials.ProxySystem:
		f.proxyMode.Selected = proxySystem
	case credentials.ProxyURL:
		f.proxyMode.Selected = proxyURL
	default:
		f.proxyMode.Selected = proxyNone
	}
	f.proxyMode.Refresh()
	f.skipTLS.Checked = p.TLS.InsecureSkipVerify
	f.skipTLS.Refresh()
	if !p.TLS.InsecureSkipVerify {
		f.tlsWarning.Hide()
	}
	if f.orig != nil {
		// Editing: show every problem at once; adding: only where typed.
		for _, ff := range f.order {
			ff.touched = true
		}
		if p.Proxy.Mode != credentials.ProxyNone || p.TLS.CAFile != "" || p.TLS.InsecureSkipVerify || p.Tenant != "" || p.GitHosts != "" {
			f.advanced.Open(0)
		}
	}
}

func (f *profileForm) selectedType() credentials.Type {
	if f.typ.Selected == typeUser {
		return credentials.TypeUser
	}
	return credentials.TypeApplication
}

// updateVisibility shows the fields that apply to the type and proxy mode.
func (f *profileForm) updateVisibility() {
	user := f.selectedType() == credentials.TypeUser
	// Only what the engine ignores for the type is hidden (the login
	// endpoints of an Application profile); hidden inputs still keep their
	// values, so a save never drops a setting the form does not show.
	for key, on := range map[string]bool{
		credentials.FieldAuthURL:       user,
		credentials.FieldRevocationURL: user,
		credentials.FieldRedirectPort:  user,
		// A public User client (no secret, no certificate) does not authenticate itself.
		credentials.FieldAuthMethod:   !user || f.secret.Text != "" || (f.orig != nil && f.orig.HasSecret) || f.usesCertificate(),
		"proxyUrl":                    f.proxyMode.Selected == proxyURL,
		"proxyUser":                   f.proxyMode.Selected == proxyURL,
		"proxyPassword":               f.proxyMode.Selected == proxyURL,
		credentials.FieldClientSecret: !f.usesKey(),
		fieldSecretExpires:            !f.usesKey(),
		credentials.FieldCertificate:  f.usesCertificate(),
		credentials.FieldAssertion:    f.mtlsMethod() == credentials.AuthPrivateKeyJWT,
		credentials.FieldMFA:          user,
		credentials.FieldLogin:        user,
	} {
		f.fields[key].setVisible(on)
	}
	f.showMTLSHint() // form_mtls.go
	switch {
	case f.orig != nil && f.orig.HasSecret:
		f.secret.SetPlaceHolder("leave empty to keep the stored secret")
		f.secretHint.SetText("A secret is stored in the OS keyring, " +
			secretDates(f.orig.SecretSetAt, f.orig.SecretRotatedAt) + ". Type a new one only to replace it.")
	case user:
		f.secret.SetPlaceHolder("optional: only for confidential clients")
		f.secretHint.SetText("Public clients (PKCE only) have no secret.")
	default:
		f.secret.SetPlaceHolder("the client secret issued by the IdP")
		f.secretHint.SetText("Stored in the OS keyring, never in a file.")
	}
	if f.orig != nil && f.orig.HasProxyPass {
		f.proxyPass.SetPlaceHolder("leave empty to keep the stored password")
	}
	f.derivedVisibility(user) // form_derived.go
}

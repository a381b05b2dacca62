package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/ui/model"
)

// Choices shown in the form's selects.
const (
	typeApplication = "Application (machine-to-machine)"
	typeUser        = "User (interactive login)"
	proxyNone       = "None (direct)"
	proxySystem     = "System (HTTPS_PROXY / NO_PROXY)"
	proxyURL        = "This proxy URL"
)

// formField is one input with its label and its inline validation message.
type formField struct {
	key     string // credentials.Field* name
	label   *widget.Label
	input   fyne.CanvasObject
	msg     *fieldMessage // form_messages.go
	cell    *fyne.Container
	touched bool
}

func (f *formField) setVisible(on bool) {
	if on {
		f.label.Show()
		f.cell.Show()
	} else {
		f.label.Hide()
		f.cell.Hide()
	}
}

// profileForm is the Add / Edit form.
type profileForm struct {
	w    *Workbench
	orig *credentials.Profile // nil when adding
	s    *shownDialog

	name, issuer, tokenURL, authURL, revocationURL, clientID  *entry
	secret, scope, audience, resource, refresh, redirectPort  *entry
	usernameClaim, rolesClaim, tenantClaim, tenant, tenantHdr *entry
	proxyURL, proxyUser, proxyPass, caFile                    *entry
	typ                                                       *widget.RadioGroup
	authMethod, proxyMode                                     *widget.Select
	skipTLS                                                   *widget.Check
	tlsWarning                                                *widget.Label
	secretHint                                                *widget.Label
	discover, browseCA, save                                  *widget.Button
	problems                                                  *widget.Label  // summary next to Save
	problemsGo                                                *widget.Button // scrolls to the first problem
	advanced                                                  *widget.Accordion
	cert                                                      certPart      // private_key_jwt (form_certificate.go)
	mfa                                                       mfaPart       // multi-factor (form_mfa.go)
	presetNote                                                *widget.Label // the applied preset's guidance (form_presets.go)
	secretExpires                                             *entry

	fields     map[string]*formField
	order      []*formField
	basicCount int // order[basicCount:] are in the Advanced section
	errs       *credentials.ValidationError
	extra      map[string]string // problems the form finds itself (unparsable numbers)
	saving     bool

	initial      credentials.Profile // what the inputs held when the form opened
	discardArmed bool                // Escape was pressed once on a changed form
	scroll       *container.Scroll
}

// openForm shows the Add form (p == nil) or the Edit form for p.
func (w *Workbench) openForm(p *credentials.Profile) *profileForm {
	f := &profileForm{w: w, orig: p, fields: map[string]*formField{}}
	if p != nil {
		c := *p
		f.orig = &c
	}
	content := f.build()
	title := "Add profile"
	if p != nil {
		title = "Edit " + p.Name
	}
	f.s = w.showDialog(title, content,
		dialogButton{label: "Cancel", keepOpen: true, fn: w.closeDialog},
		dialogButton{label: "Save", importance: widget.HighImportance, keepOpen: true, fn: f.submit})
	f.s.onClose = func() { w.form = nil }
	f.s.onEnter = f.submit
	f.s.mayClose = f.mayDiscard
	f.save = f.s.button("Save")
	w.form = f
	f.s.d.Resize(w.fitDialog(720, 640))
	f.validate()
	f.initial, _ = f.profile()
	w.win.Canvas().Focus(f.name)
	return f
}

// changed says whether the user changed anything, a typed secret included.
func (f *profileForm) changed() bool {
	p, _ := f.profile()
	return p != f.initial || f.secret.Text != "" || f.proxyPass.Text != ""
}

// mayDiscard is asked before Escape or Cancel closes the form: changes
// (above all a typed secret) are never dropped silently; the first press
// says what would be lost, the second discards.
func (f *profileForm) mayDiscard() bool {
	if f.discardArmed || f.saving || !f.changed() {
		return true
	}
	f.discardArmed = true
	what := "unsaved changes"
	if f.secret.Text != "" || f.proxyPass.Text != "" {
		what = "unsaved changes, including a typed secret"
	}
	f.problems.SetText("This form has " + what + ". Press Escape or Discard changes again to drop them, or Save to keep them.")
	f.problems.Importance = widget.WarningImportance
	f.problems.Show()
	f.problems.Refresh()
	if b := f.s.button("Cancel"); b != nil {
		b.SetText("Discard changes")
	}
	f.scrollTo(f.problems)
	return false
}

// scrollTo scrolls the form so o is in view.
func (f *profileForm) scrollTo(o fyne.CanvasObject) {
	d := fyne.CurrentApp().Driver()
	y := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(f.scroll.Content).Y
	f.scroll.Offset = fyne.NewPos(0, max(y-theme.Padding()*4, 0))
	f.scroll.Refresh()
}

func (f *profileForm) newField(key, label string, input fyne.CanvasObject) *formField {
	ff := &formField{key: key, label: widget.NewLabel(label), input: input}
	ff.label.Alignment = fyne.TextAlignTrailing
	ff.msg = newFieldMessage()
	ff.cell = container.NewVBox(input, ff.msg)
	f.fields[key] = ff
	f.order = append(f.order, ff)
	return ff
}

func (f *profileForm) textField(key, label, placeholder string) *entry {
	e := newEntry(f.w)
	e.SetPlaceHolder(placeholder)
	ff := f.newField(key, label, e)
	e.OnChanged = func(string) {
		ff.touched = true
		f.validate()
	}
	return e
}

func (f *profileForm) build() fyne.CanvasObject {
	w := f.w
	f.name = f.textField(credentials.FieldName, "Name", "e.g. Billing API - prod")
	f.typ = widget.NewRadioGroup([]string{typeApplication, typeUser}, nil)
	f.typ.Horizontal = true
	f.typ.Required = true
	f.newField(credentials.FieldType, "Type", f.typ)
	f.issuer = f.textField(credentials.FieldIssuerURL, "Issuer URL", "optional: https://idp.example.com/realms/x")
	f.discover = widget.NewButton("Discover", f.runDiscover)
	f.buildPresetRow() // form_presets.go
	f.tokenURL = f.textField(credentials.FieldTokenURL, "Token endpoint", "https://idp.example.com/oauth2/token")
	f.authURL = f.textField(credentials.FieldAuthURL, "Authorization endpoint", "https://idp.example.com/oauth2/authorize")
	f.revocationURL = f.textField(credentials.FieldRevocationURL, "Revocation endpoint", "optional: used on logout")
	f.clientID = f.textField(credentials.FieldClientID, "Client ID", "")
	f.secret = newEntry(w)
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
	f.authMethod = widget.NewSelect([]string{string(credentials.AuthBasic), string(credentials.AuthPost), string(credentials.AuthPrivateKeyJWT)}, func(string) {
		if f.cert.info != nil { // not while building
			f.updateVisibility()
			f.validate()
		}
	})
	f.newField(credentials.FieldAuthMethod, "Client authentication", f.authMethod)
	f.buildCertificate()
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
	f.proxyPass = newEntry(w)
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
	f.buildMFA()
	adv := container.New(layout.NewFormLayout())
	for _, ff := range f.order[basicCount:] {
		adv.Add(ff.label)
		adv.Add(ff.cell)
	}
	f.advanced = widget.NewAccordion(widget.NewAccordionItem("Advanced: proxy, TLS, tenant, MFA", adv))

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
	return container.NewStack(f.w.fitSpacer(680, 520), f.scroll)
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
	f.fillCertificate(p)
	f.fillMFA(p)
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
		if p.Proxy.Mode != credentials.ProxyNone || p.TLS.CAFile != "" || p.TLS.InsecureSkipVerify || p.Tenant != "" {
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
		credentials.FieldClientSecret: !f.usesCertificate(),
		fieldSecretExpires:            !f.usesCertificate(),
		credentials.FieldCertificate:  f.usesCertificate(),
		credentials.FieldAssertion:    f.usesCertificate(),
		credentials.FieldMFA:          user,
	} {
		f.fields[key].setVisible(on)
	}
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
}

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
	f.readMFA(&p)
	p.Normalize()

	p.SecretExpiresAt = f.readSecretExpires()
	var ch credentials.SecretChange
	f.readCertificate(&p, &ch)
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
	for _, r := range f.w.m.Rows() {
		if f.orig == nil || r.P.ID != f.orig.ID {
			others = append(others, *r.P)
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

// submit saves through the service; an Application profile is tested at once.
func (f *profileForm) submit() {
	f.validate()
	if f.save.Disabled() {
		f.goToProblem() // Enter on an invalid form: show the first problem
		return
	}
	w := f.w
	p, ch := f.profile()
	f.saving = true
	f.save.Disable()
	var saved credentials.Profile
	w.backgroundRow(p.ID, model.BusySaving, func(ctx context.Context) error {
		var err error
		saved, err = w.ops.Save(p, ch)
		return err
	}, func(err error) {
		f.saving = false
		if err != nil {
			var ve *credentials.ValidationError
			if errors.As(err, &ve) {
				f.errs = ve
				for _, ff := range f.order {
					ff.touched = true
				}
				f.showErrors()
			} else {
				f.problems.SetText("Not saved: " + err.Error())
				f.problems.Importance = widget.DangerImportance
				f.problems.Show()
				f.problems.Refresh()
				f.save.Enable()
			}
			return
		}
		w.hideDialog(f.s)
		w.form = nil
		w.m.Select(saved.ID, true)
		w.m.DropResult(saved.ID)
		w.reload()
		w.setStatus(fmt.Sprintf("Saved %q", saved.Name))
		if i := w.m.ViewIndex(saved.ID); i >= 0 {
			w.table.ScrollTo(widget.TableCellID{Row: i, Col: 0})
		}
		if saved.Type == credentials.TypeApplication {
			w.testProfile(saved.ID, saved.Name)
		}
	})
}

// runDiscover reads the issuer's discovery document and fills the endpoints.
func (f *profileForm) runDiscover() {
	w := f.w
	p, _ := f.profile()
	issuerField := f.fields[credentials.FieldIssuerURL]
	if p.IssuerURL == "" {
		issuerField.msg.SetText("Enter the issuer URL first, e.g. https://idp.example.com/realms/x.")
		issuerField.msg.Show()
		return
	}
	f.discover.Disable()
	f.discover.SetText("Discovering…")
	note := ""
	w.background("Discovering "+p.IssuerURL+"…", func(ctx context.Context) error {
		ep, err := w.ops.Discover(ctx, p)
		if err == nil {
			w.do(func() {
				if ep.IssuerNote != "" {
					f.issuer.SetText(ep.Issuer)
					note = " (" + ep.IssuerNote + ")"
				}
				if ep.TokenURL != "" {
					f.tokenURL.SetText(ep.TokenURL)
				}
				if ep.AuthURL != "" {
					f.authURL.SetText(ep.AuthURL)
				}
				if ep.RevocationURL != "" {
					f.revocationURL.SetText(ep.RevocationURL)
				}
			})
		}
		return err
	}, func(err error) {
		f.discover.Enable()
		f.discover.SetText("Discover")
		if err != nil {
			issuerField.msg.SetText("Discovery failed: " + err.Error())
			issuerField.msg.Show()
			w.setStatus("Discovery failed")
			return
		}
		f.validate()
		w.setStatus("Endpoints discovered from " + p.IssuerURL + note)
	})
}

func (f *profileForm) pickCAFile() {
	fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		_ = rc.Close()
		f.caFile.SetText(rc.URI().Path())
	}, f.w.win)
	fd.Resize(fyne.NewSize(700, 480))
	fd.Show()
}

// dialogChrome is what a dialog adds around its content (title, buttons,
// padding): a dialog whose content is more than the window less this does
// not fit, and Fyne then cuts it off.
var dialogChrome = fyne.NewSize(48, 150)

// fitDialog is the size wanted, no larger than the window (800×600 and up
// must show every dialog whole; its content scrolls inside).
func (w *Workbench) fitDialog(width, height float32) fyne.Size {
	if s := w.win.Canvas().Size(); s.Width > 0 && s.Height > 0 {
		width, height = min(width, s.Width-dialogChrome.Width/2), min(height, s.Height-dialogChrome.Height/3)
	}
	return fyne.NewSize(width, height)
}

// fitSpacer is a canvasSpacer for a dialog's content, no larger than the
// window leaves it.
func (w *Workbench) fitSpacer(width, height float32) fyne.CanvasObject {
	if s := w.win.Canvas().Size(); s.Width > 0 && s.Height > 0 {
		width, height = min(width, s.Width-dialogChrome.Width), min(height, s.Height-dialogChrome.Height)
	}
	return canvasSpacer(max(width, 320), max(height, 200))
}

// canvasSpacer is an invisible object that gives its container a minimum size.
func canvasSpacer(width, height float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(width, height))
	return r
}

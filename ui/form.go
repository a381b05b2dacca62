package ui

import (
	"context"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
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

// formHost is what the Add / Edit form asks of the window.
type formHost interface {
	workHost
	allProfiles() []*credentials.Profile
	dropResult(id string)
	selectSaved(id string)
	testOne(id, name string)
}

// profileForm is the Add / Edit form.
type profileForm struct {
	h       formHost
	orig    *credentials.Profile // nil when adding
	s       *shownDialog
	onClose func() // the form is closed (saved or cancelled)

	name, issuer, tokenURL, authURL, revocationURL, clientID  *entry
	secret, scope, audience, resource, refresh, redirectPort  *entry
	usernameClaim, rolesClaim, tenantClaim, tenant, tenantHdr *entry
	proxyURL, proxyUser, proxyPass, caFile                    *entry
	gitHosts, gitUser                                         *entry // credctl git-credential
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
	dpop                                                      *widget.Check // DPoP (form_dpop.go)
	mtls                                                      mtlsPart      // mutual TLS (form_mtls.go)
	idp                                                       idpPart       // IdP management (form_idp.go)
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

	derived derivedPart // token exchange, JWT bearer (form_derived.go)
	login   loginPart   // PAR and request objects (form_login.go)
}

// newProfileForm is the Add form (p == nil) or the Edit form for p.
func newProfileForm(h formHost, p *credentials.Profile) *profileForm {
	f := &profileForm{h: h, fields: map[string]*formField{}, onClose: func() {}}
	f.cert.f = f
	if p != nil {
		c := *p
		f.orig = &c
	}
	return f
}

// open shows the form.
func (f *profileForm) open() {
	d := f.h.dialogs()
	content := f.build()
	title := "Add profile"
	if f.orig != nil {
		title = "Edit " + f.orig.Name
	}
	f.s = d.show(title, content,
		dialogButton{label: "Cancel", keepOpen: true, fn: d.closeTop},
		dialogButton{label: "Save", importance: widget.HighImportance, keepOpen: true, fn: f.submit})
	f.s.onClose = func() { f.onClose() }
	f.s.onEnter = f.submit
	f.s.mayClose = f.mayDiscard
	f.save = f.s.button("Save")
	f.s.d.Resize(d.fitSize(720, 640))
	f.validate()
	f.initial, _ = f.profile()
	f.h.window().Canvas().Focus(f.name)
}

// changed says whether the user changed anything, a typed secret included.
func (f *profileForm) changed() bool {
	p, _ := f.profile()
	return p != f.initial || f.secret.Text != "" || f.proxyPass.Text != "" || f.idp.token.Text != ""
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
	e := newEntry(f.h.dialogs())
	e.SetPlaceHolder(placeholder)
	ff := f.newField(key, label, e)
	e.OnChanged = func(string) {
		ff.touched = true
		f.validate()
	}
	return e
}

// submit saves through the service; an Application profile is tested at once.
func (f *profileForm) submit() {
	f.validate()
	if f.save.Disabled() {
		f.goToProblem() // Enter on an invalid form: show the first problem
		return
	}
	h := f.h
	p, ch := f.profile()
	f.saving = true
	f.save.Disable()
	var saved credentials.Profile
	h.backgroundRow(p.ID, model.BusySaving, func(ctx context.Context) error {
		var err error
		saved, err = h.service().Save(p, ch)
		if err == nil {
			err = f.idp.storeToken(h.service(), saved) // form_idp.go
		}
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
		h.dialogs().hide(f.s)
		f.onClose()
		h.dropResult(saved.ID)
		h.selectSaved(saved.ID)
		h.setStatus(fmt.Sprintf("Saved %q", saved.Name))
		if saved.Type == credentials.TypeApplication {
			h.testOne(saved.ID, saved.Name)
		}
	})
}

// runDiscover reads the issuer's discovery document and fills the endpoints.
func (f *profileForm) runDiscover() {
	h := f.h
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
	h.background("Discovering "+p.IssuerURL+"…", func(ctx context.Context) error {
		ep, err := h.service().Discover(ctx, p)
		if err == nil {
			h.onUI(func() {
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
			h.setStatus("Discovery failed")
			return
		}
		f.validate()
		h.setStatus("Endpoints discovered from " + p.IssuerURL + note)
	})
}

func (f *profileForm) pickCAFile() {
	fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		_ = rc.Close()
		f.caFile.SetText(rc.URI().Path())
	}, f.h.window())
	fd.Resize(fyne.NewSize(700, 480))
	fd.Show()
}

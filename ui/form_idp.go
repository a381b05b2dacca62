package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/ui/model"
)

// The form's IdP management part (#26, Advanced section): which profile's
// token manages this app at its IdP, which API that is, its base URL, the
// maximum age of an Okta secret, and — without a management profile — the
// Okta API token or RFC 7592 registration access token (to the keyring
// only, like the client secret).

// Form field keys (as validation names them).
const (
	fieldMgmtProfile = credentials.FieldManagementProfile
	fieldMgmtAPI     = credentials.FieldManagementAPI
	fieldMgmtURL     = credentials.FieldManagementURL
	fieldRegURI      = credentials.FieldRegistrationClientURI
	fieldMaxAge      = credentials.FieldMaxSecretAge
	fieldMgmtToken   = "managementToken" // the keyring's, not the profile's
)

const (
	mgmtNone     = "None"
	apiInferred  = "Inferred"
	apiInferNone = "Inferred (not known from the issuer: choose one)"
)

// idpPart is the management section of the profile form.
type idpPart struct {
	f        *profileForm
	profile  *widget.Select
	api      *widget.Select
	url      *entry
	regURI   *entry
	maxAge   *entry
	token    *entry
	tokenMsg *widget.Label
	choices  []model.ProfileChoice
}

func (f *profileForm) buildIdP() {
	m := &f.idp
	m.f = f
	changed := func(key string) func(string) {
		return func(string) {
			if ff := f.fields[key]; ff != nil && m.token != nil { // not while building
				ff.touched = true
				m.refresh()
				f.validate()
			}
		}
	}
	self := ""
	if f.orig != nil {
		self = f.orig.ID
	}
	m.choices = model.ManagementChoices(f.h.allProfiles(), self)
	names := []string{mgmtNone}
	for _, c := range m.choices {
		names = append(names, c.Name)
	}
	m.profile = widget.NewSelect(names, changed(fieldMgmtProfile))
	f.newField(fieldMgmtProfile, "Management profile", m.profile)
	m.api = widget.NewSelect(nil, changed(fieldMgmtAPI))
	f.newField(fieldMgmtAPI, "Management API", m.api)
	m.url = f.textField(fieldMgmtURL, "Management URL", "")
	m.regURI = f.textField(fieldRegURI, "Registration URI", "RFC 7592 registration_client_uri")
	m.maxAge = f.textField(fieldMaxAge, "Max secret age", "optional, e.g. 90d: Okta secrets do not expire")
	m.token = newEntry(f.h.dialogs())
	m.token.Password = true
	m.tokenMsg = widget.NewLabel("")
	m.tokenMsg.Wrapping = fyne.TextWrapWord
	m.tokenMsg.Importance = widget.LowImportance
	tf := f.newField(fieldMgmtToken, "API token", m.token)
	tf.cell.Objects = []fyne.CanvasObject{tf.cell.Objects[0], m.tokenMsg, tf.msg}
	m.token.OnChanged = changed(fieldMgmtToken)
	// What is inferred follows the issuer and token endpoint as they are typed.
	for _, e := range []*entry{f.issuer, f.tokenURL} {
		prev := e.OnChanged
		e.OnChanged = func(s string) {
			prev(s)
			m.refresh()
		}
	}
}

// fillIdP puts the edited profile's management settings into the inputs.
func (f *profileForm) fillIdP(p credentials.Profile) {
	m := &f.idp
	m.profile.Selected = mgmtNone
	for _, c := range m.choices {
		if c.ID == p.ManagementProfile {
			m.profile.Selected = c.Name
		}
	}
	m.profile.Refresh()
	m.api.Selected = apiLabelOf(p.ManagementAPI)
	m.url.Text, m.regURI.Text = p.ManagementURL, p.RegistrationClientURI
	if d := p.MaxSecretAge.D(); d > 0 {
		m.maxAge.Text = fmt.Sprintf("%dd", int(d.Hours()/24))
	}
	for _, e := range []*entry{m.url, m.regURI, m.maxAge} {
		e.Refresh()
	}
	m.refresh()
	if p.ManagementProfile != "" || p.ManagementAPI != "" || p.RegistrationClientURI != "" {
		f.advanced.Open(0)
	}
}

// readIdP puts the inputs into p (a typed token is stored after the save: storeToken).
func (f *profileForm) readIdP(p *credentials.Profile) {
	m := &f.idp
	p.ManagementProfile = ""
	for _, c := range m.choices {
		if c.Name == m.profile.Selected {
			p.ManagementProfile = c.ID
		}
	}
	p.ManagementAPI = apiKindOf(m.api.Selected)
	p.ManagementURL = strings.TrimSpace(m.url.Text)
	p.RegistrationClientURI = strings.TrimSpace(m.regURI.Text)
	p.MaxSecretAge = 0
	if s := strings.TrimSpace(m.maxAge.Text); s != "" {
		d, ok := model.ParseWithin(s)
		if !ok || d < 24*time.Hour {
			f.extra[fieldMaxAge] = "Max secret age: use a number of days, e.g. 90d."
		}
		p.MaxSecretAge = credentials.Duration(d)
	}
}

// storeToken keeps a typed Okta API token or registration access token in
// the keyring once the profile is saved (it needs the profile's ID).
func (m *idpPart) storeToken(svc Operations, saved credentials.Profile) error {
	if m.token.Text == "" || !m.tokenWanted(saved) {
		return nil
	}
	l, err := lifecycleOf(svc)
	if err != nil {
		return err
	}
	kind := credentials.ManagementToken
	if k := saved.ManagementAPI; k == model.APIRFC7592 || (k == "" && inferManagementAPI(saved) == model.APIRFC7592) {
		kind = credentials.RegistrationToken
	}
	if err := l.SetManagementToken(saved.ID, kind, m.token.Text); err != nil {
		return fmt.Errorf("the profile was saved, but its token could not be kept in the OS keyring: %w", err)
	}
	return nil
}

// apiLabelOf is the API select's choice for a stored kind.
func apiLabelOf(kind string) string {
	if kind == "" {
		return apiInferred
	}
	return model.APILabel(kind)
}

// apiKindOf is the stored kind of the API select's choice ("" = inferred).
func apiKindOf(label string) string {
	for _, k := range model.APIKinds {
		if model.APILabel(k) == label {
			return k
		}
	}
	return ""
}

// kind is the API the form's settings name or infer now.
func (m *idpPart) kind() string {
	p := m.f.profileWithoutIdP()
	if k := apiKindOf(m.api.Selected); k != "" {
		return k
	}
	return inferManagementAPI(p)
}

// tokenWanted: an Okta API token or an RFC 7592 registration token is
// asked for only when no management profile gives the token.
func (m *idpPart) tokenWanted(p credentials.Profile) bool {
	k := p.ManagementAPI
	if k == "" {
		k = inferManagementAPI(p)
	}
	return p.ManagementProfile == "" && (k == model.APIOkta || k == model.APIRFC7592)
}

// refresh shows what is inferred and the inputs that apply to the API.
func (m *idpPart) refresh() {
	f := m.f
	p := f.profileWithoutIdP()
	inferred := inferManagementAPI(p)
	first := apiInferNone
	if inferred != "" {
		first = apiInferred + " (" + model.APILabel(inferred) + ")"
	}
	sel := m.api.Selected
	if strings.HasPrefix(sel, apiInferred) || sel == "" {
		sel = first
	}
	opts := []string{first}
	for _, k := range model.APIKinds {
		opts = append(opts, model.APILabel(k))
	}
	m.api.Options, m.api.Selected = opts, sel
	m.api.Refresh()
	kind := m.kind()
	p.ManagementAPI = apiKindOf(sel)
	p.ManagementProfile = "" // only whether one is chosen matters here
	if m.profile.Selected != mgmtNone {
		p.ManagementProfile = m.profile.Selected
	}
	if def := defaultManagementURL(p, kind); def != "" {
		m.url.SetPlaceHolder("optional: default " + def)
	} else {
		m.url.SetPlaceHolder("optional: the API's base URL (national clouds, gateways)")
	}
	wanted := m.tokenWanted(p)
	f.fields[fieldMgmtToken].setVisible(wanted)
	f.fields[fieldRegURI].setVisible(kind == model.APIRFC7592)
	f.fields[fieldMaxAge].setVisible(kind == model.APIOkta || m.maxAge.Text != "")
	if wanted {
		what := "Okta API token (SSWS), used when no management profile is chosen"
		f.fields[fieldMgmtToken].label.SetText("Okta API token")
		if kind == model.APIRFC7592 {
			what = "registration access token the IdP issued at registration"
			f.fields[fieldMgmtToken].label.SetText("Registration token")
		}
		m.token.SetPlaceHolder(tokenPlaceholder(f.orig))
		m.tokenMsg.SetText("The " + what + ". Stored in the OS keyring, never in a file.")
	}
}

func tokenPlaceholder(orig *credentials.Profile) string {
	if orig != nil {
		return "leave empty to keep the stored token"
	}
	return "kept in the OS keyring"
}

// profileWithoutIdP is the form's profile before its management part is
// read (what inference looks at: the issuer and token endpoint).
func (f *profileForm) profileWithoutIdP() credentials.Profile {
	var p credentials.Profile
	if f.orig != nil {
		p = *f.orig
	}
	p.IssuerURL, p.TokenURL = strings.TrimSpace(f.issuer.Text), strings.TrimSpace(f.tokenURL.Text)
	return p
}

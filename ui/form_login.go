package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// The form's login-request part (User profiles): pushed authorization
// requests (RFC 9126) and signed request objects (RFC 9101)
// (oauthflow/login_par.go).

// loginPart is the login-request section of the profile form.
type loginPart struct {
	par, requestObject *widget.Check
}

func (f *profileForm) buildLogin() {
	l := &f.login
	changed := func(bool) {
		if ff := f.fields[credentials.FieldLogin]; ff != nil {
			ff.touched = true
			f.validate()
		}
	}
	l.par = widget.NewCheck("Pushed authorization request (PAR)", changed)
	l.requestObject = widget.NewCheck("Signed request object (with the profile's certificate key)", changed)
	hint := widget.NewLabel("PAR sends the login's parameters to the IdP first; the browser gets only client_id and " +
		"request_uri. Used anyway when the IdP requires it.")
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	f.newField(credentials.FieldLogin, "Login request", container.NewVBox(l.par, l.requestObject, hint))
	if f.orig != nil {
		l.par.Checked, l.requestObject.Checked = f.orig.PAR, f.orig.RequestObject
	}
}

// readLogin puts the inputs into p (an Application profile keeps none).
func (f *profileForm) readLogin(p *credentials.Profile) {
	user := p.Type == credentials.TypeUser
	p.PAR = user && f.login.par.Checked
	p.RequestObject = user && f.login.requestObject.Checked
}

// loginDetails is the details panel's line ("" for a plain login).
func loginDetails(p credentials.Profile) string {
	var parts []string
	if p.PAR {
		parts = append(parts, "pushed (PAR)")
	}
	if p.RequestObject {
		parts = append(parts, "signed request object")
	}
	return strings.Join(parts, ", ")
}

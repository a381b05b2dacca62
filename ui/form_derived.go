package ui

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// The form's derived-profile part (#28): the grant of an Application
// profile (Client Credentials, Token Exchange, JWT Bearer), the profiles
// whose tokens a token exchange uses, the requested token type and the
// JWT bearer assertion's subject.

const noActor = "(none)"

// derivedPart is the grant section of the profile form.
type derivedPart struct {
	grant     *widget.Select
	subject   *widget.Select // profile names
	actor     *widget.Select // profile names and noActor
	requested *widget.SelectEntry
	assertSub *entry
	ids       map[string]string // profile name → ID
}

var applicationGrants = []credentials.GrantType{credentials.GrantClientCredentials, credentials.GrantTokenExchange, credentials.GrantJWTBearer}

func (f *profileForm) buildDerived() {
	g := &f.derived
	changed := func(key string) func(string) {
		return func(string) {
			if ff := f.fields[key]; ff != nil {
				ff.touched = true
			}
			if f.cert.info != nil { // not while building
				f.updateVisibility()
				f.validate()
			}
		}
	}
	var labels []string
	for _, gt := range applicationGrants {
		labels = append(labels, gt.Label())
	}
	g.grant = widget.NewSelect(labels, changed(credentials.FieldGrantType))
	f.newField(credentials.FieldGrantType, "Grant", g.grant)
	g.ids = map[string]string{}
	var names []string
	for _, o := range f.h.allProfiles() {
		if f.orig == nil || o.ID != f.orig.ID {
			g.ids[o.Name] = o.ID
			names = append(names, o.Name)
		}
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	g.subject = widget.NewSelect(names, changed(credentials.FieldSubjectProfile))
	g.subject.PlaceHolder = "the profile whose token is exchanged"
	f.newField(credentials.FieldSubjectProfile, "Subject profile", g.subject)
	g.actor = widget.NewSelect(append([]string{noActor}, names...), changed(credentials.FieldActorProfile))
	f.newField(credentials.FieldActorProfile, "Actor profile", g.actor)
	g.requested = widget.NewSelectEntry([]string{"access_token", "jwt", "id_token"})
	g.requested.SetPlaceHolder("access_token (default)")
	g.requested.OnChanged = changed(credentials.FieldRequestedTokenType)
	f.newField(credentials.FieldRequestedTokenType, "Requested token type", g.requested)
	g.assertSub = f.textField(credentials.FieldAssertionSubject, "Assertion subject", "sub of the assertion: the user or service the token is for")

	// The edited profile's values (the rest of the form is filled by fill).
	p := credentials.Profile{GrantType: credentials.GrantClientCredentials}
	if f.orig != nil {
		p = *f.orig
	}
	g.grant.Selected = credentials.GrantClientCredentials.Label()
	if p.IsDerived() {
		g.grant.Selected = p.GrantType.Label()
	}
	for name, id := range g.ids {
		if id == p.SubjectProfile {
			g.subject.Selected = name
		}
		if id == p.ActorProfile {
			g.actor.Selected = name
		}
	}
	if g.actor.Selected == "" {
		g.actor.Selected = noActor
	}
	g.requested.Text = credentials.ShortTokenType(p.RequestedTokenType)
	g.assertSub.Text = p.AssertionSubject
}

// selectedGrant is the grant the form describes.
func (f *profileForm) selectedGrant() credentials.GrantType {
	if f.selectedType() == credentials.TypeUser {
		return credentials.GrantAuthorizationCode
	}
	for _, g := range applicationGrants {
		if f.derived.grant.Selected == g.Label() {
			return g
		}
	}
	return credentials.GrantClientCredentials
}

// readDerived puts the section into p; the settings of the grants not
// chosen are kept as they were.
func (f *profileForm) readDerived(p *credentials.Profile) {
	g := &f.derived
	p.GrantType = f.selectedGrant()
	switch p.GrantType {
	case credentials.GrantTokenExchange:
		p.SubjectProfile = g.ids[g.subject.Selected]
		p.ActorProfile = g.ids[g.actor.Selected]
		p.RequestedTokenType = credentials.TokenTypeURN(g.requested.Text)
	case credentials.GrantJWTBearer:
		p.AssertionSubject = strings.TrimSpace(g.assertSub.Text)
	}
}

// derivedVisibility shows the section's fields for the chosen grant (after
// updateVisibility's own rules): a JWT bearer profile shows its
// certificate, whose key signs the assertion.
func (f *profileForm) derivedVisibility(user bool) {
	g := f.selectedGrant()
	exchange, bearer := g == credentials.GrantTokenExchange, g == credentials.GrantJWTBearer
	for key, on := range map[string]bool{
		credentials.FieldGrantType:          !user,
		credentials.FieldSubjectProfile:     exchange,
		credentials.FieldActorProfile:       exchange,
		credentials.FieldRequestedTokenType: exchange,
		credentials.FieldAssertionSubject:   bearer,
	} {
		f.fields[key].setVisible(on)
	}
	if bearer {
		f.fields[credentials.FieldCertificate].setVisible(true)
		f.fields[credentials.FieldAssertion].setVisible(true)
	}
	if (exchange || bearer) && (f.orig == nil || !f.orig.HasSecret) {
		f.secret.SetPlaceHolder("optional: none for a public client")
		f.secretHint.SetText("A token exchange or JWT bearer client may be public; a secret is stored in the OS keyring only.")
	}
}

// derivedDetails is the details panel's line of a derived profile: where
// its token comes from.
func derivedDetails(p credentials.Profile, name func(id string) string) (string, string) {
	switch p.GrantType {
	case credentials.GrantTokenExchange:
		s := "exchanges the token of '" + name(p.SubjectProfile) + "'"
		if p.ActorProfile != "" {
			s += ", actor '" + name(p.ActorProfile) + "'"
		}
		if p.RequestedTokenType != "" {
			s += ", for a " + credentials.ShortTokenType(p.RequestedTokenType)
		}
		return "Token", s
	case credentials.GrantJWTBearer:
		return "Token", "JWT bearer assertion for '" + p.AssertionSubject + "'"
	}
	return "", ""
}

// profileNameOf names the profile id for the details ("deleted" when gone).
func profileNameOf(ops Operations) func(string) string {
	return func(id string) string {
		if p, err := ops.Profile(id); err == nil {
			return p.Name
		}
		return "a deleted profile"
	}
}

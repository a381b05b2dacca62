// Package model is what the workbench's window shows, without the window:
// the rows (a profile and its bookkeeping as the latest results left it),
// the filter, the sort, the selection, what each profile is busy with and
// which actions the selection allows. It imports no Fyne, so its rules are
// tested without a display; package ui draws it.
package model

import (
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// Row is one profile plus what the filter searches, lower-cased once.
type Row struct {
	// P is the profile as the store's shared view holds it (read-only,
	// not copied at load), or this row's own copy once Edit made one.
	P     *credentials.Profile
	owned bool
	// search is built the first time a filter needs it, not at load: the
	// first frame of 10,000 profiles does not wait for 10,000 search keys.
	// Rows are rebuilt by every reload, and events only change a row's
	// bookkeeping, never the fields searched.
	search string
}

// Edit returns the row's profile for changing it (a result that arrived
// without a reload): the shared one is copied first.
func (r *Row) Edit() *credentials.Profile {
	if !r.owned {
		c := *r.P
		r.P, r.owned = &c, true
	}
	return r.P
}

// ID is the row's profile ID.
func (r *Row) ID() string { return r.P.ID }

func (r *Row) searchKey() string {
	if r.search == "" {
		r.search = strings.ToLower(strings.Join([]string{r.P.Name, r.P.ClientID, r.P.TokenURL, r.P.AuthURL, r.P.IssuerURL}, "\x00"))
	}
	return r.search
}

// NewRows makes the rows of ps (the store's read-only view) in one
// allocation, pointing at the profiles rather than copying them.
func NewRows(ps []credentials.Profile) []*Row {
	block := make([]Row, len(ps))
	rows := make([]*Row, len(ps))
	for i := range ps {
		block[i].P = &ps[i]
		rows[i] = &block[i]
	}
	return rows
}

// NeedsSecret is an Application profile that cannot be tested until its
// client secret is entered (e.g. just imported). A private_key_jwt
// profile needs its private key instead.
func NeedsSecret(p *credentials.Profile) bool {
	if p.AuthMethod.UsesKey() {
		return p.Type == credentials.TypeApplication && !p.HasPrivateKey
	}
	if p.GrantType == credentials.GrantJWTBearer {
		return !p.HasPrivateKey // its assertion needs the key; a secret is optional
	}
	// A token exchange may be made by a public client (#28).
	return p.Type == credentials.TypeApplication && !p.HasSecret && p.GrantType != credentials.GrantTokenExchange
}

// MayHaveSession is a User profile that is, or may still be, logged in:
// never logged in (untested, no session begun) or logged out, it has
// nothing to log out of.
func MayHaveSession(p *credentials.Profile) bool {
	switch p.LastStatus {
	case credentials.StatusLoggedOut:
		return false
	case credentials.StatusActive, credentials.StatusExpired:
		return true
	}
	return !p.LoginAt.IsZero() || p.LoggedInAs != ""
}

// NotLoggedIn is a User profile that simply has no session: nothing was
// refused, the user only has to log in.
func NotLoggedIn(st credentials.Status, f *oauthflow.Failure) bool {
	if st == credentials.StatusLoggedOut {
		return true
	}
	return f != nil && f.Category == oauthflow.CatLogin && strings.HasPrefix(f.Message, "not logged in")
}

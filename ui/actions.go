package ui

import (
	"github.com/credworkbench/credworkbench/credentials"
)

// Row actions, named as on the toolbar.
const (
	actEdit      = "Edit"
	actDelete    = "Delete"
	actTest      = "Test"
	actLogin     = "Login"
	actLogout    = "Logout"
	actRequest   = "Request"
	actRotate    = "Rotate secret"
	actSetSecret = "Set secret"
)

// allowed is the one rule for what a row allows now; the toolbar, the row
// menu and the handlers all ask it, so they cannot disagree.
func (w *Workbench) allowed(act string, r *row) bool {
	if r == nil {
		return false
	}
	idle := w.busy[r.p.ID] == ""
	user := r.p.Type == credentials.TypeUser
	switch act {
	case actRequest:
		// A test request may run while the profile is tested (they share one
		// token fetch), and it writes nothing, so a read-only store allows it.
		return true
	case actEdit:
		return !w.readOnly
	}
	if w.readOnly || !idle {
		return false
	}
	switch act {
	case actDelete, actTest, actSetSecret:
		return true
	case actLogin:
		return user
	case actLogout:
		return user && mayHaveSession(r.p) // details.go
	case actRotate:
		return !user && r.p.HasSecret
	}
	return false
}

// needsSecret is an Application profile that cannot be tested until its
// client secret is entered (e.g. just imported).
// A private_key_jwt profile needs its private key instead.
func needsSecret(p *credentials.Profile) bool {
	if p.AuthMethod == credentials.AuthPrivateKeyJWT {
		return p.Type == credentials.TypeApplication && !p.HasPrivateKey
	}
	return p.Type == credentials.TypeApplication && !p.HasSecret
}

package ui

import (
	"fyne.io/fyne/v2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/ui/model"
)

// screens opens the dialogs and screens the toolbar, menus and keys ask
// for; each is its own struct holding the narrow host it needs. What stays
// open across calls (the form, the request dialog and its drafts, the
// secret banner, the navigation tree) is kept here.
type screens struct {
	h screenHost

	form      *profileForm   // the open Add/Edit form
	req       *requestDialog // the open request dialog
	reqMemory map[string]requestMemory
	secrets   *secretBanner
	nav       *navigator
}

func newScreens(h screenHost) *screens {
	return &screens{h: h, reqMemory: map[string]requestMemory{}}
}

// track keeps *open pointing at the screen v until it closes: the
// returned func is its on-close hook.
func track[T comparable](open *T, v T) (closed func()) {
	*open = v
	return func() {
		if *open == v {
			var none T
			*open = none
		}
	}
}

// busy says whether a dialog is on top: actions that open one then wait.
func (s *screens) busy() bool { return s.h.dialogs().top() != nil }

// newNavigator builds the navigation tree around the credentials view.
func (s *screens) newNavigator(credentialsView fyne.CanvasObject) *navigator {
	s.nav = newNavigator(s.h, s.login, credentialsView)
	return s.nav
}

func (s *screens) addProfile() {
	if s.h.isReadOnly() || s.busy() {
		return
	}
	s.openForm(nil)
}

func (s *screens) editSelected() {
	p := s.h.selectedProfile()
	if p == nil || !s.h.may(actEdit, p.ID) || s.busy() {
		return
	}
	s.openForm(p)
}

// openForm shows the Add form (p == nil) or the Edit form for p.
func (s *screens) openForm(p *credentials.Profile) *profileForm {
	f := newProfileForm(s.h, p)
	f.onClose = track(&s.form, f)
	f.open()
	return f
}

// selected is the selected profile's ID and name when act is allowed on it
// and no dialog is on top.
func (s *screens) selected(act model.Action) (id, name string, ok bool) {
	p := s.h.selectedProfile()
	if p == nil || !s.h.may(act, p.ID) || s.busy() {
		return "", "", false
	}
	return p.ID, p.Name, true
}

func (s *screens) rotateSelected() {
	p := s.h.selectedProfile()
	if p == nil || !s.h.may(actRotate, p.ID) || s.busy() {
		return
	}
	openRotate(s.h, p.ID, p.Name, p.SecretExpiresAt)
}

func (s *screens) loginSelected() {
	if id, name, ok := s.selected(actLogin); ok {
		s.login(id, name)
	}
}

// loginAnotherSelected logs in to the selected profile as another user:
// the IdP shows its login page even if the browser still has a session.
func (s *screens) loginAnotherSelected() {
	if id, name, ok := s.selected(actLogin); ok {
		startLogin(s.h, id, name, true)
	}
}

func (s *screens) loginDeviceSelected() {
	if id, name, ok := s.selected(actLogin); ok {
		startDeviceLogin(s.h, id, name)
	}
}

func (s *screens) login(id, name string) { startLogin(s.h, id, name, false) }

// logout logs the profile out here and, where the IdP supports it, ends
// its browser session (logout.go).
func (s *screens) logout(id, name string) { startLogout(s.h, id, name) }

func (s *screens) deleteSelected() {
	if ps := s.h.selectionProfiles(); ps != nil {
		if !s.h.isReadOnly() && !s.busy() {
			confirmDeleteMany(s.h, s.nav, ps)
		}
		return
	}
	p := s.h.selectedProfile()
	if p == nil || !s.h.may(actDelete, p.ID) || s.busy() {
		return
	}
	confirmDelete(s.h, s.nav, p.ID, p.Name)
}

// setSecretSelected asks for the client secret of the selected profile(s).
func (s *screens) setSecretSelected() {
	if ps := s.h.selectionProfiles(); ps != nil {
		if !s.h.isReadOnly() && !s.busy() {
			openSetSecretMany(s.h, ps)
		}
		return
	}
	if p := s.h.selectedProfile(); p != nil && s.h.may(actSetSecret, p.ID) && !s.busy() {
		s.setSecretOf([]string{p.ID})
	}
}

// rotateAtIdPSelected rotates the selected profiles' secrets at the IdP (bulk_idp.go).
func (s *screens) rotateAtIdPSelected() {
	if ps := s.h.selectionProfiles(); ps != nil && !s.h.isReadOnly() && !s.busy() {
		openBulkRotate(s.h, ps)
	}
}

// setSecretOf asks once for the client secret of the profiles ids (secret.go).
func (s *screens) setSecretOf(ids []string) *shownDialog { return openSetSecret(s.h, ids) }

func (s *screens) requestSelected() {
	p := s.h.selectedProfile()
	if p == nil || s.busy() {
		return
	}
	s.openRequest(p.ID, p.Name)
}

// openRequest shows the request dialog for a profile.
func (s *screens) openRequest(id, name string) *requestDialog {
	d := newRequestDialog(s.h, id, name, s.reqMemory, s.nav.edit)
	d.onClosed = track(&s.req, d)
	d.open()
	return d
}

func (s *screens) importProfiles() {
	if s.h.isReadOnly() || s.busy() {
		return
	}
	pickImportFile(s.h, s.previewImport)
}

// previewImport lists what an import file would add and imports on
// confirmation (importexport.go).
func (s *screens) previewImport(name string, data []byte) *shownDialog {
	return newImportPreview(s.h, s.nav, name, data).open()
}

func (s *screens) exportProfiles() {
	if len(s.h.allProfiles()) == 0 || s.busy() {
		return
	}
	data, n, err := s.exportData()
	if err != nil {
		s.h.dialogs().showError("Cannot export", err)
		return
	}
	saveExport(s.h, data, n, managementNote(s.exported()))
}

// exported is what Export writes: the selected profiles when several are
// selected, else all.
func (s *screens) exported() []*credentials.Profile {
	if ps := s.h.selectionProfiles(); ps != nil {
		return ps
	}
	return s.h.allProfiles()
}

// exportData is the export of exported() with the transports that use them.
func (s *screens) exportData() ([]byte, int, error) {
	return exportProfilesData(s.exported(), s.nav.transports)
}

// newSecretBanner builds the banner of credentials to renew (banner_secret.go).
func (s *screens) newSecretBanner() fyne.CanvasObject {
	s.secrets = newSecretBanner(s.h, s.renewCredentialOf)
	return s.secrets.box
}

// refreshSecretBanner shows or hides the banner for the rows as they are.
func (s *screens) refreshSecretBanner() {
	if s.secrets != nil {
		s.secrets.refresh()
	}
}

// secretsDue reports whether any credential expires soon: the Secret
// expires column then stays in narrow windows.
func (s *screens) secretsDue() bool { return s.secrets != nil && len(s.secrets.due) > 0 }

// renewCredentialOf selects the profile (showing it first if the filters
// hide it) and opens what renews its credential: the Rotate dialog for a
// client secret, the Edit form (its certificate section) for a certificate.
func (s *screens) renewCredentialOf(e expiringRow) {
	if !s.h.reveal(e.p.ID) {
		return
	}
	if e.what == "certificate" || !s.h.may(actRotate, e.p.ID) {
		s.editSelected()
		return
	}
	s.rotateSelected()
}

package ui

import (
	"fyne.io/fyne/v2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/ui/model"
)

// Row actions (the rule is model.List.Allowed).
const (
	actEdit      = model.ActEdit
	actDelete    = model.ActDelete
	actTest      = model.ActTest
	actLogin     = model.ActLogin
	actLogout    = model.ActLogout
	actRequest   = model.ActRequest
	actRotate    = model.ActRotate
	actSetSecret = model.ActSetSecret
)

// actionNames are the toolbar buttons of the row actions.
var actionNames = map[model.Action]string{
	actEdit: "Edit", actDelete: "Delete", actTest: "Test", actLogin: "Login",
	actLogout: "Logout", actRequest: "Request", actRotate: "Rotate secret", actSetSecret: "Set secret",
}

// rowActions are what the toolbar, the keys and the row menus do to the
// selection (each checks what the selection allows itself).
type rowActions struct {
	edit, test, request, login, loginAnother, loginDevice, logout, setSecret, rotate, del, export func()
	rotateAtIdP                                                                                   func() // bulk_idp.go
}

const (
	menuRequest      = "Send a test request… (Ctrl+R)"
	menuLoginAnother = "Log in as another user…"
)

// rowMenu is the right-click menu of a row: the toolbar's actions, enabled
// by the same rule as the toolbar.
func rowMenu(m *model.List, a *rowActions, r *row) *fyne.Menu {
	type entry struct {
		act   model.Action
		label string
		fn    func()
	}
	all := []entry{
		{actEdit, "Edit…", a.edit},
		{actTest, "Test (Ctrl+T)", a.test},
		{actRequest, menuRequest, a.request},
	}
	if r.P.Type == credentials.TypeUser {
		all = append(all,
			entry{actLogin, "Log in with this credential (Ctrl+L)", a.login},
			entry{actLogin, menuLoginAnother, a.loginAnother},
			entry{actLogin, menuLoginDevice, a.loginDevice},
			entry{actLogout, "Log out", a.logout})
	}
	all = append(all, entry{actSetSecret, "Set client secret…", a.setSecret})
	if r.P.HasSecret && r.P.Type == credentials.TypeApplication {
		all = append(all, entry{actRotate, "Rotate secret…", a.rotate})
	}
	var items []*fyne.MenuItem
	for _, e := range all {
		it := fyne.NewMenuItem(e.label, e.fn)
		it.Disabled = !m.Allowed(e.act, r)
		items = append(items, it)
	}
	del := fyne.NewMenuItem("Delete…", a.del)
	del.Disabled = !m.Allowed(actDelete, r)
	items = append(items, fyne.NewMenuItemSeparator(), del)
	return fyne.NewMenu("", items...)
}

package ui

import "github.com/credworkbench/credworkbench/ui/model"

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

// allowed is the one rule for what a row allows now (model.List.Allowed);
// the toolbar, the row menu, the tray and the handlers all ask it.
func (w *Workbench) allowed(act model.Action, r *row) bool { return w.m.Allowed(act, r) }

package model

import "github.com/credworkbench/credworkbench/credentials"

// Action is something a user does to a profile.
type Action int

// The row actions (the toolbar names them).
const (
	ActEdit Action = iota
	ActDelete
	ActTest
	ActLogin
	ActLogout
	ActRequest
	ActRotate
	ActSetSecret
)

// Allowed is the one rule for what a row allows now; the toolbar, the row
// menu, the tray and the handlers all ask it, so they cannot disagree.
func (l *List) Allowed(act Action, r *Row) bool {
	if r == nil {
		return false
	}
	user := r.P.Type == credentials.TypeUser
	switch act {
	case ActRequest:
		// A test request may run while the profile is tested (they share one
		// token fetch), and it writes nothing, so a read-only store allows it.
		return true
	case ActEdit:
		return !l.readOnly
	}
	if l.readOnly || l.busy[r.P.ID] != Idle {
		return false
	}
	switch act {
	case ActDelete, ActTest, ActSetSecret:
		return true
	case ActLogin:
		return user
	case ActLogout:
		return user && MayHaveSession(r.P)
	case ActRotate:
		return !user && r.P.HasSecret
	}
	return false
}

// StartTests picks the rows a bulk Test sends to the IdP (not busy, not
// needing a secret) and marks them Testing; needSecret counts those left
// out for want of a secret.
func (l *List) StartTests(rows []*Row) (ids []string, needSecret int) {
	for _, r := range rows {
		switch {
		case NeedsSecret(r.P):
			needSecret++
		case l.busy[r.P.ID] == Idle:
			l.busy[r.P.ID] = BusyTesting
			ids = append(ids, r.P.ID)
		}
	}
	return ids, needSecret
}

// IdleIDs is the IDs of rows not busy (a bulk Delete leaves the others).
func (l *List) IdleIDs(rows []*Row) []string {
	var ids []string
	for _, r := range rows {
		if l.busy[r.P.ID] == Idle {
			ids = append(ids, r.P.ID)
		}
	}
	return ids
}

// TakesSecret is the IDs of rows a shared client secret can be set on:
// Application profiles, and User profiles only when confidential already
// (a secret would turn a public client into a confidential one); never a
// private_key_jwt client, nor a busy one.
func (l *List) TakesSecret(rows []*Row) []string {
	var ids []string
	for _, r := range rows {
		takes := r.P.Type == credentials.TypeApplication || r.P.HasSecret
		if takes && !r.P.AuthMethod.UsesKey() && l.busy[r.P.ID] == Idle {
			ids = append(ids, r.P.ID)
		}
	}
	return ids
}

package model

// Busy is what the workbench is doing with a profile now; its words are
// made when it is shown (Label).
type Busy int

// What a profile can be busy with. Idle is the zero value.
const (
	Idle Busy = iota
	BusyTesting
	BusyLoggingIn
	BusyLoggingOut
	BusySaving
	BusyDeleting
	BusyRotating
	BusyRenewing
)

// Label is the row's status while busy.
func (b Busy) Label() string {
	switch b {
	case BusyTesting:
		return "Testing…"
	case BusyLoggingIn:
		return "Logging in…"
	case BusyLoggingOut:
		return "Logging out…"
	case BusySaving:
		return "Saving…"
	case BusyDeleting:
		return "Deleting…"
	case BusyRotating:
		return "Rotating…"
	case BusyRenewing:
		return "Renewing the session…"
	}
	return ""
}

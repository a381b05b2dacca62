package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// The dialogs and screens (form, request, rotate, login, logout, delete,
// secret, import/export, transports) each hold the narrowest of these
// interfaces they need, not the Workbench: what they may do to the main
// window is listed here, and workbench_host.go is the one place that
// reaches into the window's rows and maps for them.

// uiHost is what every screen uses: the window, the dialog on top, the UI
// goroutine, the status bar and the service.
type uiHost interface {
	window() fyne.Window
	clipboard() fyne.Clipboard
	preferences() fyne.Preferences
	dialogs() *dialogs
	// onUI runs fn on the UI goroutine; callable from any goroutine.
	onUI(fn func())
	clock() time.Time
	// appContext ends when the app stops: work started from a screen ends with it.
	appContext() context.Context
	setStatus(msg string)
	// noteKeyring shows the keyring banner when err says the keyring is unavailable.
	noteKeyring(err error)
	service() Operations
}

// workHost runs operations in the background with progress shown.
type workHost interface {
	uiHost
	// background runs op off the UI goroutine (its context ends with the app
	// or after opTimeout) with label in the status bar; done runs on the UI
	// goroutine.
	background(label string, op func(ctx context.Context) error, done func(error))
	// backgroundRow is background for one profile: its row says b meanwhile.
	backgroundRow(id string, b model.Busy, op func(ctx context.Context) error, done func(error))
	// startWork shows the status bar's spinner; finish (UI goroutine) ends it.
	startWork(label string) (finish func())
	// setBusy marks a profile's row for work a screen runs itself (Idle: done).
	setBusy(id string, b model.Busy)
}

// rowsHost reads the profiles as the table holds them. The profiles are
// the table's: read them, never change them.
type rowsHost interface {
	profileOf(id string) *credentials.Profile // nil when there is none
	allProfiles() []*credentials.Profile
	selectedProfile() *credentials.Profile // nil when nothing is selected
	// selectionProfiles is a multiple selection; nil when not several are selected.
	selectionProfiles() []*credentials.Profile
	// may says whether the action is allowed on the profile ("" = none).
	may(act model.Action, id string) bool
	// idleIDs are the profiles no operation runs on (a bulk Delete's);
	// takesSecret those a shared client secret can be set on.
	idleIDs(ps []*credentials.Profile) []string
	takesSecret(ps []*credentials.Profile) []string
	isReadOnly() bool
}

// resultHost takes outcomes into the table.
type resultHost interface {
	// applyResult takes a result into the row (the one bookkeeping rule; a
	// cancelled operation changes nothing).
	applyResult(res oauthflow.Result)
	// dropResult forgets this session's last result of the profile (it was
	// edited); forget forgets the profile (deleted): result, history, selection.
	dropResult(id string)
	forget(id string)
	// clearSelection ends the selection (several profiles were deleted).
	clearSelection()
	reload()
	// selectSaved selects the profile after a reload and scrolls to it.
	selectSaved(id string)
	// testOne / testMany test profiles as the toolbar's Test does.
	testOne(id, name string)
	testMany(ids []string)
}

// screenHost is everything: what the screens' dispatcher (screens.go) holds.
type screenHost interface {
	workHost
	rowsHost
	resultHost
	// reveal selects the profile, clearing the filters that hide it; false
	// when it cannot be selected.
	reveal(id string) bool
	// secretsDueChanged re-fits the table's columns (the Secret expires
	// column stays while a credential is due).
	secretsDueChanged()
}

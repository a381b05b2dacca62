package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// TransportOperations is what the transport views ask of oauthflow.Service
// beyond Operations: the saved transports, every write announced. A
// workbench whose Operations lack it (a test fake) shows no transports.
type TransportOperations interface {
	Transports() *oauthflow.Transports
}

var _ TransportOperations = (*oauthflow.Service)(nil)

// Navigation tree node IDs; a transport's node is nodeTransportPrefix + its ID.
const (
	nodeAdmin           = "admin"
	nodeCredentials     = "credentials"
	nodeTransports      = "transports"
	nodeLogs            = "logs"
	nodeTransportPrefix = "t:"
)

// navHost is what the navigation tree and the transport views ask of the window.
type navHost interface {
	workHost
	profileOf(id string) *credentials.Profile
	allProfiles() []*credentials.Profile
}

// navigator is the tree on the left of the main window and the view it
// selects on the right: Administration › Credentials (the table),
// Transports (one node per transport, its last outcome as the icon), Logs.
type navigator struct {
	h     navHost
	login func(id, name string) // the Credentials view's browser login
	tree  *widget.Tree
	root  *container.Split
	view  *fyne.Container // the selected view

	credentials fyne.CanvasObject
	transport   *transportPane
	logs        *logsView
	idpSecrets  *idpSecretsView // Administration › IdP secrets (idp_secrets_view.go)

	transports []credentials.Transport
	selected   string
	menu       *fyne.Menu       // the last right-click menu (tests read it)
	editor     *transportEditor // the last editor opened (tests drive it)
	banner     *widget.Label

	// runAs keeps, per transport ID, the User profile it runs as after a
	// "User External Credentials" login, until that profile logs out; it is
	// kept in the preferences (prefRunAs) across restarts.
	runAs map[string]string
	// pendingAs is a login started from a transport: profile ID → transport ID.
	pendingAs map[string]string
	unsub     func()
}

func newNavigator(h navHost, login func(id, name string), credentialsView fyne.CanvasObject) *navigator {
	n := &navigator{h: h, login: login, credentials: credentialsView, runAs: map[string]string{}, pendingAs: map[string]string{}}
	n.transport = newTransportPane(n)
	n.logs = newLogsView(n)
	n.idpSecrets = newIDPSecretsView(h)
	n.banner = widget.NewLabel("")
	n.banner.Wrapping = fyne.TextWrapWord
	n.banner.Importance = widget.DangerImportance
	n.banner.Hide()
	n.tree = widget.NewTree(n.childUIDs, n.isBranch,
		func(bool) fyne.CanvasObject { return newNavNode(n) },
		func(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) { o.(*navNode).set(id) })
	n.tree.OnSelected = n.show
	n.tree.OpenAllBranches()
	n.view = container.NewStack(credentialsView)
	left := container.NewStack(navMinWidth(), container.NewBorder(nil, n.banner, nil, nil, n.tree))
	n.root = container.NewHSplit(left, n.view)
	n.root.Offset = 0.18
	n.loadRunAs()
	n.reload()
	n.tree.Select(nodeCredentials)
	return n
}

// prefRunAs holds the "runs as" links as "transportID=profileID" entries.
const prefRunAs = "transports.runAs"

func (n *navigator) loadRunAs() {
	for _, kv := range n.h.preferences().StringList(prefRunAs) {
		if tid, pid, ok := strings.Cut(kv, "="); ok && tid != "" && pid != "" {
			n.runAs[tid] = pid
		}
	}
}

// saveRunAs keeps the links of transports that still exist.
func (n *navigator) saveRunAs() {
	var out []string
	for tid, pid := range n.runAs {
		if n.find(tid) != nil {
			out = append(out, tid+"="+pid)
		}
	}
	sort.Strings(out)
	prefs := n.h.preferences()
	if strings.Join(out, ",") != strings.Join(prefs.StringList(prefRunAs), ",") {
		prefs.SetStringList(prefRunAs, out)
	}
}

// setRunAs makes the transport run as the User profile from now on.
func (n *navigator) setRunAs(tid, pid string) {
	n.runAs[tid] = pid
	n.saveRunAs()
}

// start follows logins and logouts: a login begun from a transport runs it
// as that user; a logout ends "runs as".
func (n *navigator) start() {
	n.unsub = n.h.service().Subscribe(func(ev oauthflow.Event) {
		n.h.onUI(func() { n.onEvent(ev) })
	})
}

func (n *navigator) stop() {
	if n.unsub != nil {
		n.unsub()
	}
	n.saveRunAs() // the pane's "Run with its own credential" ends a link too
}

func (n *navigator) onEvent(ev oauthflow.Event) {
	switch ev.Kind {
	case oauthflow.EventTransportSaved, oauthflow.EventTransportDeleted:
		n.reload() // saved here, by credctl or by another window
	case oauthflow.EventLoggedIn:
		if tid, ok := n.pendingAs[ev.ProfileID]; ok {
			delete(n.pendingAs, ev.ProfileID)
			n.setRunAs(tid, ev.ProfileID)
			n.selectTransport(tid)
			n.run(tid)
		}
	case oauthflow.EventLoggedOut, oauthflow.EventDeleted:
		for tid, pid := range n.runAs {
			if pid == ev.ProfileID {
				delete(n.runAs, tid)
			}
		}
		n.saveRunAs()
		n.transport.refresh()
	}
}

func (n *navigator) childUIDs(id widget.TreeNodeID) []widget.TreeNodeID {
	switch id {
	case "":
		return []string{nodeAdmin, nodeTransports, nodeLogs}
	case nodeAdmin:
		return []string{nodeCredentials, nodeIdPSecrets}
	case nodeTransports:
		out := make([]string, 0, len(n.transports))
		for _, t := range n.transports {
			out = append(out, nodeTransportPrefix+t.ID)
		}
		return out
	}
	return nil
}

func (n *navigator) isBranch(id widget.TreeNodeID) bool {
	return id == "" || id == nodeAdmin || id == nodeTransports
}

// reload reads the transports (never the keyring) and refreshes the tree.
func (n *navigator) reload() {
	var ts []credentials.Transport
	var err error
	if ops := n.ops(); ops != nil {
		ts, err = ops.Transports().List()
	}
	var ce *credentials.CorruptError
	switch {
	case errors.As(err, &ce):
		n.banner.SetText(ce.Error())
		n.banner.Show()
	case err != nil:
		n.banner.SetText("Cannot read the transports: " + err.Error())
		n.banner.Show()
	default:
		n.banner.Hide()
	}
	if err == nil {
		n.transports = ts
	}
	n.tree.Refresh()
	if strings.HasPrefix(n.selected, nodeTransportPrefix) && n.find(strings.TrimPrefix(n.selected, nodeTransportPrefix)) == nil {
		n.tree.Select(nodeTransports)
	}
	n.transport.refresh()
	n.logs.refreshChoices()
}

func (n *navigator) find(id string) *credentials.Transport {
	for i := range n.transports {
		if n.transports[i].ID == id {
			return &n.transports[i]
		}
	}
	return nil
}

// show puts the view of the selected node on the right.
func (n *navigator) show(id widget.TreeNodeID) {
	n.selected = id
	var v fyne.CanvasObject
	switch {
	case id == nodeCredentials || id == nodeAdmin:
		v = n.credentials
	case id == nodeLogs:
		n.logs.load()
		v = n.logs.root
	case id == nodeIdPSecrets:
		n.idpSecrets.shown()
		v = n.idpSecrets.root
	case id == nodeTransports:
		n.transport.setTransport("")
		v = n.transport.root
	case strings.HasPrefix(id, nodeTransportPrefix):
		n.transport.setTransport(strings.TrimPrefix(id, nodeTransportPrefix))
		v = n.transport.root
	default:
		return
	}
	n.view.Objects = []fyne.CanvasObject{v}
	n.view.Refresh()
}

func (n *navigator) selectTransport(id string) {
	n.tree.OpenBranch(nodeTransports)
	n.tree.Select(nodeTransportPrefix + id)
}

// label and icon of a node.
func (n *navigator) nodeLabel(id string) (string, fyne.Resource) {
	switch id {
	case nodeAdmin:
		return "Administration", theme.SettingsIcon()
	case nodeCredentials:
		return "Credentials", theme.AccountIcon()
	case nodeTransports:
		return "Transports", theme.MailSendIcon()
	case nodeLogs:
		return "Logs", theme.ListIcon()
	case nodeIdPSecrets:
		return "IdP secrets", theme.VisibilityOffIcon()
	}
	t := n.find(strings.TrimPrefix(id, nodeTransportPrefix))
	if t == nil {
		return "", theme.QuestionIcon()
	}
	return t.Name, outcomeIcon(t.LastRun)
}

// outcomeIcon is a transport's last outcome.
func outcomeIcon(r credentials.RunRecord) fyne.Resource {
	switch {
	case r.At.IsZero():
		return theme.RadioButtonIcon()
	case r.OK:
		return theme.ConfirmIcon()
	}
	return theme.ErrorIcon()
}

// menuFor is the right-click menu of a node.
func (n *navigator) menuFor(id string) *fyne.Menu {
	if id == nodeTransports {
		return fyne.NewMenu("", fyne.NewMenuItem("Add transport…", func() { n.edit(nil) }))
	}
	if !strings.HasPrefix(id, nodeTransportPrefix) {
		return nil
	}
	tid := strings.TrimPrefix(id, nodeTransportPrefix)
	t := n.find(tid)
	if t == nil {
		return nil
	}
	run := fyne.NewMenuItem("Run", func() { n.selectTransport(tid); n.run(tid) })
	run.Disabled = n.ops() == nil
	edit := fyne.NewMenuItem("Edit…", func() { tc := *t; n.edit(&tc) })
	del := fyne.NewMenuItem("Delete…", func() { n.delete(tid) })
	users := fyne.NewMenuItem("User External Credentials", nil)
	var items []*fyne.MenuItem
	for _, p := range n.h.allProfiles() {
		if p.Type != credentials.TypeUser {
			continue
		}
		pid, name := p.ID, p.Name
		label := name
		if n.runAs[tid] == pid {
			label += " (logged in)"
		}
		items = append(items, fyne.NewMenuItem(label, func() { n.loginAs(tid, pid, name) }))
	}
	if len(items) == 0 {
		none := fyne.NewMenuItem("No User profiles: add one under Credentials", nil)
		none.Disabled = true
		items = append(items, none)
	}
	users.ChildMenu = fyne.NewMenu("", items...)
	users.Disabled = n.ops() == nil
	return fyne.NewMenu("", run, edit, del, fyne.NewMenuItemSeparator(), users)
}

func (n *navigator) showMenu(id string, pos fyne.Position) {
	m := n.menuFor(id)
	if m == nil {
		return
	}
	n.menu = m
	widget.ShowPopUpMenuAtPosition(m, n.h.window().Canvas(), pos)
}

// loginAs is "User External Credentials" → a User profile: the transport
// runs as that user from then on (until logout). A session that is Active
// is used as it is; one whose access token lapsed is renewed first; only
// without a usable session does the browser login (the same dialog as the
// Credentials view's Login) open.
func (n *navigator) loginAs(tid, pid, name string) {
	if n.h.dialogs().top() != nil {
		return
	}
	useSession := func() {
		n.setRunAs(tid, pid)
		n.selectTransport(tid)
		n.run(tid)
	}
	browserLogin := func() {
		n.pendingAs[pid] = tid
		n.login(pid, name)
	}
	st, err := n.h.service().Status(pid)
	switch {
	case err == nil && st.Active():
		useSession()
	case err == nil && st.Status == credentials.StatusExpired:
		var res oauthflow.Result
		n.h.backgroundRow(pid, model.BusyRenewing, func(ctx context.Context) error {
			var err error
			res, err = n.h.service().Test(ctx, pid)
			return err
		}, func(err error) {
			if err == nil && res.Active() {
				useSession()
			} else if n.h.dialogs().top() == nil {
				browserLogin()
			}
		})
	default:
		browserLogin()
	}
}

func (n *navigator) ops() TransportOperations {
	t, _ := n.h.service().(TransportOperations)
	return t
}

func (n *navigator) delete(tid string) {
	t := n.find(tid)
	ops := n.ops()
	if t == nil || ops == nil || n.h.dialogs().top() != nil {
		return
	}
	name := t.Name
	n.h.dialogs().showConfirm("Delete transport", fmt.Sprintf("Delete the transport %q? This cannot be undone.", name), "Delete", func() {
		if err := ops.Transports().Delete(tid); err != nil {
			n.h.dialogs().showError("Cannot delete "+name, err)
			return
		}
		delete(n.runAs, tid)
		n.reload()
		n.saveRunAs()
		n.h.setStatus(fmt.Sprintf("Deleted transport %q", name))
	})
}

// transportsUsing names the transports whose credential is the profile.
func (n *navigator) transportsUsing(profileID string) []string {
	var out []string
	for _, t := range n.transports {
		if t.Authorization == credentials.AuthCredential && t.ProfileID == profileID {
			out = append(out, t.Name)
		}
	}
	return out
}

// navNode is a tree row: icon and name; a right-click opens its menu.
type navNode struct {
	widget.BaseWidget
	nav   *navigator
	id    string
	icon  *widget.Icon
	label *widget.Label
}

// navMinWidth keeps the tree wide enough for its fixed nodes
// ("Administration", and "Credentials" one level in) in a narrow window,
// where the split's share alone would cut them.
func navMinWidth() fyne.CanvasObject {
	pad, icon := theme.Padding(), theme.IconInlineSize()
	text := func(s string) float32 { return widget.NewLabel(s).MinSize().Width }
	// Each row: the branch arrow, one indent per level, the node's icon.
	w := max(text("Administration")+2*icon, text("Credentials")+3*icon+pad) + 4*pad
	spacer := canvas.NewRectangle(color.Transparent)
	spacer.SetMinSize(fyne.NewSize(w, 0))
	return spacer
}

func newNavNode(n *navigator) *navNode {
	nn := &navNode{nav: n, icon: widget.NewIcon(nil), label: widget.NewLabel("")}
	nn.label.Truncation = fyne.TextTruncateEllipsis
	nn.ExtendBaseWidget(nn)
	return nn
}

func (nn *navNode) set(id string) {
	nn.id = id
	text, icon := nn.nav.nodeLabel(id)
	nn.label.SetText(text)
	nn.icon.SetResource(icon)
}

func (nn *navNode) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nn.icon, nil, nn.label))
}

// Tapped is a left click on the node's name or icon: it selects the node
// (and so switches the view) as a click on the row's indent does. Without
// it the node, being right-clickable, takes the click from the tree's row.
func (nn *navNode) Tapped(*fyne.PointEvent) {
	nn.nav.tree.Select(nn.id)
	if c := fyne.CurrentApp().Driver().CanvasForObject(nn.nav.tree); c != nil {
		c.Focus(nn.nav.tree)
	}
}

// TappedSecondary opens the node's menu (Run, Edit, Delete, User External Credentials).
func (nn *navNode) TappedSecondary(ev *fyne.PointEvent) {
	nn.nav.tree.Select(nn.id)
	nn.nav.showMenu(nn.id, ev.AbsolutePosition)
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/logfile"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// navNodeOf is the rendered tree row of a node.
func (h *harness) navNodeOf(id string) *navNode {
	h.t.Helper()
	h.wb.nav.tree.OpenBranch(nodeTransports)
	h.wb.nav.tree.ScrollTo(id)
	h.wb.nav.tree.Refresh()
	var found *navNode
	walk(h.win.Content(), func(o fyne.CanvasObject) {
		if n, ok := o.(*navNode); ok && n.Visible() && n.id == id {
			found = n
		}
	})
	if found == nil {
		h.t.Fatalf("no tree row for %s", id)
	}
	return found
}

func menuItem(m *fyne.Menu, label string) *fyne.MenuItem {
	if m == nil {
		return nil
	}
	for _, it := range m.Items {
		if strings.HasPrefix(it.Label, label) {
			return it
		}
	}
	return nil
}

func TestTransportTreeEditorRunAndRightClickLogin(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := newRepo(t, nil)
	ap := appProfile("Backend", idp)
	ap.Tenant = testidp.TenantID
	app := saveProfile(t, repo, ap, testidp.AppClientSecret)
	t.Cleanup(func() { _ = repo.Delete(app.ID) })
	user := saveProfile(t, repo, credentials.Profile{Name: "Alice portal", Type: credentials.TypeUser, IssuerURL: idp.Issuer,
		ClientID: testidp.PublicClientID, Scope: "openid profile api:read", Resource: testidp.Resource, Tenant: testidp.TenantID}, "")
	t.Cleanup(func() { _ = repo.Delete(user.ID) })
	api := testapi.StartJSON(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource, TenantHeader: "X-TENANT-ID"})
	h := newHarness(t, repo, loginBrowser(t, idp, testidp.Username, testidp.Password))
	nav := h.wb.nav

	// The tree: Administration › Credentials (selected: the table), Transports, Logs.
	if nav.selected != nodeCredentials || nav.view.Objects[0] != nav.credentials {
		t.Fatalf("the window opens on the credentials table; selected %q", nav.selected)
	}
	if got := nav.childUIDs(""); strings.Join(got, ",") != "admin,transports,logs" {
		t.Fatalf("top nodes %v", got)
	}

	// The editor: Authorization → Credential reveals the Name select.
	m := nav.menuFor(nodeTransports)
	menuItem(m, "Add transport").Action()
	e := h.wb.dialogs.top()
	if e == nil {
		t.Fatal("Add transport opens the editor")
	}
	ed := h.editor()
	if ed.credRows[0].Visible() {
		t.Fatal("the Name select is hidden while Authorization is None")
	}
	test.Type(ed.name, "Orders")
	test.Type(ed.url, api.URL+"/orders")
	test.Type(ed.headers, "Authorization: Bearer pasted-token")
	ed.auth.SetSelected(authCredential)
	if !ed.credRows[0].Visible() || ed.credRows[1].Visible() {
		t.Fatal("Credential shows Name (and Token in only for WS_SOAP)")
	}
	ed.profile.SetSelected("Backend (Application)")
	h.tap(e.button("Save"))
	if h.wb.dialogs.top() == nil || !strings.Contains(ed.errors.Text, "Authorization header carries a secret") {
		t.Fatalf("a pasted token is refused and the dialog stays; errors: %q", ed.errors.Text)
	}
	ed.headers.SetText("Accept: application/json")
	h.tap(e.button("Save"))
	if h.wb.dialogs.top() != nil {
		t.Fatalf("Save closes the editor; errors: %q", ed.errors.Text)
	}
	tr, err := repo.Transports().Get("Orders")
	if err != nil || tr.ProfileID != app.ID {
		t.Fatalf("saved %+v, %v", tr, err)
	}
	node := nodeTransportPrefix + tr.ID
	if nav.selected != node {
		t.Fatalf("the new transport is selected; selected %q", nav.selected)
	}
	if h.navNodeOf(node).icon.Resource != theme.RadioButtonIcon() {
		t.Error("a transport never run has the neutral icon")
	}

	// Run from the right-click menu: the answer, and the icon of the outcome.
	test.TapSecondary(h.navNodeOf(node))
	if nav.menu == nil || menuItem(nav.menu, "Run") == nil || menuItem(nav.menu, "Edit") == nil ||
		menuItem(nav.menu, "Delete") == nil || menuItem(nav.menu, "User External Credentials") == nil {
		t.Fatalf("right-click menu: %+v", nav.menu)
	}
	menuItem(nav.menu, "Run").Action()
	h.waitFor("the run", func() bool { return nav.transport.results[tr.ID] != nil })
	if !strings.HasPrefix(nav.transport.status.Text, "HTTP 200 OK") || !strings.Contains(nav.transport.body.Text, `"tenant": "`) {
		t.Fatalf("status %q body %q", nav.transport.status.Text, nav.transport.body.Text)
	}
	if h.navNodeOf(node).icon.Resource != theme.ConfirmIcon() {
		t.Error("a successful run shows the OK icon")
	}

	// User External Credentials → the User profile → browser login → runs as that user.
	test.TapSecondary(h.navNodeOf(node))
	users := menuItem(nav.menu, "User External Credentials").ChildMenu
	alice := menuItem(users, "Alice portal")
	if alice == nil || menuItem(users, "Backend") != nil {
		t.Fatalf("the submenu lists the User profiles only: %+v", users.Items)
	}
	delete(nav.transport.results, tr.ID)
	alice.Action()
	h.waitFor("the run as Alice", func() bool {
		res := nav.transport.results[tr.ID]
		return res != nil && res.AsUser
	})
	res := nav.transport.results[tr.ID]
	if !res.OK() || res.Profile != "Alice portal" || !strings.Contains(nav.transport.status.Text, "as Alice portal") {
		t.Fatalf("run as user: %s %v; status %q", res.Outcome, res.Diagnosis, nav.transport.status.Text)
	}
	if !strings.Contains(nav.transport.credential.Text, "runs as the logged-in user") {
		t.Errorf("credential line %q", nav.transport.credential.Text)
	}
	// Alice's resource is https://api.credworkbench.test, the API is on
	// 127.0.0.1: the one-time notice (#23.2) in the pane (and in a message
	// when no dialog is open; here the login's is).
	if !strings.Contains(res.Notice, "127.0.0.1") || !strings.Contains(nav.transport.diagnosis.Text, "Notice: ") ||
		!nav.transport.diagnosis.Visible() {
		t.Errorf("no host notice: %q; pane %q", res.Notice, nav.transport.diagnosis.Text)
	}
	h.closeAll()

	// Deleting the profile asks and names the transport; afterwards it shows no credential.
	nav.tree.Select(nodeCredentials)
	h.selectProfile("Backend")
	h.wb.screens.deleteSelected()
	if h.wb.dialogs.top() == nil || !strings.Contains(h.wb.dialogs.top().body.Text, `transport(s) "Orders"`) {
		t.Fatalf("delete confirmation: %v", h.wb.dialogs.top())
	}
	h.tap(h.wb.dialogs.top().button("Delete"))
	h.waitFor("the delete", func() bool { return h.rowOf("Backend") < 0 })
	delete(nav.runAs, tr.ID)
	nav.tree.Select(node)
	nav.transport.refresh()
	if !strings.Contains(nav.transport.credential.Text, "no credential") {
		t.Fatalf("after the delete: %q", nav.transport.credential.Text)
	}
}

func (h *harness) editor() *transportEditor {
	h.t.Helper()
	if h.wb.nav.editor == nil {
		h.t.Fatal("no editor open")
	}
	return h.wb.nav.editor
}

func (h *harness) closeAll() {
	for h.wb.dialogs.top() != nil {
		h.key(fyne.KeyEscape)
	}
}

func TestLogsViewFilters(t *testing.T) {
	h := newHarness(t, newRepo(t, nil), nil) // the Logs view reads a file: no keyring, no IdP
	nav := h.wb.nav
	path := filepath.Join(t.TempDir(), logfile.FileName)
	w, err := logfile.OpenWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	log := logfile.NewLogger(w, "credworkbench")
	log.Info("profile tested", "profile", "Backend", "status", "Active")
	log.Warn("profile failed", "profile", "Legacy", "error", "the IdP refused the client (IdP said: invalid_client)")
	log.Warn("transport run", "transport", "Orders", "profile", "Backend", "status", 403, "error", "insufficient_scope")
	log.Error("transport run", "transport", "Billing", "error", "SOAP 1.1 Fault soap:Server")
	nav.logs.path = path
	nav.tree.Select(nodeLogs)
	if nav.view.Objects[0] != nav.logs.root || len(nav.logs.entries) != 4 {
		t.Fatalf("Logs shows %d entries", len(nav.logs.entries))
	}
	if !strings.Contains(logfile.Format(nav.logs.entries[0]), "SOAP 1.1 Fault") {
		t.Errorf("newest first: %q", logfile.Format(nav.logs.entries[0]))
	}
	nav.logs.profile.Options = append(nav.logs.profile.Options, "Backend", "Legacy")
	nav.logs.profile.SetSelected("Backend")
	if len(nav.logs.entries) != 2 {
		t.Fatalf("profile filter: %d", len(nav.logs.entries))
	}
	nav.logs.level.SetSelected("Warning")
	if len(nav.logs.entries) != 1 || nav.logs.entries[0].Transport != "Orders" {
		t.Fatalf("profile+level filter: %+v", nav.logs.entries)
	}
	nav.logs.profile.SetSelected(allChoice)
	nav.logs.transport.Options = append(nav.logs.transport.Options, "Billing")
	nav.logs.transport.SetSelected("Billing")
	if len(nav.logs.entries) != 1 || !strings.Contains(nav.logs.entries[0].Error, "soap:Server") {
		t.Fatalf("transport filter: %+v", nav.logs.entries)
	}
	nav.logs.transport.SetSelected(allChoice)
	nav.logs.profile.Options = append(nav.logs.profile.Options, "Nobody")
	nav.logs.profile.SetSelected("Nobody")
	if len(nav.logs.entries) != 0 || !strings.Contains(nav.logs.info.Text, "No events match") {
		t.Fatalf("a filter that matches nothing: %q", nav.logs.info.Text)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	nav.logs.load()
	// Not "no events match": there is no log yet, and the view says where it will be.
	if len(nav.logs.entries) != 0 || !strings.Contains(nav.logs.info.Text, "No log has been written yet") ||
		!strings.Contains(nav.logs.info.Text, path) {
		t.Fatalf("a missing log: %q", nav.logs.info.Text)
	}
}

func TestSaveAsTransportFromRequest(t *testing.T) {
	tr := transportFromRequest("POST", " https://soap.example.com/x ",
		"Content-Type: application/soap+xml; charset=utf-8; action=\"urn:a:B\"\nAccept: application/soap+xml\nX-Trace: 1", "<e/>")
	if tr.Type != credentials.TransportWSSOAP || tr.SOAPVersion != "1.2" || tr.SOAPAction != "urn:a:B" ||
		len(tr.Headers) != 1 || tr.Headers[0].Name != "X-Trace" || tr.URL != "https://soap.example.com/x" || tr.Body != "<e/>" {
		t.Fatalf("SOAP 1.2: %+v", tr)
	}
	tr = transportFromRequest("POST", "https://soap.example.com/x", "Content-Type: text/xml; charset=utf-8\nSOAPAction: \"urn:x\"", "<e/>")
	if tr.Type != credentials.TransportWSSOAP || tr.SOAPVersion != "1.1" || tr.SOAPAction != "urn:x" || len(tr.Headers) != 0 {
		t.Fatalf("SOAP 1.1: %+v", tr)
	}
	tr = transportFromRequest("GET", "https://api.example.com/", "Accept: application/json", "")
	if tr.Type != credentials.TransportHTTP || tr.Method != "GET" || len(tr.Headers) != 1 {
		t.Fatalf("HTTP: %+v", tr)
	}
}

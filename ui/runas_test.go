package ui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// TestUserExternalCredentialsReusesSessionAndSurvivesRestart: a User
// profile already logged in (Credentials › Login) is used by "User External
// Credentials" without a second browser login, and after a restart of the
// workbench the transport still runs as that user.
func TestUserExternalCredentialsReusesSessionAndSurvivesRestart(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithAccessTokenTTL(4*time.Second))
	repo := newRepo(t, nil)
	user := saveProfile(t, repo, credentials.Profile{Name: "Alice portal", Type: credentials.TypeUser, IssuerURL: idp.Issuer,
		ClientID: testidp.PublicClientID, Scope: "openid profile api:read offline_access", Resource: testidp.Resource,
		Tenant: testidp.TenantID}, "")
	t.Cleanup(func() { _ = repo.Delete(user.ID) })
	api := testapi.StartJSON(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource, TenantHeader: "X-TENANT-ID"})
	tr, err := repo.Transports().Save(credentials.Transport{Name: "Orders", Type: credentials.TransportHTTP, Method: "GET",
		URL: api.URL + "/orders"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var opens atomic.Int32
	login := loginBrowser(t, idp, testidp.Username, testidp.Password)
	browser := browserFunc(func(u string) error { opens.Add(1); return login.Open(u) })
	h := newHarness(t, repo, browser)
	nav := h.wb.nav
	nav.reload()

	// Logged in from the Credentials view.
	h.selectProfile("Alice portal")
	h.shortcut(fyne.KeyL)
	h.waitFor("the login", func() bool {
		return h.wb.dialogs.top() != nil && strings.HasPrefix(h.wb.dialogs.top().body.Text, "Logged in as")
	})
	h.closeAll()
	if opens.Load() != 1 {
		t.Fatalf("%d browser logins", opens.Load())
	}

	// User External Credentials › Alice portal: no second login, the run is as Alice.
	node := nodeTransportPrefix + tr.ID
	test.TapSecondary(h.navNodeOf(node))
	users := menuItem(nav.menu, "User External Credentials").ChildMenu
	alice := menuItem(users, "Alice portal")
	if alice == nil {
		t.Fatalf("submenu %+v", users.Items)
	}
	alice.Action()
	if h.wb.dialogs.top() != nil || opens.Load() != 1 {
		t.Fatalf("an Active session is used as it is: %d browser logins, dialog %v", opens.Load(), h.wb.dialogs.top())
	}
	h.waitFor("the run as Alice", func() bool {
		res := nav.transport.results[tr.ID]
		return res != nil && res.AsUser
	})
	if res := nav.transport.results[tr.ID]; !res.OK() || res.Profile != "Alice portal" {
		t.Fatalf("run as user: %s %v", res.Outcome, res.Diagnosis)
	}

	// A restart: a new workbench and service in the same app (same preferences).
	h.wb.Stop()
	h.svc.Close()
	svc2 := oauthflow.NewService(repo, browser, nil)
	t.Cleanup(svc2.Close)
	win2 := test.NewTempWindow(t, nil)
	wb2 := newWorkbench(h.app, win2, svc2, h.q.do)
	win2.Resize(fyne.NewSize(1280, 800))
	wb2.Start()
	t.Cleanup(wb2.Stop)
	if got := wb2.nav.runAs[tr.ID]; got != user.ID {
		t.Fatalf("after a restart the transport runs as %q, want %q", got, user.ID)
	}
	wb2.nav.selectTransport(tr.ID)
	if !strings.Contains(wb2.nav.transport.credential.Text, `runs as the logged-in user of "Alice portal"`) {
		t.Errorf("credential line after the restart: %q", wb2.nav.transport.credential.Text)
	}
	test.TapSecondary(navNodeIn(t, wb2, node))
	users = menuItem(wb2.nav.menu, "User External Credentials").ChildMenu
	if menuItem(users, "Alice portal (logged in)") == nil {
		t.Errorf("the submenu marks the user the transport runs as: %+v", users.Items)
	}

	// While the workbench was closed the access token lapsed: the session is
	// renewed, not logged into again.
	h.waitFor("the access token to lapse", func() bool {
		st, err := svc2.Status(user.ID)
		return err == nil && st.Status == credentials.StatusExpired
	})
	delete(wb2.nav.runAs, tr.ID)
	test.TapSecondary(navNodeIn(t, wb2, node))
	menuItem(menuItem(wb2.nav.menu, "User External Credentials").ChildMenu, "Alice portal").Action()
	h.waitFor("the run as Alice after the renewal", func() bool {
		res := wb2.nav.transport.results[tr.ID]
		return res != nil && res.AsUser
	})
	if res := wb2.nav.transport.results[tr.ID]; !res.OK() || opens.Load() != 1 || wb2.dialogs.top() != nil {
		t.Fatalf("run after renewal: %s %v; %d browser logins", res.Outcome, res.Diagnosis, opens.Load())
	}

	// Logging out ends the link, and the restart after that keeps it ended.
	if err := svc2.Logout(context.Background(), user.ID); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the logout", func() bool { _, ok := wb2.nav.runAs[tr.ID]; return !ok })
	wb2.Stop()
	wb3 := newWorkbench(h.app, test.NewTempWindow(t, nil), svc2, h.q.do)
	if _, ok := wb3.nav.runAs[tr.ID]; ok {
		t.Error("a logged-out link came back after a restart")
	}
}

// navNodeIn is the rendered tree row of a node in wb's window.
func navNodeIn(t *testing.T, wb *Workbench, id string) *navNode {
	t.Helper()
	wb.nav.tree.OpenBranch(nodeTransports)
	wb.nav.tree.ScrollTo(id)
	wb.nav.tree.Refresh()
	var found *navNode
	walk(wb.win.Content(), func(o fyne.CanvasObject) {
		if n, ok := o.(*navNode); ok && n.Visible() && n.id == id {
			found = n
		}
	})
	if found == nil {
		t.Fatalf("no tree row for %s", id)
	}
	return found
}

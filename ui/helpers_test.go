package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/credentials/credtest"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// uiQueue stands in for fyne.Do: background work queues its UI updates and
// the test goroutine runs them while it waits, so the test goroutine is the
// one UI goroutine, as in the real app.
type uiQueue struct{ ch chan func() }

func newUIQueue() *uiQueue { return &uiQueue{ch: make(chan func(), 1<<14)} }

func (q *uiQueue) do(fn func()) { q.ch <- fn }

// drain runs what is queued now.
func (q *uiQueue) drain() {
	for {
		select {
		case fn := <-q.ch:
			fn()
		default:
			return
		}
	}
}

// harness is a workbench in a test window with a real store in a temp dir.
type harness struct {
	t    testing.TB
	app  fyne.App
	win  fyne.Window
	repo *credentials.Repository
	svc  *oauthflow.Service
	wb   *Workbench
	q    *uiQueue
}

// requireKeyring skips outside `make test` (which provides a real Secret
// Service and sets CREDWB_KEYRING=real) and fails inside it if the keyring
// does not work.
func requireKeyring(t testing.TB) {
	t.Helper()
	testenv.RequireKeyring(t)
}

func isolateHome(t testing.TB) string {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	return dir
}

// newRepo is a repository in a temp dir with the given keyring (nil: the
// real OS keyring, which requireKeyring has checked).
func newRepo(t testing.TB, kr credentials.Keyring) *credentials.Repository {
	t.Helper()
	return credtest.Repository(t, kr, credtest.InDir(isolateHome(t)))
}

// browserFunc is an oauthflow.Browser.
type browserFunc func(string) error

func (f browserFunc) Open(u string) error { return f(u) }

// loginBrowser is the user's browser: it logs in at the test IdP over HTTP.
func loginBrowser(t testing.TB, idp *testidp.IdP, user, password string, opts ...testidp.BrowserOption) oauthflow.Browser {
	return browserFunc(func(authURL string) error {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			opts := append([]testidp.BrowserOption{testidp.WithRootCAs(idp.CAPool)}, opts...)
			if err := testidp.BrowserLogin(ctx, authURL, user, password, opts...); err != nil {
				t.Errorf("browser login: %v", err)
			}
		}()
		return nil
	})
}

// newHarness builds the workbench on repo with the real Service.
func newHarness(t *testing.T, repo *credentials.Repository, browser oauthflow.Browser) *harness {
	t.Helper()
	svc := oauthflow.NewService(repo, browser, nil)
	t.Cleanup(svc.Close)
	h := newHarnessOps(t, repo, svc)
	h.svc = svc
	return h
}

func newHarnessOps(t testing.TB, repo *credentials.Repository, ops Operations) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	win := test.NewTempWindow(t, nil)
	q := newUIQueue()
	wb := newWorkbench(a, win, ops, q.do)
	win.Resize(fyne.NewSize(1280, 800))
	wb.Start()
	t.Cleanup(wb.Stop)
	return &harness{t: t, app: a, win: win, repo: repo, wb: wb, q: q}
}

// waitFor runs queued UI work until cond holds.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		h.q.drain()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s (status bar: %q)", what, h.wb.bar.text.Text)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// cell returns the rendered table cell showing row/col, or nil.
func (h *harness) cell(row, col int) *tableCell {
	if row < len(h.wb.m.View()) {
		h.wb.table.ScrollTo(widget.TableCellID{Row: row, Col: col})
	}
	h.wb.table.Refresh()
	var found *tableCell
	walk(h.win.Content(), func(o fyne.CanvasObject) {
		if c, ok := o.(*tableCell); ok && c.Visible() && c.id.Row == row && c.id.Col == col {
			found = c
		}
	})
	return found
}

// walk visits the objects as rendered (the widgets' cached renderers).
func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if !o.Visible() {
		return
	}
	fn(o)
	switch c := o.(type) {
	case fyne.Widget:
		for _, ch := range test.WidgetRenderer(c).Objects() {
			walk(ch, fn)
		}
	case *fyne.Container:
		for _, ch := range c.Objects {
			walk(ch, fn)
		}
	}
}

func (h *harness) cellText(row, col int) string {
	c := h.cell(row, col)
	if c == nil {
		return ""
	}
	return c.label.Text
}

// rowOf is the table row showing the named profile (-1 if none).
func (h *harness) rowOf(name string) int {
	for i := range h.wb.m.View() {
		if h.cellText(i, colName) == name {
			return i
		}
	}
	return -1
}

// columnTexts is what the table shows in a column, top to bottom.
func (h *harness) columnTexts(col int) []string {
	var out []string
	for i := range h.wb.m.View() {
		out = append(out, h.cellText(i, col))
	}
	return out
}

func (h *harness) statusOf(name string) string {
	i := h.rowOf(name)
	if i < 0 {
		return ""
	}
	return h.cellText(i, colStatus)
}

// header returns the header cell of a column.
func (h *harness) header(col int) *headerCell {
	h.wb.table.Refresh()
	var found *headerCell
	walk(h.win.Content(), func(o fyne.CanvasObject) {
		if c, ok := o.(*headerCell); ok && c.col == col && strings.HasPrefix(c.label.Text, colTitles[col]) {
			found = c
		}
	})
	if found == nil {
		h.t.Fatalf("no header for column %d", col)
	}
	return found
}

func (h *harness) tap(b *widget.Button) {
	h.t.Helper()
	if b == nil {
		h.t.Fatal("no such button")
	}
	if b.Disabled() {
		h.t.Fatalf("button %q is disabled", b.Text)
	}
	test.Tap(b)
}

// selectProfile taps the profile's row.
func (h *harness) selectProfile(name string) {
	h.t.Helper()
	i := h.rowOf(name)
	if i < 0 {
		h.t.Fatalf("no row for %q; names: %v", name, h.columnTexts(colName))
	}
	test.Tap(h.cell(i, colName))
	if h.wb.m.Sel.Selected() == nil || h.wb.m.Sel.Selected().P.Name != name {
		h.t.Fatalf("tapping %q did not select it", name)
	}
}

func (h *harness) shortcut(key fyne.KeyName) {
	h.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault})
}

func (h *harness) key(name fyne.KeyName) {
	h.win.Canvas().(interface {
		OnTypedKey() func(*fyne.KeyEvent)
	}).OnTypedKey()(&fyne.KeyEvent{Name: name})
}

// saveProfile stores a profile directly (seeding), with an optional secret.
func saveProfile(t testing.TB, repo *credentials.Repository, p credentials.Profile, secret string) credentials.Profile {
	t.Helper()
	var ch credentials.SecretChange
	if secret != "" {
		ch.ClientSecret = credentials.Secret(secret)
	}
	saved, err := repo.Save(p, ch)
	if err != nil {
		t.Fatalf("seed %s: %v", p.Name, err)
	}
	return saved
}

// seedNoSecrets writes profiles straight to the store (no keyring involved).
func seedNoSecrets(t testing.TB, repo *credentials.Repository, ps ...credentials.Profile) {
	t.Helper()
	err := repo.Store.Update(func(cur []credentials.Profile) ([]credentials.Profile, error) {
		for i, p := range ps {
			p.Normalize()
			if p.ID == "" {
				p.ID = "seed-" + strings.ReplaceAll(strings.ToLower(p.Name), " ", "-") + "-" + string(rune('a'+i%26))
			}
			p.Revision = 1
			cur = append(cur, p)
		}
		return cur, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func appProfile(name string, idp *testidp.IdP) credentials.Profile {
	return credentials.Profile{Name: name, Type: credentials.TypeApplication, TokenURL: idp.TokenURL,
		ClientID: testidp.AppClientID, Scope: testidp.AppScopes, TLS: credentials.TLS{CAFile: idp.CAFile}}
}

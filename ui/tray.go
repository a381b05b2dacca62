package ui

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	xdraw "golang.org/x/image/draw"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/ui/model"
)

// maxTrayProfiles bounds the profiles the tray menu lists (failing ones
// first); the rest are a click away in the window.
const maxTrayProfiles = 25

// Tray menu labels (tests and the README name them).
const (
	trayOpen      = "Open workbench"
	trayQuit      = "Quit"
	traySettings  = "Settings"
	trayCopy      = "Copy access token"
	trayTest      = "Test"
	trayLogin     = "Login"
	trayLogout    = "Logout"
	trayKeep      = "Keep running when the window is closed"
	trayAtLogin   = "Start at login (in the tray)"
	noTrayAtLogin = "Start at login"
	noTrayNote    = "No tray icon on this desktop: closing the window quits"
	trayNotifyFmt = "Notify: %s"
)

// tray is the system tray menu and icon, rebuilt from the workbench's rows
// whenever what they show changes (Agent.changed groups the rebuilds).
type tray struct {
	a       *Agent
	menu    *fyne.Menu // the menu last built (tests read it)
	icon    fyne.Resource
	okIcon  fyne.Resource
	badIcon fyne.Resource
}

func newTray(a *Agent) *tray {
	return &tray{a: a}
}

// makeIcons scales the icons down once, at the first update (after the
// window is shown: decoding and scaling the 512 px icon is not start-up
// work).
func (t *tray) makeIcons() {
	if t.okIcon != nil {
		return
	}
	t.okIcon = trayIcon(t.a.opt.Icon)
	if t.okIcon == nil {
		t.okIcon = theme.ComputerIcon()
	}
	t.badIcon = failingIcon(t.okIcon)
}

// update sets the menu and, when it changes, the icon.
func (t *tray) update() {
	if t.a.opt.Tray == nil {
		return
	}
	m, failing := t.build()
	t.menu = m
	if !t.a.trayUp {
		return // no panel shows a tray (startTray)
	}
	t.makeIcons()
	icon := t.okIcon
	if failing > 0 {
		icon = t.badIcon
	}
	if icon != t.icon {
		t.icon = icon
		t.a.opt.Tray.SetSystemTrayIcon(icon)
	}
	t.a.opt.Tray.SetSystemTrayMenu(m)
}

// build makes the menu: Open workbench; the profiles, failing first, each
// with its status word and actions; Settings; Quit.
func (t *tray) build() (*fyne.Menu, int) {
	w := t.a.w
	m := w.m
	rows := append([]*row(nil), m.Rows()...)
	failing := 0
	for _, r := range rows {
		if m.Failing(r) {
			failing++
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		fi, fj := m.Failing(rows[i]), m.Failing(rows[j])
		if fi != fj {
			return fi
		}
		return strings.ToLower(rows[i].P.Name) < strings.ToLower(rows[j].P.Name)
	})
	items := []*fyne.MenuItem{fyne.NewMenuItem(trayOpen, t.a.Show), fyne.NewMenuItemSeparator()}
	switch {
	case len(rows) == 0:
		items = append(items, disabledItem("No credential profiles yet"))
	case failing > 0:
		items = append(items, disabledItem(fmt.Sprintf("%d of %s failing", failing, plural(len(rows), "profile"))))
	default:
		items = append(items, disabledItem(fmt.Sprintf("%s, none failing", plural(len(rows), "profile"))))
	}
	for i, r := range rows {
		if i == maxTrayProfiles {
			more := fyne.NewMenuItem(fmt.Sprintf("… %d more in the workbench", len(rows)-i), t.a.Show)
			items = append(items, more)
			break
		}
		word, _ := m.Status(r)
		it := fyne.NewMenuItem(r.P.Name+" — "+word, nil)
		it.ChildMenu = t.profileMenu(r)
		items = append(items, it)
	}
	items = append(items, fyne.NewMenuItemSeparator(), t.settingsItem(), fyne.NewMenuItemSeparator())
	q := fyne.NewMenuItem(trayQuit, t.a.Quit)
	q.IsQuit = true // fyne adds no second Quit
	items = append(items, q)
	return fyne.NewMenu("Credential Workbench", items...), failing
}

func disabledItem(label string) *fyne.MenuItem {
	it := fyne.NewMenuItem(label, nil)
	it.Disabled = true
	return it
}

// profileMenu is one profile's actions; what the row does not allow now
// is disabled, by the same rule as the toolbar.
func (t *tray) profileMenu(r *row) *fyne.Menu {
	w := t.a.w
	id, name := r.P.ID, r.P.Name
	cp := fyne.NewMenuItem(trayCopy, func() { t.a.copy.copyToken(t.a.opt.Tokens, id, name) })
	cp.Disabled = t.a.opt.Tokens == nil || model.NeedsSecret(r.P) ||
		r.P.Type == credentials.TypeUser && w.m.Effective(r) == credentials.StatusLoggedOut
	test := fyne.NewMenuItem(trayTest, func() {
		if r := w.m.Find(id); r != nil && model.NeedsSecret(r.P) {
			t.a.Show() // Test asks for the secret, in the window
		}
		w.tests.one(id, name)
	})
	test.Disabled = !w.m.Allowed(actTest, r)
	items := []*fyne.MenuItem{cp, test}
	if r.P.Type == credentials.TypeUser {
		in := fyne.NewMenuItem(trayLogin, func() {
			// The login dialog (and its Copy login URL) is in the window.
			t.a.Show()
			w.screens.login(id, name)
		})
		in.Disabled = !w.m.Allowed(actLogin, r)
		out := fyne.NewMenuItem(trayLogout, func() { w.screens.logout(id, name) })
		out.Disabled = !w.m.Allowed(actLogout, r) || w.m.Effective(r) == credentials.StatusLoggedOut
		items = append(items, in, out)
	}
	return fyne.NewMenu(name, items...)
}

// settingsItem is the Settings submenu of the tray.
func (t *tray) settingsItem() *fyne.MenuItem {
	it := fyne.NewMenuItem(traySettings, nil)
	it.ChildMenu = fyne.NewMenu(traySettings, t.a.settingsItems()...)
	return it
}

// trayIconSize is the edge of the icon handed to the tray: panels show it
// at 16–48 px (hi-dpi up to about 64). The Linux tray sends the icon as
// raw ARGB over D-Bus, so the 512 px app icon cost 1 MiB per copy and
// about 14 MiB of allocations per icon change.
const trayIconSize = 64

// trayIcon is base scaled down to trayIconSize, or base itself when it is
// not a larger PNG (nil stays nil).
func trayIcon(base fyne.Resource) fyne.Resource {
	if base == nil {
		return nil
	}
	img, err := png.Decode(bytes.NewReader(base.Content()))
	if err != nil || img.Bounds().Dx() <= trayIconSize && img.Bounds().Dy() <= trayIconSize {
		return base
	}
	small := image.NewNRGBA(image.Rect(0, 0, trayIconSize, trayIconSize))
	xdraw.CatmullRom.Scale(small, small.Bounds(), img, img.Bounds(), draw.Src, nil)
	var buf bytes.Buffer
	if err := png.Encode(&buf, small); err != nil {
		return base
	}
	return fyne.NewStaticResource(base.Name(), buf.Bytes()) // the same icon, smaller
}

// failingIcon is the app icon with a red dot in its lower right corner:
// what the tray shows while any profile is failing.
func failingIcon(base fyne.Resource) fyne.Resource {
	img, err := png.Decode(bytes.NewReader(base.Content()))
	if err != nil {
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	}
	b := img.Bounds()
	out := image.NewRGBA(b)
	draw.Draw(out, b, img, b.Min, draw.Src)
	red := color.RGBA{R: 0xd3, G: 0x2f, B: 0x2f, A: 0xff}
	white := color.RGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	r := b.Dx() / 4
	cx, cy := b.Max.X-r-1, b.Max.Y-r-1
	for y := cy - r; y <= cy+r; y++ {
		for x := cx - r; x <= cx+r; x++ {
			d := (x-cx)*(x-cx) + (y-cy)*(y-cy)
			switch {
			case d <= (r-r/5)*(r-r/5):
				out.Set(x, y, red)
			case d <= r*r:
				out.Set(x, y, white) // a ring, so the dot shows on any panel colour
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	}
	return fyne.NewStaticResource("tray-failing.png", buf.Bytes())
}

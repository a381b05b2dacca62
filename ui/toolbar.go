package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// toolbarLayout lays the toolbar's buttons out in one row and, when the
// window is too narrow for all of them, hides the last ones (the rarely
// used actions come last) behind the "More" button, whose menu lists them.
// The toolbar so never forces a minimum window width beyond one button.
type toolbarLayout struct {
	items  []fyne.CanvasObject // buttons and separators, in order; the More button is not among them
	more   *widget.Button
	hidden []fyne.CanvasObject // what the last Layout put into the overflow
}

func (l *toolbarLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	h := l.more.MinSize().Height
	for _, o := range l.items {
		h = max(h, o.MinSize().Height)
	}
	w := l.more.MinSize().Width
	if len(l.items) > 0 {
		w += l.items[0].MinSize().Width + theme.Padding()
	}
	return fyne.NewSize(w, h)
}

func (l *toolbarLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	total := float32(0)
	for i, o := range l.items {
		if i > 0 {
			total += pad
		}
		total += o.MinSize().Width
	}
	room := size.Width
	overflow := total > room
	if overflow {
		room -= l.more.MinSize().Width + pad
	}
	l.hidden = l.hidden[:0]
	x := float32(0)
	for _, o := range l.items {
		w := o.MinSize().Width
		if overflow && (x+w > room || len(l.hidden) > 0) {
			o.Hide()
			if _, sep := o.(*widget.Separator); !sep {
				l.hidden = append(l.hidden, o)
			}
			continue
		}
		o.Show()
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + pad
	}
	// A separator never ends the visible row.
	for i := len(l.items) - 1; i >= 0; i-- {
		o := l.items[i]
		if !o.Visible() {
			continue
		}
		if _, sep := o.(*widget.Separator); sep {
			o.Hide()
			continue
		}
		break
	}
	if overflow {
		l.more.Show()
		mw := l.more.MinSize().Width
		l.more.Move(fyne.NewPos(size.Width-mw, 0))
		l.more.Resize(fyne.NewSize(mw, size.Height))
	} else {
		l.more.Hide()
	}
}

// overflowMenu is the More button's menu: the hidden buttons, with their
// enabled state.
func (l *toolbarLayout) overflowMenu() *fyne.Menu {
	var items []*fyne.MenuItem
	for _, o := range l.hidden {
		b, ok := o.(*widget.Button)
		if !ok {
			continue
		}
		it := fyne.NewMenuItem(b.Text, b.OnTapped)
		it.Icon = b.Icon
		it.Disabled = b.Disabled()
		items = append(items, it)
	}
	return fyne.NewMenu("", items...)
}

// toolButton is one button of the toolbar.
type toolButton struct {
	name string
	icon fyne.Resource
	fn   func()
}

// toolExtras are the toolbar's actions beyond the selection's.
type toolExtras struct{ add, testAll, importProfiles, refresh, about func() }

// toolButtons are the toolbar's buttons in order; the rarely used come
// last (a narrow window hides them first).
func toolButtons(a *rowActions, x toolExtras) []toolButton {
	return []toolButton{
		{"Add", theme.ContentAddIcon(), x.add},
		{"Edit", theme.DocumentCreateIcon(), a.edit},
		{"Delete", theme.DeleteIcon(), a.del},
		{"Test", theme.MediaPlayIcon(), a.test},
		{"Test all", theme.MediaFastForwardIcon(), x.testAll},
		{"Login", theme.LoginIcon(), a.login},
		{"Logout", theme.LogoutIcon(), a.logout},
		{"Request", theme.MailSendIcon(), a.request},
		{"Rotate secret", theme.HistoryIcon(), a.rotate},
		{"Import", theme.DownloadIcon(), x.importProfiles},
		{"Export", theme.UploadIcon(), a.export},
		{"Refresh", theme.ViewRefreshIcon(), x.refresh},
		{"About", theme.InfoIcon(), x.about},
	}
}

// toolSeparatorAfter are the buttons that end a group.
var toolSeparatorAfter = map[string]bool{"Delete": true, "Rotate secret": true, "Refresh": true}

// newToolbar builds the toolbar row: the buttons (grouped by
// toolSeparatorAfter), Add stressed, and the More button, whose menu it
// hands to shown.
func newToolbar(win fyne.Window, tools []toolButton, shown func(*fyne.Menu)) (*fyne.Container, map[string]*widget.Button, *toolbarLayout) {
	buttons := map[string]*widget.Button{}
	var items []fyne.CanvasObject
	// Fyne 2.7 has no tooltips, so every toolbar button carries its name as
	// text next to the icon; the shortcut is in the right-click menu.
	for _, t := range tools {
		b := widget.NewButtonWithIcon(t.name, t.icon, t.fn)
		b.Importance = widget.LowImportance
		buttons[t.name] = b
		items = append(items, b)
		if toolSeparatorAfter[t.name] {
			items = append(items, widget.NewSeparator())
		}
	}
	buttons["Add"].Importance = widget.HighImportance
	l := &toolbarLayout{items: items}
	l.more = widget.NewButtonWithIcon("More", theme.MoreHorizontalIcon(), nil)
	l.more.Importance = widget.LowImportance
	l.more.OnTapped = func() {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(l.more)
		m := l.overflowMenu()
		shown(m)
		widget.ShowPopUpMenuAtPosition(m, win.Canvas(), pos.AddXY(0, l.more.Size().Height))
	}
	objs := append(append([]fyne.CanvasObject{}, items...), l.more)
	return container.New(l, objs...), buttons, l
}

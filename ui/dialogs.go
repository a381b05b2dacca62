package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// shownDialog is the dialog on top, with its buttons by label so Escape can
// close it and tests can press them.
type shownDialog struct {
	title   string
	d       *dialog.CustomDialog
	buttons map[string]*widget.Button
	body    *widget.Label // the main message, when there is one
	input   *entry        // the dialog's entry, when it has one
	onClose func()        // what Escape / Cancel does besides hiding
}

// button returns the dialog's button with this label (nil if none).
func (s *shownDialog) button(label string) *widget.Button { return s.buttons[label] }

// showDialog shows content with the given buttons; each button's action runs
// after the dialog is hidden unless keepOpen is set on it.
func (w *Workbench) showDialog(title string, content fyne.CanvasObject, buttons ...dialogButton) *shownDialog {
	s := &shownDialog{title: title, buttons: map[string]*widget.Button{}}
	s.d = dialog.NewCustomWithoutButtons(title, content, w.win)
	var objs []fyne.CanvasObject
	for _, b := range buttons {
		b := b
		btn := widget.NewButton(b.label, nil)
		btn.Importance = b.importance
		btn.OnTapped = func() {
			if !b.keepOpen {
				w.hideDialog(s)
			}
			if b.fn != nil {
				b.fn()
			}
		}
		s.buttons[b.label] = btn
		objs = append(objs, btn)
	}
	s.d.SetButtons(objs)
	s.d.SetOnClosed(func() {
		if w.dlg == s {
			w.dlg = nil
		}
	})
	if w.dlg != nil {
		w.dlg.d.Hide() // one dialog at a time: the new one replaces it
	}
	w.dlg = s
	s.d.Show()
	return s
}

type dialogButton struct {
	label      string
	importance widget.Importance
	fn         func()
	keepOpen   bool
}

func (w *Workbench) hideDialog(s *shownDialog) {
	if w.dlg == s {
		w.dlg = nil
	}
	s.d.Hide()
}

// closeDialog is Escape: it cancels the dialog on top.
func (w *Workbench) closeDialog() {
	s := w.dlg
	if s == nil {
		return
	}
	w.hideDialog(s)
	if s.onClose != nil {
		s.onClose()
	}
}

func messageLabel(msg string) *widget.Label {
	l := widget.NewLabel(msg)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// sized wraps content so wrapped labels get a sensible width in a dialog.
func sized(content fyne.CanvasObject, width, height float32) fyne.CanvasObject {
	r := canvasSpacer(width, height)
	return container.NewStack(r, content)
}

func (w *Workbench) showMessage(title, msg string) *shownDialog {
	l := messageLabel(msg)
	s := w.showDialog(title, sized(l, 460, 0), dialogButton{label: "OK", importance: widget.HighImportance})
	s.body = l
	return s
}

func (w *Workbench) showError(title string, err error) *shownDialog {
	l := messageLabel(err.Error())
	l.Importance = widget.DangerImportance
	s := w.showDialog(title, sized(l, 460, 0), dialogButton{label: "OK", importance: widget.HighImportance})
	s.body = l
	return s
}

func (w *Workbench) showConfirm(title, msg, confirm string, fn func()) *shownDialog {
	l := messageLabel(msg)
	s := w.showDialog(title, sized(l, 460, 0),
		dialogButton{label: "Cancel"},
		dialogButton{label: confirm, importance: widget.DangerImportance, fn: fn})
	s.body = l
	return s
}

// --- Delete ---

func (w *Workbench) deleteSelected() {
	r := w.selectedRow()
	if r == nil || w.readOnly || w.dlg != nil {
		return
	}
	id, name := r.p.ID, r.p.Name
	w.showConfirm("Delete profile",
		fmt.Sprintf("Delete the profile %q?\n\nIts settings and its secrets in the OS keyring are removed. This cannot be undone.", name),
		"Delete", func() {
			w.background(id, "Deleting…", func(ctx context.Context) error {
				return w.ops.Delete(id)
			}, func(err error) {
				if err != nil {
					w.showError("Cannot delete "+name, err)
					return
				}
				delete(w.live, id)
				delete(w.history, id)
				if w.selected == id {
					w.selected = ""
				}
				w.reload()
				w.setStatus(fmt.Sprintf("Deleted %q", name))
			})
		})
}

// --- Login ---

// loginDialog is "Waiting for the browser…" with Cancel and Copy login URL.
type loginDialog struct {
	s       *shownDialog
	message *widget.Label
	url     string
	copyBtn *widget.Button
}

func (w *Workbench) loginSelected() {
	r := w.selectedRow()
	if r == nil || w.readOnly || r.p.Type != credentials.TypeUser || w.busy[r.p.ID] != "" || w.dlg != nil {
		return
	}
	w.login(r.p.ID, r.p.Name)
}

func (w *Workbench) login(id, name string) {
	ctx, cancel := context.WithCancel(context.Background())
	ld := &loginDialog{}
	ld.message = messageLabel(fmt.Sprintf("Waiting for the browser…\n\nLog in to %q on the page that opened. "+
		"This window updates by itself when you are done.", name))
	progress := widget.NewProgressBarInfinite()
	ld.s = w.showDialog("Log in with "+name, sized(container.NewVBox(ld.message, progress), 460, 0),
		dialogButton{label: "Copy login URL", keepOpen: true, fn: func() {
			if ld.url != "" {
				w.app.Clipboard().SetContent(ld.url)
				w.setStatus("Login URL copied: paste it into a browser on this machine")
			}
		}},
		dialogButton{label: "Cancel", fn: cancel})
	ld.s.onClose = cancel
	ld.s.body = ld.message
	ld.copyBtn = ld.s.button("Copy login URL")
	ld.copyBtn.Disable()

	var res oauthflow.Result
	opts := oauthflow.LoginOptions{OnURL: func(authURL string, browserErr error) {
		w.do(func() {
			ld.url = authURL
			ld.copyBtn.Enable()
			if browserErr != nil {
				ld.message.SetText(fmt.Sprintf("The browser could not be opened (%v).\n\n"+
					"Copy the login URL and open it in a browser on this machine; this window waits for the login.", browserErr))
			}
		})
	}}
	w.busy[id] = "Logging in…"
	w.refreshRow(id)
	w.running++
	w.activity.Show()
	w.activity.Start()
	w.setStatus("Logging in with " + name + "…")
	go func() {
		defer cancel()
		var err error
		res, err = w.ops.Login(ctx, id, opts)
		w.do(func() {
			w.running--
			if w.running == 0 {
				w.activity.Stop()
				w.activity.Hide()
			}
			delete(w.busy, id)
			if res.ProfileID != "" {
				w.applyResult(res)
			}
			w.refreshRow(id)
			w.loginDone(ld, name, res, err)
		})
	}()
}

func (w *Workbench) loginDone(ld *loginDialog, name string, res oauthflow.Result, err error) {
	open := w.dlg == ld.s
	if open {
		w.hideDialog(ld.s)
	}
	f := res.Failure
	if f == nil {
		f, _ = oauthflow.AsFailure(err)
	}
	if f != nil && f.Category == oauthflow.CatCancelled {
		w.setStatus(name + ": login cancelled")
		return
	}
	if err == nil && res.Active() {
		who := name
		var roles string
		if res.Token != nil {
			if res.Token.Username != "" {
				who = res.Token.Username
			}
			roles = strings.Join(res.Token.Roles, ", ")
		}
		msg := "Logged in as " + who
		if roles != "" {
			msg += "\nRoles: " + roles
		}
		w.setStatus(strings.ReplaceAll(msg, "\n", " — "))
		w.showMessage("Logged in", msg)
		return
	}
	w.noteKeyring(err)
	w.setStatus(resultLine(name, res, err))
	switch {
	case f != nil:
		w.showMessage("Login failed", fmt.Sprintf("%s: %s\n\nWhat to check: %s", f.Category.Label(), f.Error(), f.Advice()))
	case err != nil:
		w.showError("Login failed", err)
	}
}

// --- Rotate secret ---

func (w *Workbench) rotateSelected() {
	r := w.selectedRow()
	if r == nil || w.readOnly || w.busy[r.p.ID] != "" || w.dlg != nil {
		return
	}
	id, name := r.p.ID, r.p.Name
	secret := newEntry(w)
	secret.Password = true
	secret.SetPlaceHolder("New client secret")
	steps := messageLabel("1. Enter the new secret issued by the IdP.\n2. It is tested against the token endpoint.\n" +
		"3. Only if the test succeeds it replaces the stored secret.")
	var s *shownDialog
	s = w.showDialog("Rotate secret of "+name, sized(container.NewVBox(secret, steps), 460, 0),
		dialogButton{label: "Cancel"},
		dialogButton{label: "Test and replace", importance: widget.HighImportance, keepOpen: true, fn: func() {
			newSecret := secret.Text
			if newSecret == "" {
				steps.SetText("Enter the new secret first.")
				return
			}
			secret.Disable()
			s.button("Test and replace").Disable()
			var res oauthflow.Result
			steps.Importance = widget.MediumImportance
			steps.SetText("• Testing the new secret against the token endpoint…")
			w.background(id, "Rotating…", func(ctx context.Context) error {
				var err error
				res, err = w.ops.RotateSecret(ctx, id, newSecret)
				return err
			}, func(err error) {
				if res.ProfileID != "" {
					w.applyResult(res)
				}
				steps.SetText(rotateReport(err))
				if err != nil {
					steps.Importance = widget.DangerImportance
					secret.Enable()
					s.button("Test and replace").Enable()
				} else {
					s.buttons["Cancel"].SetText("Close")
				}
				steps.Refresh()
				w.setStatus(resultLine(name, res, err))
				w.reload()
			})
		}})
	s.body, s.input = steps, secret
	w.win.Canvas().Focus(secret)
}

// rotateReport lists the steps of a rotation and how each went.
func rotateReport(err error) string {
	test, store := "✓ The IdP accepted the new secret.", "✓ The new secret replaced the old one in the OS keyring."
	var re *oauthflow.RotateError
	if err != nil {
		step := oauthflow.RotateStepCheck
		if errors.As(err, &re) {
			step = re.Step
		}
		advice := ""
		if f, ok := oauthflow.AsFailure(err); ok && f.Advice() != "" {
			advice = "\nWhat to check: " + f.Advice()
		}
		switch step {
		case oauthflow.RotateStepTest:
			return "✗ The IdP did not accept the new secret: " + errText(re.Err) + advice + "\n• Nothing was replaced: the old secret stays in use."
		case oauthflow.RotateStepStore:
			return test + "\n✗ Storing it failed: " + errText(re.Err) + advice + "\n• The old secret stays in use."
		}
		return "✗ " + err.Error() + advice
	}
	return test + "\n" + store + "\nThe profile is Active with the new secret."
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// --- Import / Export ---

func (w *Workbench) importProfiles() {
	if w.readOnly || w.dlg != nil {
		return
	}
	fd := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			w.showError("Cannot open the file", err)
			return
		}
		if rc == nil {
			return // cancelled
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, 16<<20))
		if err != nil {
			w.showError("Cannot read "+rc.URI().Name(), err)
			return
		}
		w.previewImport(rc.URI().Name(), data)
	}, w.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	fd.Resize(fyne.NewSize(760, 520))
	fd.Show()
}

// previewImport lists what an import file would add and what is invalid,
// and imports on confirmation (optionally skipping the invalid entries).
func (w *Workbench) previewImport(name string, data []byte) *shownDialog {
	entries, err := credentials.ParseImport(data, w.profiles(), credentials.ImportDefaults{})
	if err != nil {
		return w.showError("Cannot import "+name, err)
	}
	var good, bad []string
	for _, e := range entries {
		n := e.Profile.Name
		if n == "" {
			n = fmt.Sprintf("entry %d", e.Index+1)
		}
		if e.Err != nil {
			bad = append(bad, fmt.Sprintf("✗ %s: %v", n, e.Err))
		} else {
			good = append(good, fmt.Sprintf("✓ %s (%s, client %s)", n, e.Profile.Type.Label(), e.Profile.ClientID))
		}
	}
	text := fmt.Sprintf("Will be added (%d):\n%s", len(good), strings.Join(good, "\n"))
	if len(good) == 0 {
		text = "Nothing valid to add."
	}
	if len(bad) > 0 {
		text += fmt.Sprintf("\n\nInvalid (%d):\n%s", len(bad), strings.Join(bad, "\n"))
	}
	text += "\n\nSecrets are never in an import file: set them with Edit before testing."
	list := messageLabel(text)
	skip := widget.NewCheck("Skip the invalid entries and import the rest", nil)
	skip.SetChecked(true)
	if len(bad) == 0 {
		skip.Hide()
	}
	scroll := container.NewVScroll(list)
	scroll.SetMinSize(fyne.NewSize(560, 260))
	s := w.showDialog("Import "+name, container.NewBorder(nil, skip, nil, nil, scroll),
		dialogButton{label: "Cancel"},
		dialogButton{label: "Import", importance: widget.HighImportance, fn: func() {
			sum, err := w.repo.Import(entries, skip.Checked)
			w.reload()
			if err != nil {
				w.showError("Import failed", err)
				return
			}
			msg := fmt.Sprintf("Imported %s", plural(len(sum.Added), "profile"))
			if len(sum.Skipped) > 0 {
				msg += fmt.Sprintf(", skipped %d invalid", len(sum.Skipped))
			}
			w.setStatus(msg)
		}})
	s.body = list
	if len(good) == 0 {
		s.button("Import").Disable()
	}
	skip.OnChanged = func(on bool) {
		if len(good) > 0 && (on || len(bad) == 0) {
			s.button("Import").Enable()
		} else {
			s.button("Import").Disable()
		}
	}
	return s
}

func (w *Workbench) profiles() []credentials.Profile {
	ps := make([]credentials.Profile, len(w.rows))
	for i, r := range w.rows {
		ps[i] = r.p
	}
	return ps
}

func (w *Workbench) exportProfiles() {
	if len(w.rows) == 0 || w.dlg != nil {
		return
	}
	data, err := credentials.Export(w.profiles())
	if err != nil {
		w.showError("Cannot export", err)
		return
	}
	fd := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			w.showError("Cannot save the export", err)
			return
		}
		if wc == nil {
			return
		}
		_, err = wc.Write(data)
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			w.showError("Cannot write "+wc.URI().Name(), err)
			return
		}
		w.setStatus(fmt.Sprintf("Exported %s to %s (no secrets)", plural(len(w.rows), "profile"), wc.URI().Path()))
	}, w.win)
	fd.SetFileName("credworkbench-profiles.json")
	fd.Resize(fyne.NewSize(760, 520))
	fd.Show()
}

// entry is a widget.Entry on which Escape closes the dialog on top (a
// focused entry gets keys before the window does).
type entry struct {
	widget.Entry
	w *Workbench
}

func newEntry(w *Workbench) *entry {
	e := &entry{w: w}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

func (e *entry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		if e.w.dlg != nil {
			e.w.closeDialog()
			return
		}
		if e == e.w.filter {
			e.SetText("")
			return
		}
	}
	e.Entry.TypedKey(ev)
}

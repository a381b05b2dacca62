package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// setSecretSelected asks for the client secret of the selected profile.
func (w *Workbench) setSecretSelected() {
	if rows := w.m.Multi(); rows != nil {
		if !w.m.ReadOnly() && w.dlg == nil {
			w.setSecretMany(rows)
		}
		return
	}
	r := w.m.Selected()
	if !w.allowed(actSetSecret, r) || w.dlg != nil {
		return
	}
	w.setSecretOf([]string{r.P.ID})
}

// setSecretOf asks once for a client secret and stores it for every profile
// in ids (a fleet of imported clients often shares one), without changing
// their settings. An Application profile is tested with it at once.
func (w *Workbench) setSecretOf(ids []string) *shownDialog {
	var names []string
	for _, id := range ids {
		if r := w.m.Find(id); r != nil {
			names = append(names, r.P.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	secret := newEntry(w)
	secret.Password = true
	secret.SetPlaceHolder("Client secret issued by the IdP")
	what := fmt.Sprintf("%q", names[0])
	if len(names) > 1 {
		what = fmt.Sprintf("%d profiles: %s", len(names), strings.Join(names, ", "))
	}
	info := messageLabel("The client secret of " + what + ". It is stored in the OS keyring, never in a file; " +
		"the other settings stay as they are.")
	problem := messageLabel("")
	problem.Importance = widget.DangerImportance
	problem.Hide()
	title := "Set the client secret of " + names[0]
	if len(names) > 1 {
		title = fmt.Sprintf("Set the client secret of %d profiles", len(names))
	}
	var s *shownDialog
	save := func() {
		if secret.Text == "" {
			problem.SetText("Enter the secret first.")
			problem.Show()
			return
		}
		value := secret.Text
		secret.Disable()
		s.button("Save secret").Disable()
		var done []credentials.Profile
		w.background(fmt.Sprintf("Saving the secret of %s…", plural(len(ids), "profile")), func(context.Context) error {
			for _, id := range ids {
				p, err := w.ops.Profile(id)
				if err != nil {
					return err
				}
				saved, err := w.ops.Save(p, credentials.SecretChange{ClientSecret: credentials.Secret(value)})
				if err != nil {
					return fmt.Errorf("%s: %w", p.Name, err)
				}
				done = append(done, saved)
			}
			return nil
		}, func(err error) {
			w.reload()
			if err != nil {
				problem.SetText(fmt.Sprintf("Saved for %d of %d; then: %v", len(done), len(ids), err))
				problem.Show()
				secret.Enable()
				s.button("Save secret").Enable()
				return
			}
			w.hideDialog(s)
			w.setStatus(fmt.Sprintf("Secret saved for %s", plural(len(done), "profile")))
			var apps []*row
			for _, p := range done {
				if r := w.m.Find(p.ID); r != nil && p.Type == credentials.TypeApplication {
					apps = append(apps, r)
				}
			}
			if len(apps) > 0 {
				w.testMany(apps)
			}
		})
	}
	s = w.showDialog(title, sized(container.NewVBox(info, secret, problem), 460, 0),
		dialogButton{label: "Cancel"},
		dialogButton{label: "Save secret", importance: widget.HighImportance, keepOpen: true, fn: save})
	s.body, s.input = info, secret
	s.onEnter = save
	w.win.Canvas().Focus(secret)
	return s
}

package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
)

// secretHost is what the client-secret dialog asks of the window.
type secretHost interface {
	workHost
	rowsHost
	reload()
	testMany(ids []string)
}

// openSetSecretMany asks once for the client secret of the selected
// Application profiles (a fleet of imported clients often shares one).
func openSetSecretMany(h secretHost, ps []*credentials.Profile) {
	ids := h.takesSecret(ps)
	if len(ids) == 0 {
		h.setStatus("None of the selected profiles takes a client secret (public User clients and private_key_jwt clients have none)")
		return
	}
	openSetSecret(h, ids)
}

// openSetSecret asks once for a client secret and stores it for every
// profile in ids (a fleet of imported clients often shares one), without
// changing their settings. An Application profile is tested with it at once.
func openSetSecret(h secretHost, ids []string) *shownDialog {
	var names []string
	for _, id := range ids {
		if p := h.profileOf(id); p != nil {
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	d := h.dialogs()
	secret := newEntry(d)
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
		h.background(fmt.Sprintf("Saving the secret of %s…", plural(len(ids), "profile")), func(context.Context) error {
			for _, id := range ids {
				p, err := h.service().Profile(id)
				if err != nil {
					return err
				}
				saved, err := h.service().Save(p, credentials.SecretChange{ClientSecret: credentials.Secret(value)})
				if err != nil {
					return fmt.Errorf("%s: %w", p.Name, err)
				}
				done = append(done, saved)
			}
			return nil
		}, func(err error) {
			h.reload()
			if err != nil {
				problem.SetText(fmt.Sprintf("Saved for %d of %d; then: %v", len(done), len(ids), err))
				problem.Show()
				secret.Enable()
				s.button("Save secret").Enable()
				return
			}
			d.hide(s)
			h.setStatus(fmt.Sprintf("Secret saved for %s", plural(len(done), "profile")))
			var apps []string
			for _, p := range done {
				if h.profileOf(p.ID) != nil && p.Type == credentials.TypeApplication {
					apps = append(apps, p.ID)
				}
			}
			if len(apps) > 0 {
				h.testMany(apps)
			}
		})
	}
	s = d.show(title, sized(container.NewVBox(info, secret, problem), 460, 0),
		dialogButton{label: "Cancel"},
		dialogButton{label: "Save secret", importance: widget.HighImportance, keepOpen: true, fn: save})
	s.body, s.input = info, secret
	s.onEnter = save
	h.window().Canvas().Focus(secret)
	return s
}

package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// Bulk rotation at the IdP (#26): several selected profiles → "Rotate at
// IdP…" → one dialog that asks when to revoke the old secrets, rotates
// each in turn and ends with one summary: rotated, failed with the reason
// and what is left at the IdP, pending revocation.

// bulkRotateHost is what the dialog asks of the window.
type bulkRotateHost interface {
	workHost
	applyResult(res oauthflow.Result)
	reload()
}

// bulkRotate is the dialog.
type bulkRotate struct {
	h       bulkRotateHost
	ids     []string
	names   []string
	s       *shownDialog
	revoke  *revokePicker
	summary *widget.Label
	scroll  *container.Scroll
}

// openBulkRotate shows the dialog for the profiles ps; those without a
// management connection are named and left out.
func openBulkRotate(h bulkRotateHost, ps []*credentials.Profile) *bulkRotate {
	b := &bulkRotate{h: h}
	var skipped []string
	for _, p := range ps {
		if p.Type == credentials.TypeApplication && p.HasSecret && p.HasManagement() {
			b.ids, b.names = append(b.ids, p.ID), append(b.names, p.Name)
		} else {
			skipped = append(skipped, p.Name)
		}
	}
	d := h.dialogs()
	b.revoke = newRevokePicker(d)
	intro := "A new client secret is created at the IdP for each of these profiles, kept in the OS keyring, " +
		"tested and then used; the old secret keeps working until it is revoked:\n" + strings.Join(b.names, ", ")
	if len(skipped) > 0 {
		intro += fmt.Sprintf("\nLeft out (%d: no management connection or no client secret): %s", len(skipped), strings.Join(skipped, ", "))
	}
	b.summary = messageLabel(intro)
	b.scroll = container.NewVScroll(b.summary)
	content := container.NewBorder(b.revoke.box, nil, nil, nil, b.scroll)
	b.s = d.show("Rotate "+secretsCount(len(b.ids))+" at the IdP",
		container.NewStack(d.fitSpacer(560, 320), content),
		dialogButton{label: "Cancel"},
		dialogButton{label: "Rotate", importance: widget.HighImportance, keepOpen: true, fn: b.run})
	b.s.body = b.summary
	b.s.onEnter = func() { // Rotate, and Close once the summary is shown
		if btn := b.s.button("Rotate"); !btn.Disabled() {
			b.run()
		} else if b.s.buttons["Cancel"].Text == "Close" {
			d.closeTop()
		}
	}
	if len(b.ids) == 0 {
		b.s.button("Rotate").Disable()
	}
	return b
}

// run rotates every profile in turn and shows the summary.
func (b *bulkRotate) run() {
	ra, msg := b.revoke.value()
	if msg != "" {
		b.summary.SetText(msg)
		return
	}
	b.s.button("Rotate").Disable()
	b.revoke.enable(false)
	n, finished := 0, false
	b.summary.SetText("Rotating " + secretsCount(len(b.ids)) + " at the IdP…")
	unsub := b.h.service().Subscribe(func(ev oauthflow.Event) {
		if ev.Kind == oauthflow.EventSecretSwitched {
			b.h.onUI(func() {
				if finished {
					return // the summary is shown
				}
				n++
				b.summary.SetText(fmt.Sprintf("Rotating %s at the IdP… %d switched so far", secretsCount(len(b.ids)), n))
			})
		}
	})
	var rs []oauthflow.Rotation
	b.h.background("Rotating "+secretsCount(len(b.ids))+" at the IdP…", func(ctx context.Context) error {
		l, err := lifecycleOf(b.h.service())
		if err == nil {
			rs, err = l.RotateAll(ctx, b.ids, oauthflow.AtIdPOptions{RevokeOld: ra})
		}
		return err
	}, func(err error) {
		unsub()
		finished = true
		for _, r := range rs {
			if r.Result.ProfileID != "" {
				b.h.applyResult(r.Result)
			}
		}
		text := model.BulkSummary(rs, b.h.clock())
		if err != nil {
			text += "\n\nNot attempted: " + err.Error()
		}
		b.summary.SetText(text)
		b.scroll.ScrollToTop()
		b.s.buttons["Cancel"].SetText("Close")
		b.h.setStatus(bulkStatus(rs))
		b.h.reload()
	})
}

// bulkStatus is the status bar's line after a bulk rotation.
func bulkStatus(rs []oauthflow.Rotation) string {
	ok, failed := 0, 0
	for _, r := range rs {
		if r.OK() && !r.Skipped {
			ok++
		} else {
			failed++
		}
	}
	return fmt.Sprintf("Rotated %d of %s at the IdP", ok, secretsCount(ok+failed))
}

// secretsCount is "1 secret", "3 secrets".
func secretsCount(n int) string {
	if n == 1 {
		return "1 secret"
	}
	return fmt.Sprintf("%d secrets", n)
}

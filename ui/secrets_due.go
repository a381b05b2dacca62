package ui

import (
	"context"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// The running workbench carries out the IdP steps that fall due (#26):
// pending revocations whose grace period ended, switches a killed process
// left half done, expiry dates older than a day. RunDue runs at start and
// every dueInterval; what it did goes to the status bar and, through the
// agent, to a notification (or the window's notice bar).

// dueInterval is how often the workbench asks for due steps.
const dueInterval = time.Minute

// startSecretsDue runs RunDue now and on a ticker until the workbench stops.
func (w *Workbench) startSecretsDue() {
	l, err := lifecycleOf(w.ops)
	if err != nil {
		return // a test fake: nothing to carry out
	}
	run := func() {
		ctx, cancel := context.WithTimeout(w.ctx, opTimeout)
		rs, err := l.RunDue(ctx)
		cancel()
		if w.ctx.Err() == nil {
			w.do(func() { w.dueDone(rs, err) })
		}
	}
	go func() {
		run()
		t := time.NewTicker(dueInterval)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				run()
			}
		}
	}()
}

// dueDone shows what RunDue carried out (nothing when nothing was due).
func (w *Workbench) dueDone(rs []oauthflow.Rotation, err error) {
	if err != nil {
		return // could not even look (store unreadable): the banner says so already
	}
	var lines []string
	for _, r := range rs {
		if len(r.Done) == 0 && r.OK() {
			continue // an expiry refresh without news, or nothing to do
		}
		line := model.RotationLine(r)
		lines = append(lines, line)
		if w.agent != nil {
			k, title := noteRotated, "IdP step carried out"
			if !r.OK() {
				k, title = noteAction, "IdP step failed"
			}
			w.agent.notes.send(k, title, line)
		}
	}
	if len(lines) == 0 {
		return
	}
	w.bar.set("IdP: " + strings.Join(lines, "; "))
	w.reload()
}

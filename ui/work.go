package ui

import (
	"context"

	"github.com/credworkbench/credworkbench/ui/model"
)

// worker runs operations off the UI goroutine with their progress shown:
// the status bar's spinner and label, and the row of the profile they
// work on. Their context ends after opTimeout, or when the workbench stops.
type worker struct {
	m   *model.List
	bar *statusBar
	do  func(func())
	ctx context.Context
	// refreshRow shows a row's new state; failed sees every error (the
	// keyring banner).
	refreshRow func(id string)
	failed     func(error)
}

// background runs op with label in the status bar; done runs on the UI
// goroutine.
func (k *worker) background(label string, op func(ctx context.Context) error, done func(error)) {
	k.run("", model.Idle, label, op, done)
}

// backgroundRow is background for one profile: its row (and the status
// bar) says b while op runs.
func (k *worker) backgroundRow(id string, b model.Busy, op func(ctx context.Context) error, done func(error)) {
	k.run(id, b, b.Label(), op, done)
}

func (k *worker) run(id string, b model.Busy, label string, op func(ctx context.Context) error, done func(error)) {
	if id != "" {
		k.m.SetBusy(id, b)
		k.refreshRow(id)
	}
	finish := k.bar.startWork(label)
	go func() {
		ctx, cancel := context.WithTimeout(k.ctx, opTimeout)
		defer cancel()
		err := op(ctx)
		k.do(func() {
			finish()
			if id != "" {
				k.m.SetBusy(id, model.Idle)
			}
			if err != nil {
				k.failed(err)
			}
			done(err)
			if id != "" {
				k.refreshRow(id)
			}
		})
	}()
}

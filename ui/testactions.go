package ui

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// runner runs work in the background with progress shown (the Workbench).
type runner interface {
	background(label string, op func(ctx context.Context) error, done func(error))
	backgroundRow(id string, b model.Busy, op func(ctx context.Context) error, done func(error))
}

// tester is Test and Test all: one profile, or several a few at a time.
type tester struct {
	m   *model.List
	ops Operations
	bar *statusBar
	run runner
	// askSecret opens the secret dialog for profiles that cannot be tested
	// without one (unless a dialog is open).
	askSecret func(ids []string)
	// redraw shows every row's new state; refreshRow one row's.
	redraw     func()
	refreshRow func(id string)
}

// selected is Test: the multiple selection, or the selected profile.
func (t *tester) selected() {
	if rows := t.m.Sel.Multi(); rows != nil && !t.m.ReadOnly() {
		t.many(rows)
		return
	}
	r := t.m.Sel.Selected()
	if !t.m.Allowed(actTest, r) {
		return
	}
	t.one(r.P.ID, r.P.Name)
}

// all is Test all.
func (t *tester) all() {
	if t.m.ReadOnly() || len(t.m.Rows()) == 0 {
		return
	}
	t.many(t.m.Rows())
}

// one tests one profile; one that needs a secret is not sent to the IdP:
// the secret dialog opens instead.
func (t *tester) one(id, name string) {
	if r := t.m.Find(id); r != nil && model.NeedsSecret(r.P) {
		t.bar.set(name + ": Needs secret — enter the client secret to test it")
		t.askSecret([]string{id})
		return
	}
	var res oauthflow.Result
	t.run.backgroundRow(id, model.BusyTesting, func(ctx context.Context) error {
		var err error
		res, err = t.ops.Test(ctx, id)
		return err
	}, func(err error) {
		if res.ProfileID != "" {
			t.m.ApplyResult(res)
		}
		t.bar.set(resultLine(name, res, err))
	})
}

// testConcurrency bounds the tests of a bulk Test at once.
const testConcurrency = 4

// many tests the rows that can be tested (not busy, not needing a
// secret), a few at a time, and sums up how they went.
func (t *tester) many(rows []*row) {
	ids, needSecret := t.m.StartTests(rows)
	t.redraw()
	results := make([]oauthflow.Result, len(ids))
	t.run.background(fmt.Sprintf("Testing %s…", plural(len(ids), "profile")), func(ctx context.Context) error {
		sem := make(chan struct{}, testConcurrency)
		var wg sync.WaitGroup
		for i, id := range ids {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				results[i] = t.test(ctx, id)
			}()
		}
		wg.Wait()
		return nil
	}, func(error) {
		active, failed, noSession := 0, 0, 0
		for i, id := range ids {
			t.m.SetBusy(id, model.Idle)
			t.m.ApplyResult(results[i])
			switch {
			case results[i].Active():
				active++
			case model.NotLoggedIn(results[i].Status, results[i].Failure):
				noSession++ // nothing to test without a session; not a failure
			default:
				failed++
			}
		}
		msg := fmt.Sprintf("Tested %s: %d active, %d not", plural(len(ids)-noSession, "profile"), active, failed)
		if noSession > 0 {
			msg += fmt.Sprintf("; %d not logged in (log in to test)", noSession)
		}
		if needSecret > 0 {
			msg += fmt.Sprintf("; %d need a secret (not tested)", needSecret)
		}
		t.bar.set(msg)
		t.redraw()
		t.refreshRow(t.m.Sel.SelectedID())
	})
}

// test tests one profile of a bulk Test; an error that left no result
// counts as that profile's failure.
func (t *tester) test(ctx context.Context, id string) oauthflow.Result {
	res, err := t.ops.Test(ctx, id)
	if err != nil && res.ProfileID == "" {
		f, ok := oauthflow.AsFailure(err)
		if !ok {
			f = &oauthflow.Failure{Category: oauthflow.CatOther, Message: err.Error(), Err: err}
		}
		res = oauthflow.Result{ProfileID: id, Status: credentials.StatusFailed, Failure: f, CheckedAt: time.Now()}
	}
	return res
}

// resultLine is the status-bar sentence for a test or login outcome.
func resultLine(name string, res oauthflow.Result, err error) string {
	if f, ok := oauthflow.AsFailure(err); ok && res.Failure == nil {
		res.Failure = f
	}
	switch {
	case res.Active():
		return fmt.Sprintf("%s: Active, token valid until %s", name, res.Expiry.Local().Format("15:04:05"))
	case model.NotLoggedIn(res.Status, res.Failure):
		return name + ": Not logged in — press Login (Ctrl+L) to start a session"
	case res.Failure != nil:
		return fmt.Sprintf("%s: Failed (%s): %s", name, res.Failure.Category.Label(), res.Failure.Error())
	case err != nil:
		return fmt.Sprintf("%s: %v", name, err)
	}
	return fmt.Sprintf("%s: %s", name, res.Status)
}

// plural is "1 profile", "2 profiles".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

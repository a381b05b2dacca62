package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/credworkbench/credworkbench/oauthflow"
)

// The workbench window is built before the store is read: the table is
// there (empty) at once, and the rows arrive through the UI queue. A
// reload made meanwhile is not overwritten by the older background read.
func TestLoadOffTheUIGoroutine(t *testing.T) {
	repo := newRepo(t, &countingKeyring{})
	seedNoSecrets(t, repo, manyProfiles(500)...)
	a := test.NewTempApp(t)
	win := test.NewTempWindow(t, nil)
	win.Resize(fyne.NewSize(1280, 800))
	ops := oauthflow.NewService(repo, nil, nil)
	t.Cleanup(ops.Close)
	q := newUIQueue()

	w := buildWorkbench(a, win, ops, q.do)
	w.loadInBackground()
	if len(w.m.View()) != 0 || w.table == nil {
		t.Fatalf("the table was not shown before the store was read (%d rows)", len(w.m.View()))
	}
	select {
	case fn := <-q.ch: // the background read hands its rows to the UI goroutine
		fn()
	case <-time.After(time.Minute): // a hang guard, not a timing assertion
		t.Fatal("the profiles never arrived")
	}
	if len(w.m.View()) != 500 {
		t.Fatalf("%d rows after loading, want 500", len(w.m.View()))
	}

	// A background read overtaken by a reload is dropped.
	w.loadInBackground()
	seedNoSecrets(t, repo, manyProfiles(501)[500])
	w.reload()
	fresh := len(w.m.View())
	if fresh != 501 {
		t.Fatalf("%d rows after the reload, want 501", fresh)
	}
	select {
	case fn := <-q.ch:
		fn()
	case <-time.After(time.Minute):
		t.Fatal("the background read never finished")
	}
	if len(w.m.View()) != fresh {
		t.Fatalf("an older background read replaced the reloaded rows: %d, want %d", len(w.m.View()), fresh)
	}
}

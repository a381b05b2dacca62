package ui

import (
	"context"
	"runtime/debug"

	"github.com/credworkbench/credworkbench/oauthflow"
)

// PrefStartupTest turns off testing every Application profile when the
// workbench opens (on by default).
const PrefStartupTest = "startup.testApplications"

// Live is what keeps the workbench in step with other processes and brings
// it live when it opens (oauthflow.Service implements it).
type Live interface {
	Watch(ctx context.Context) (stop func(), err error)
	BringLive(ctx context.Context, opt oauthflow.LiveOptions) []oauthflow.Result
}

var _ Live = (*oauthflow.Service)(nil)

// GoLive makes the workbench show what other processes (credctl, another
// window) change, without the user pressing Refresh, and brings every
// profile to its live state in the background: Application profiles are
// tested (unless PrefStartupTest is off), User profiles with a stored
// session restored. Outcomes arrive as the service's events, so Start must
// have subscribed. Both end when the workbench stops.
func (w *Workbench) GoLive(l Live) {
	ctx, cancel := context.WithCancel(w.ctx) // ends with the workbench
	stopWatch, err := l.Watch(ctx)
	if err != nil {
		w.bar.set("Changes made by credctl show after Refresh only: " + err.Error())
	}
	go func() {
		<-w.stop
		cancel()
		if stopWatch != nil {
			stopWatch()
		}
	}()
	testApps := w.app.Preferences().BoolWithFallback(PrefStartupTest, true)
	go func() {
		l.BringLive(ctx, oauthflow.LiveOptions{TestApplications: testApps, Concurrency: oauthflow.DefaultTestAllConcurrency})
		// Queued behind the outcomes' events, so it runs once the table has
		// taken them, off the UI goroutine.
		w.do(func() { go releaseStartupMemory() })
	}()
}

// releaseStartupMemory hands the heap the start-up burst left behind back
// to the OS. Opening with 1,000 profiles reads the store, builds the window
// and tests every profile within a few seconds; the Go heap grows to twice
// what that burst had live at its peak and, left alone, keeps those pages
// for minutes although the workbench then needs about half of them. This
// complements keeping the burst small (batched state writes, coalesced
// table refreshes, fonts loaded when first shown); it is not a limit: the
// heap grows again as far as later work needs.
func releaseStartupMemory() { debug.FreeOSMemory() }

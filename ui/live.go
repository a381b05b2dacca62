package ui

import (
	"context"

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
	ctx, cancel := context.WithCancel(context.Background())
	stopWatch, err := l.Watch(ctx)
	if err != nil {
		w.setStatus("Changes made by credctl show after Refresh only: " + err.Error())
	}
	go func() {
		<-w.stop
		cancel()
		if stopWatch != nil {
			stopWatch()
		}
	}()
	testApps := w.app.Preferences().BoolWithFallback(PrefStartupTest, true)
	go l.BringLive(ctx, oauthflow.LiveOptions{TestApplications: testApps, Concurrency: oauthflow.DefaultTestAllConcurrency})
}

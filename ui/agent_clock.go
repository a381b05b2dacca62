package ui

import "time"

// Clock is the time source the quiet agent schedules with; tests swap in
// one they move forward by hand (oauthflow.TimerClock has the same shape).
type Clock interface {
	Now() time.Time
	// AfterFunc calls f on a goroutine of its own once d has passed; stop
	// cancels it and reports whether it was still pending.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

package oauthflow

import (
	"errors"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/tokens"
)

// TimerClock is a Clock that also schedules. When Service.Clock implements
// it, the manager schedules renewals through it, so tests can move time
// forward instead of sleeping; otherwise time.AfterFunc is used.
type TimerClock interface {
	Clock
	// AfterFunc calls f in its own goroutine once d has passed on this
	// clock; stop cancels it and reports whether it was still pending.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

const (
	// maxRetryDelay bounds the wait before retrying a failed renewal.
	maxRetryDelay = time.Minute
)

// storeLocked keeps a fresh token and schedules its renewal.
func (m *Manager) storeLocked(p credentials.Profile, tok *oauth2.Token, res Result, gen uint64) {
	now := m.s.Clock.Now()
	expiry := res.Expiry
	if expiry.IsZero() && !tok.Expiry.IsZero() {
		expiry = now.Add(time.Until(tok.Expiry))
	}
	e := m.entries[p.ID]
	if e == nil {
		e = &tokenEntry{}
		m.entries[p.ID] = e
	}
	e.profile, e.fp, e.tok, e.expiry, e.result = p, tokens.Fingerprint(p), tok, expiry, res
	// The interval counts from when the token was obtained: one another
	// process fetched (adopted from the shared store) is renewed at its own
	// refresh point, not a whole interval after this process took it over.
	obtained := now
	if !res.CheckedAt.IsZero() && res.CheckedAt.Before(now) {
		obtained = res.CheckedAt
	}
	var lifetime time.Duration
	if !expiry.IsZero() {
		lifetime = expiry.Sub(obtained)
	}
	m.scheduleLocked(e, max(renewAfter(p.RefreshInterval.D(), lifetime)-now.Sub(obtained), time.Second), gen)
}

// failedLocked records a failed renewal: a token still valid is kept (it
// still works) and the renewal is retried; without one nothing is kept.
func (m *Manager) failedLocked(p credentials.Profile, res Result, gen uint64) {
	e := m.entries[p.ID]
	if e == nil || e.tok == nil {
		return
	}
	e.profile, e.result = p, res
	stopRetrying := func() {
		if e.stop != nil {
			e.stop()
			e.stop = nil
		}
	}
	if res.Status == credentials.StatusLoggedOut {
		// The session ended at the IdP: nothing to renew, nothing to hand out.
		stopRetrying()
		e.tok = nil
		return
	}
	if res.Failure != nil && !transient(res.Failure.Category) {
		// A refused secret or scope will not fix itself: keep the token while
		// it works, but do not ask the IdP again every minute.
		stopRetrying()
		return
	}
	delay := min(p.RefreshInterval.D(), maxRetryDelay)
	if delay <= 0 {
		delay = maxRetryDelay
	}
	if !e.expiry.IsZero() {
		left := e.expiry.Sub(m.s.Clock.Now())
		if left <= 0 {
			// Expired: the next Token or Test fetches anew; no timer needed.
			stopRetrying()
			return
		}
		// Retry while the token still works, not after it has expired.
		delay = min(delay, max(left/2, time.Second))
	}
	m.scheduleLocked(e, delay, gen)
}

// transient reports whether a failure may go away by itself (an outage,
// a flaky network), so retrying is worth it.
func transient(c Category) bool {
	return c == CatNetwork || c == CatEndpoint || c == CatProxy || c == CatOther
}

// renewAfter is when to renew a token: at the refresh interval or shortly
// before expiry (the last tenth of its lifetime, at least 30 s when the
// lifetime allows), whichever comes first.
func renewAfter(interval, lifetime time.Duration) time.Duration {
	if interval <= 0 {
		interval = credentials.DefaultRefreshInterval
	}
	d := interval
	if lifetime > 0 {
		margin := max(lifetime/10, min(30*time.Second, lifetime/2))
		d = min(d, lifetime-margin)
	}
	return max(d, time.Second)
}

func (m *Manager) scheduleLocked(e *tokenEntry, d time.Duration, gen uint64) {
	if e.stop != nil {
		e.stop()
		e.stop = nil
	}
	if m.s.OneShot {
		// The process ends with its command: a renewal would only be a
		// redemption its exit abandons.
		return
	}
	id := e.profile.ID
	f := func() { m.renew(id, gen) }
	if tc, ok := m.s.Clock.(TimerClock); ok {
		e.stop = tc.AfterFunc(d, f)
	} else {
		e.stop = time.AfterFunc(d, f).Stop
	}
}

// renew runs when a renewal is due. It re-reads the profile, so an edit made
// by another process (credctl) is picked up and a deletion stops renewal.
func (m *Manager) renew(id string, gen uint64) {
	m.mu.Lock()
	if m.closed || m.gens[id] != gen || m.entries[id] == nil {
		m.mu.Unlock()
		return
	}
	m.mu.Unlock()
	p, err := m.s.repo.Get(id)
	if errors.Is(err, credentials.ErrNotFound) {
		m.Forget(id)
		return
	}
	if err != nil {
		// The store is unreadable for now: try again later.
		m.mu.Lock()
		if e := m.entries[id]; e != nil && !m.closed && m.gens[id] == gen {
			m.scheduleLocked(e, maxRetryDelay, gen)
		}
		m.mu.Unlock()
		return
	}
	_, _, _ = m.refresh(m.ctx, p, EventRenewed, fetchRenew)
}

package oauthflow

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
)

// record writes a result into the profile's bookkeeping (the state file,
// credentials.Store.UpdateState), unless the profile was edited meanwhile
// (the result then says nothing about it). It returns once the result is in
// the file. Every record rewrites the state file under its lock (with
// fsync), so concurrent records are written together: the first caller
// writes everything queued while it works (group commit). "Test all" goes
// further and hands its results over in a few batches (recordBatch). The
// error says the file could not be written; callers pass it on (see
// withRecordWarning), it is never dropped.
//
// Several results go in one write (a batch); a login's request (login set)
// starts a new session (LoginAt): tokens of an older session, in any
// process, are stale from now on.
func (s *Service) record(reqs ...*recordReq) error {
	if len(reqs) == 0 {
		return nil
	}
	req := reqs[len(reqs)-1] // written together with the others
	r := &s.mgr.rec
	r.mu.Lock()
	r.pending = append(r.pending, reqs...)
	if r.flushing {
		if r.done == nil {
			r.done = sync.NewCond(&r.mu)
		}
		for !req.written {
			r.done.Wait()
		}
		r.mu.Unlock()
		return req.err
	}
	r.flushing = true
	for len(r.pending) > 0 {
		batch := r.pending
		r.pending = nil
		r.mu.Unlock()
		err := s.repo.Store.UpdateState(func(ps []credentials.Profile) error {
			for _, q := range batch {
				for i := range ps {
					if ps[i].ID == q.p.ID {
						applyResult(&ps[i].Bookkeeping, q.p, q.res)
						if q.login && ps[i].Revision == q.p.Revision {
							ps[i].LoginAt = q.p.LoginAt
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			// The in-memory state stays right; only the file lags behind.
			logWarn(s.Log, "cannot record test results in the profile file", "error", err.Error())
		}
		r.mu.Lock()
		for _, q := range batch {
			q.written, q.err = true, err
		}
		if r.done != nil {
			r.done.Broadcast()
		}
	}
	r.flushing = false
	r.mu.Unlock()
	return req.err
}

// recorder queues bookkeeping writes (see Service.record).
type recorder struct {
	mu       sync.Mutex
	pending  []*recordReq
	flushing bool
	done     *sync.Cond
}

type recordReq struct {
	p       credentials.Profile
	res     Result
	login   bool // p.LoginAt starts a new session
	written bool
	err     error
}

// ApplyResult puts a result into a profile's bookkeeping as the state file
// records it (credentials.Bookkeeping.Apply, the one rule); the workbench
// applies the results it is shown the same way, so its rows say what
// credctl reads. p is the profile the result is of.
func ApplyResult(b *credentials.Bookkeeping, p credentials.Profile, res Result) {
	b.Apply(p, res.Outcome(p))
}

func applyResult(b *credentials.Bookkeeping, p credentials.Profile, res Result) {
	b.Apply(p, res.Outcome(p))
}

// Outcome is what res says about p's bookkeeping.
func (res Result) Outcome(p credentials.Profile) credentials.Outcome {
	o := credentials.Outcome{Status: res.Status, CheckedAt: res.CheckedAt, Expiry: res.Expiry, Unasked: unasked(p, res)}
	if res.Failure != nil {
		o.Failed, o.Error, o.Category = true, res.Failure.Error(), string(res.Failure.Category)
	}
	if res.Token != nil {
		o.Username, o.Subject, o.MFA = res.Token.Username, res.Token.Subject, res.Token.MFA
	}
	return o
}

// Err is the verdict as an error: nil for a result without a failure, else
// its *Failure (errors.As finds it). The error an operation returns beside
// a Result only says it could not be attempted.
func (res Result) Err() error {
	if res.Failure == nil {
		return nil
	}
	return res.Failure
}

// unasked is a result of a check that never reached the IdP because the
// profile has nothing to ask with: no client secret or key stored, or a
// User profile without a session.
func unasked(p credentials.Profile, res Result) bool {
	f := res.Failure
	switch {
	case f == nil:
		return false
	case res.Status == credentials.StatusLoggedOut && f.Category == CatLogin && strings.HasPrefix(f.Message, "not logged in"):
		return true
	case p.Type != credentials.TypeApplication || f.Category != CatCredentials:
		return false
	case p.AuthMethod.UsesKey():
		return !p.HasPrivateKey
	}
	return !p.HasSecret
}

// maxBatchWrites bounds the state-file writes of one "Test all": its
// results are written in at most this many batches (plus the rare result of
// a fetch that was already running for another caller), whatever the number
// of profiles.
const maxBatchWrites = 16

// recordBatch collects the outcomes of one TestAll and records them (and
// then publishes their events and releases their waiters) a batch at a
// time. A flight of the batch is done once its batch is written.
type recordBatch struct {
	m    *Manager
	size int
	// open counts flights of the batch whose outcome has not been added.
	open sync.WaitGroup

	mu      sync.Mutex
	pending []batchItem
	closed  bool
}

type batchItem struct {
	fl   *flight
	p    credentials.Profile
	kind EventKind
}

func newRecordBatch(m *Manager, n int) *recordBatch {
	return &recordBatch{m: m, size: max(1, (n+maxBatchWrites-1)/maxBatchWrites)}
}

// add queues a flight's outcome; a full batch is written by the caller.
func (b *recordBatch) add(it batchItem) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		b.write([]batchItem{it})
		return
	}
	b.pending = append(b.pending, it)
	var out []batchItem
	if len(b.pending) >= b.size {
		out, b.pending = b.pending, nil
	}
	b.mu.Unlock()
	b.write(out)
}

// close writes what is queued; outcomes added later are written one by one.
func (b *recordBatch) close() {
	b.mu.Lock()
	b.closed = true
	out := b.pending
	b.pending = nil
	b.mu.Unlock()
	b.write(out)
}

func (b *recordBatch) write(items []batchItem) {
	if len(items) == 0 {
		return
	}
	reqs := make([]*recordReq, len(items))
	for i, it := range items {
		reqs[i] = &recordReq{p: it.p, res: it.fl.res}
	}
	err := b.m.s.record(reqs...)
	for _, it := range items {
		it.fl.recordErr = err
		b.m.finish(it.fl, it.p, it.kind)
	}
}

// Standing is a profile's status as people should read it now, worked out
// from its bookkeeping alone (no keyring, no IdP), so the workbench's
// table, details and tray and credctl list/show say the same. It differs
// from the recorded status in one case: a check failed while the token
// from an earlier one is still valid. That token is still handed out
// (credctl token serves it), so the profile is Active, with its renewal
// failing; once the token runs out it is Failed.
type Standing struct {
	Status credentials.Status
	// Renewal is the category of the failing renewal while Status is
	// Active ("" when the last check succeeded).
	Renewal Category
	// Expiry is when the valid token runs out (zero when there is none or
	// it is not known).
	Expiry time.Time
	// Left is the token's remaining validity at the time asked.
	Left time.Duration
}

// StandingOf is p's standing at now.
func StandingOf(p credentials.Profile, now time.Time) Standing {
	st := Standing{Status: p.StatusAt(now)}
	valid := !p.TokenExpiry.IsZero() && now.Before(p.TokenExpiry)
	switch {
	case st.Status == credentials.StatusActive && valid:
	case st.Status == credentials.StatusFailed && valid:
		st.Status, st.Renewal = credentials.StatusActive, Category(p.LastCategory)
		if st.Renewal == "" {
			st.Renewal = CatOther
		}
	default:
		return st
	}
	st.Expiry, st.Left = p.TokenExpiry, p.TokenExpiry.Sub(now)
	return st
}

// RenewalFailing reports an Active profile whose last check failed.
func (s Standing) RenewalFailing() bool { return s.Renewal != "" }

// Short is the status word with the failing renewal, for a table cell:
// "Active — renewal failing (Network)".
func (s Standing) Short() string {
	if s.RenewalFailing() {
		return "Active — renewal failing (" + s.Renewal.Label() + ")"
	}
	return string(s.Status)
}

// Text says both facts in one line: "Active — renewal failing (Network),
// token valid 58 min"; a plain status otherwise.
func (s Standing) Text() string {
	if !s.RenewalFailing() {
		return s.Short()
	}
	return s.Short() + ", token valid " + ValidFor(s.Left)
}

// ValidFor is a remaining validity for people, rounded down (never promise
// more than is left): "58 min", "1 h 05 min", "40 s".
func ValidFor(d time.Duration) string {
	switch {
	case d <= 0:
		return "0 s"
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %02d min", int(d/time.Hour), int(d/time.Minute)%60)
	}
	return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
}

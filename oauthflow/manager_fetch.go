package oauthflow

import (
	"context"
	"slices"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/tokens"
)

// Close stops renewals, cancels fetches still waiting for the profile's
// lock, waits for those already talking to the IdP (exchangeContext) and
// closes idle connections.
func (m *Manager) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	for _, e := range m.entries {
		if e.stop != nil {
			e.stop()
		}
	}
	closeIdle := m.http.Close()
	m.cancel()
	m.mu.Unlock()
	m.wg.Wait()
	closeIdle()
}

// refresh fetches a new token for p, or joins the fetch already running for
// it. The fetch itself runs on the manager's context, so one caller giving
// up does not fail the others; a caller's ctx only ends its own wait.
func (m *Manager) refresh(ctx context.Context, p credentials.Profile, kind EventKind, mode fetchMode) (*oauth2.Token, Result, error) {
	fl, err := m.start(p, kind, mode)
	if err != nil {
		f := &Failure{Category: CatCancelled, Message: err.Error(), Err: err}
		return nil, failedResult(p, f, nil, m.s.Clock.Now()), f
	}
	select {
	case <-fl.done:
		return fl.tok, withRecordWarning(fl.res, fl.recordErr), fl.err
	case <-ctx.Done():
		f := failure.Classify(ctx.Err())
		return nil, failedResult(p, f, nil, m.s.Clock.Now()), f
	}
}

// start returns the fetch in flight for p, starting one if there is none.
func (m *Manager) start(p credentials.Profile, kind EventKind, mode fetchMode) (*flight, error) {
	return m.startIn(p, kind, mode, nil)
}

// startIn is start; a fetch it starts records its outcome through batch.
func (m *Manager) startIn(p credentials.Profile, kind EventKind, mode fetchMode, batch *recordBatch) (*flight, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	gen := m.genLocked(p.ID)
	if fl, ok := m.flights[p.ID]; ok && fl.gen == gen {
		return fl, nil
	}
	fl := &flight{gen: gen, mode: mode, fetched: make(chan struct{}), done: make(chan struct{}), batch: batch}
	if batch != nil {
		batch.open.Add(1)
	}
	if e := m.entries[p.ID]; e != nil && e.tok != nil {
		fl.replace = e.tok.AccessToken
	}
	m.flights[p.ID] = fl
	m.wg.Add(1)
	go m.run(fl, p, kind)
	return fl, nil
}

func (m *Manager) run(fl *flight, p credentials.Profile, kind EventKind) {
	defer m.wg.Done()
	m.s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventTesting, Time: m.s.Clock.Now()})
	tok, res, adopted, err := m.fetch(fl, p)
	if err != nil && res.Failure == nil {
		res = failedResult(p, failure.Classify(err), res.Warnings, m.s.Clock.Now())
	}

	m.mu.Lock()
	// A token Close waited for is still recorded and announced; a failure
	// after Close is most likely the cancellation itself.
	current := m.gens[p.ID] == fl.gen && (!m.closed || err == nil)
	if m.flights[p.ID] == fl {
		delete(m.flights, p.ID)
	}
	if current && !m.closed {
		if err == nil {
			m.storeLocked(p, tok, res, fl.gen)
		} else {
			m.failedLocked(p, res, fl.gen)
		}
	}
	m.pruneGenLocked(p.ID)
	if !current && m.entries[p.ID] == nil && m.flights[p.ID] == nil {
		// Forgotten (deleted, edited) while this fetch ran: the client it
		// made belongs to nobody.
		m.http.Drop(p.ID)
	}
	m.mu.Unlock()
	fl.tok, fl.res, fl.err = tok, res, err
	close(fl.fetched)

	switch {
	case current && !adopted && fl.batch != nil:
		fl.batch.add(batchItem{fl: fl, p: p, kind: kind})
		fl.batch.open.Done()
		return
	case current && !adopted: // the process that fetched an adopted token has recorded it
		fl.recordErr = m.s.record(&recordReq{p: p, res: res})
	}
	if fl.batch != nil {
		fl.batch.open.Done()
	}
	if current {
		m.finish(fl, p, kind)
		return
	}
	close(fl.done)
}

// finish publishes a current flight's outcome, once recorded, and releases
// its waiters.
func (m *Manager) finish(fl *flight, p credentials.Profile, kind EventKind) {
	res := fl.res
	ev := Event{ProfileID: p.ID, Name: p.Name, Kind: kind, Result: &res, Time: m.s.Clock.Now()}
	if fl.err != nil {
		ev.Kind = EventFailed
	}
	m.s.publish(ev)
	close(fl.done)
}

// fetch obtains p's token under the profile's lock shared by all processes:
// after taking it, the store is read again, so of several processes (or a
// renewal here and a credctl there) only the first asks the IdP and the
// others take its token. adopted reports a token taken from the store.
func (m *Manager) fetch(fl *flight, p credentials.Profile) (tok *oauth2.Token, res Result, adopted bool, err error) {
	in := derivedInputs(m, p) // derived.go: a subject's token first, under its own lock
	do := tokens.Fetch[Result]{
		Lock: tokens.LockFunc(m.s.lockProfile),
		LockFailed: func(err error) (Result, error) {
			f := lockFailure(err)
			return failedResult(p, f, nil, m.s.Clock.Now()), f
		},
		Fetch: func() (*oauth2.Token, Result, error) {
			if err := m.ctx.Err(); err != nil {
				// Closed while waiting for the lock: nothing was sent yet.
				f := failure.Classify(err)
				return nil, failedResult(p, f, nil, m.s.Clock.Now()), f
			}
			ctx, done := m.exchangeContext()
			defer done()
			if p.Type == credentials.TypeUser {
				return (protocol{m.s}).refreshUser(ctx, p)
			}
			if p.IsDerived() {
				return (protocol{m.s}).fetchDerived(ctx, p, in)
			}
			return (protocol{m.s}).fetchClientCredentials(ctx, p, nil)
		},
		Save: func(tok *oauth2.Token, res Result) Result {
			if w := m.saveStored(p, tok, res); w != "" {
				res.Warnings = append(res.Warnings, w)
			}
			return res
		},
		Failed: func(res Result, _ error) {
			// Whatever is stored belongs to a state the IdP no longer accepts
			// (a logged-out session, a refused secret) or is about to be replaced.
			if m.s.Tokens != nil && p.ID != "" && res.Status == credentials.StatusLoggedOut {
				_ = m.s.Tokens.Delete(p.ID)
			}
		},
	}
	if fl.mode != fetchForce {
		do.Find = func() (*oauth2.Token, Result, bool) {
			if t, ok := m.loadStored(p, m.s.Clock.Now()); ok && (fl.mode == fetchNeed || t.AccessToken != fl.replace) {
				return t.OAuth2(), storedResult(p, t), true
			}
			return nil, Result{}, false
		}
	}
	return do.Do(m.ctx, p.ID)
}

// exchangeContext is the context of what a fetch sends to the IdP. Close
// does not cancel it at once: an IdP that rotates refresh tokens has
// rotated the one a redemption sent, and abandoning the answer would keep
// the used one, whose reuse makes the IdP end the session. After Close the
// exchange gets the HTTP timeout to finish, and its answer is stored.
func (m *Manager) exchangeContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(m.ctx))
	grace := timeoutOr(m.s.HTTPTimeout)
	stop := context.AfterFunc(m.ctx, func() {
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-ctx.Done():
		}
	})
	return ctx, func() { stop(); cancel() }
}

// withRecordWarning tells the caller that the outcome is not in the profile
// file, so credctl list and other windows still show the old status.
func withRecordWarning(res Result, err error) Result {
	if err == nil {
		return res
	}
	res.Warnings = append(slices.Clone(res.Warnings), "The outcome could not be saved in the profile file, so other windows and credctl "+
		"still show the previous status: "+err.Error())
	return res
}

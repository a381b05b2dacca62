package oauthflow

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
)

// DefaultTestAllConcurrency bounds TestAll when no concurrency is given.
const DefaultTestAllConcurrency = 8

// ErrClosed is returned by operations after Service.Close.
var ErrClosed = errors.New("the service is shutting down")

// Manager keeps each profile's token in memory and fresh: it renews
// client-credentials tokens by re-running the grant (they have no refresh
// token) and User tokens through their refresh token, at the profile's
// refresh interval or shortly before expiry, whichever comes first.
// Concurrent requests for one profile share a single fetch.
type Manager struct {
	s      *Service
	ctx    context.Context // cancelled by Close: stops fetches in flight
	cancel context.CancelFunc
	wg     sync.WaitGroup // fetches in flight

	mu      sync.Mutex
	closed  bool
	entries map[string]*tokenEntry // by profile ID
	gens    map[string]uint64      // bumped by Forget: older fetches are stale
	flights map[string]*flight
	clients map[string]*clientEntry

	rec recorder
}

type tokenEntry struct {
	profile credentials.Profile
	tok     *oauth2.Token // nil when the last fetch failed and none is kept
	expiry  time.Time     // on the service clock; zero if unknown
	result  Result
	stop    func() bool // pending renewal
}

type flight struct {
	gen     uint64
	fetched chan struct{} // tok, res, err are set
	done    chan struct{} // and recorded in the bookkeeping
	tok     *oauth2.Token
	res     Result
	err     error
}

func newManager(s *Service) *Manager {
	ctx, cancel := context.WithCancel(context.Background())
	return &Manager{
		s: s, ctx: ctx, cancel: cancel,
		entries: map[string]*tokenEntry{},
		gens:    map[string]uint64{},
		flights: map[string]*flight{},
		clients: map[string]*clientEntry{},
	}
}

// Status is the profile's current state: the in-memory token when there is
// one (Expired once it has passed its expiry), otherwise what was recorded.
func (s *Service) Status(nameOrID string) (Result, error) {
	p, err := s.Repo.Get(nameOrID)
	if err != nil {
		return Result{}, err
	}
	return s.mgr.Status(p), nil
}

// Token returns a valid access token of the profile, fetching one when
// there is none or it is about to expire. The error is a *Failure.
func (s *Service) Token(ctx context.Context, nameOrID string) (*oauth2.Token, error) {
	p, err := s.Repo.Get(nameOrID)
	if err != nil {
		return nil, err
	}
	return s.mgr.Token(ctx, p)
}

// TestAll tests every profile, at most concurrency at a time (0 means
// DefaultTestAllConcurrency), and returns the results in name order.
func (s *Service) TestAll(ctx context.Context, concurrency int) ([]Result, error) {
	ps, err := s.Repo.List()
	if err != nil {
		return nil, err
	}
	return s.mgr.TestAll(ctx, ps, concurrency), nil
}

// Status is p's current state (see Service.Status); it does not read the store.
func (m *Manager) Status(p credentials.Profile) Result {
	now := m.s.Clock.Now()
	m.mu.Lock()
	e := m.entries[p.ID]
	var r Result
	found := e != nil && e.profile.Revision == p.Revision
	if found {
		r = e.result
		// Only a good token goes stale; a failure keeps saying why.
		if r.Status == credentials.StatusActive && !e.expiry.IsZero() && !now.Before(e.expiry) {
			r.Status = credentials.StatusExpired
		}
	}
	m.mu.Unlock()
	if found {
		return r
	}
	return recordedResult(p, now)
}

// recordedResult rebuilds a Result from the stored bookkeeping.
func recordedResult(p credentials.Profile, now time.Time) Result {
	r := Result{ProfileID: p.ID, Name: p.Name, Status: p.StatusAt(now), Expiry: p.TokenExpiry, CheckedAt: p.LastChecked}
	if r.Status == credentials.StatusFailed {
		cat := Category(p.LastCategory)
		if cat == "" {
			cat = CatOther
		}
		r.Failure = &Failure{Category: cat, Message: p.LastError}
	}
	return r
}

// Token returns a valid token for p, fetching one if needed.
func (m *Manager) Token(ctx context.Context, p credentials.Profile) (*oauth2.Token, error) {
	now := m.s.Clock.Now()
	m.mu.Lock()
	e := m.entries[p.ID]
	if e != nil && e.tok != nil && e.profile.Revision == p.Revision &&
		(e.expiry.IsZero() || now.Add(expirySkew).Before(e.expiry)) {
		tok := e.tok
		m.mu.Unlock()
		return tok, nil
	}
	m.mu.Unlock()
	kind := EventTested
	if e != nil {
		kind = EventRenewed
	}
	tok, _, err := m.refresh(ctx, p, kind)
	return tok, err
}

// Put hands the manager a token obtained elsewhere (a login, a rotation):
// it becomes the profile's current token and is renewed from now on.
func (m *Manager) Put(p credentials.Profile, tok *oauth2.Token, res Result) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	// A fetch started before this token arrived must not overwrite it.
	m.gens[p.ID]++
	m.storeLocked(p, tok, res, m.gens[p.ID])
}

// Forget drops the profile's token, stops its renewal, closes its
// connections and makes fetches still in flight stale. It reports whether
// the manager was keeping a token for the profile.
func (m *Manager) Forget(id string) bool {
	m.mu.Lock()
	m.gens[id]++
	e := m.entries[id]
	delete(m.entries, id)
	if e != nil && e.stop != nil {
		e.stop()
	}
	c := m.clients[id]
	delete(m.clients, id)
	m.mu.Unlock()
	if c != nil {
		c.transport.CloseIdleConnections()
	}
	return e != nil && e.tok != nil
}

// TestAll tests ps with bounded concurrency; results are in the order of
// ps. The bound applies to requests to IdPs: a worker moves on once its
// token request is answered, while the bookkeeping is written in batches;
// TestAll returns when all of it is written.
func (m *Manager) TestAll(ctx context.Context, ps []credentials.Profile, concurrency int) []Result {
	if concurrency <= 0 {
		concurrency = DefaultTestAllConcurrency
	}
	results := make([]Result, len(ps))
	flights := make([]*flight, len(ps))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	cancelled := func(p credentials.Profile, err error) Result {
		return failedResult(p, &Failure{Category: CatCancelled, Message: "cancelled", Err: err}, nil, m.s.Clock.Now())
	}
	for i, p := range ps {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			results[i] = cancelled(p, ctx.Err())
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			fl, err := m.start(p, EventTested)
			if err != nil {
				results[i] = cancelled(p, err)
				return
			}
			select {
			case <-fl.fetched:
				results[i], flights[i] = fl.res, fl
			case <-ctx.Done():
				results[i] = cancelled(p, ctx.Err())
			}
		}()
	}
	wg.Wait()
	for _, fl := range flights {
		if fl != nil {
			select {
			case <-fl.done:
			case <-ctx.Done():
			}
		}
	}
	return results
}

// Close stops renewals, cancels fetches in flight, waits for them and
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
	m.cancel()
	m.mu.Unlock()
	m.wg.Wait()
	m.mu.Lock()
	clients := m.clients
	m.clients = map[string]*clientEntry{}
	m.mu.Unlock()
	for _, c := range clients {
		c.transport.CloseIdleConnections()
	}
}

// refresh fetches a new token for p, or joins the fetch already running for
// it. The fetch itself runs on the manager's context, so one caller giving
// up does not fail the others; a caller's ctx only ends its own wait.
func (m *Manager) refresh(ctx context.Context, p credentials.Profile, kind EventKind) (*oauth2.Token, Result, error) {
	fl, err := m.start(p, kind)
	if err != nil {
		f := &Failure{Category: CatCancelled, Message: err.Error(), Err: err}
		return nil, failedResult(p, f, nil, m.s.Clock.Now()), f
	}
	select {
	case <-fl.done:
		return fl.tok, fl.res, fl.err
	case <-ctx.Done():
		f := classifyError(ctx.Err())
		return nil, failedResult(p, f, nil, m.s.Clock.Now()), f
	}
}

// start returns the fetch in flight for p, starting one if there is none.
func (m *Manager) start(p credentials.Profile, kind EventKind) (*flight, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	gen := m.gens[p.ID]
	if fl, ok := m.flights[p.ID]; ok && fl.gen == gen {
		return fl, nil
	}
	fl := &flight{gen: gen, fetched: make(chan struct{}), done: make(chan struct{})}
	m.flights[p.ID] = fl
	m.wg.Add(1)
	go m.run(fl, p, kind)
	return fl, nil
}

func (m *Manager) run(fl *flight, p credentials.Profile, kind EventKind) {
	defer m.wg.Done()
	m.s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventTesting, Time: m.s.Clock.Now()})
	var (
		tok *oauth2.Token
		res Result
		err error
	)
	if p.Type == credentials.TypeUser {
		tok, res, err = m.s.refreshUser(m.ctx, p)
	} else {
		tok, res, err = m.s.fetchClientCredentials(m.ctx, p, nil)
	}
	if err != nil && res.Failure == nil {
		res = failedResult(p, classifyError(err), res.Warnings, m.s.Clock.Now())
	}

	m.mu.Lock()
	current := !m.closed && m.gens[p.ID] == fl.gen
	if m.flights[p.ID] == fl {
		delete(m.flights, p.ID)
	}
	if current {
		if err == nil {
			m.storeLocked(p, tok, res, fl.gen)
		} else {
			m.failedLocked(p, res, fl.gen)
		}
	}
	m.mu.Unlock()
	fl.tok, fl.res, fl.err = tok, res, err
	close(fl.fetched)

	if current {
		m.s.record(p, res)
		ev := Event{ProfileID: p.ID, Name: p.Name, Kind: kind, Result: &res, Time: m.s.Clock.Now()}
		if err != nil {
			ev.Kind = EventFailed
		}
		m.s.publish(ev)
	}
	close(fl.done)
}

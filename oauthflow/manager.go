package oauthflow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
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

// DefaultTestAllConcurrency bounds TestAll when no concurrency is given.
const DefaultTestAllConcurrency = 8

const (
	// expirySkew: a token this close to its expiry is not handed out.
	expirySkew = 10 * time.Second
	// maxRetryDelay bounds the wait before retrying a failed renewal.
	maxRetryDelay = time.Minute
)

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

// clientEntry caches a profile's transport and clients per settings.
type clientEntry struct {
	key       string
	transport *http.Transport
	idp       *http.Client
	warnings  []string
	endpoints *Endpoints
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
	e.profile, e.tok, e.expiry, e.result = p, tok, expiry, res
	var lifetime time.Duration
	if !expiry.IsZero() {
		lifetime = expiry.Sub(now)
	}
	m.scheduleLocked(e, renewAfter(p.RefreshInterval.D(), lifetime), gen)
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
	p, err := m.s.Repo.Get(id)
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
	_, _, _ = m.refresh(m.ctx, p, EventRenewed)
}

// client returns the cached IdP client of a profile (api=false) or builds
// its transport; see Service.httpClient.
func (m *Manager) client(p credentials.Profile, api bool) (*http.Client, []string, error) {
	c, err := m.clientEntry(p)
	if err != nil {
		return nil, nil, err
	}
	if api {
		return &http.Client{
			Transport:     c.transport,
			CheckRedirect: sameHostRedirects,
			Timeout:       m.s.httpTimeout(),
		}, c.warnings, nil
	}
	return c.idp, c.warnings, nil
}

func (m *Manager) clientEntry(p credentials.Profile) (*clientEntry, error) {
	key := fmt.Sprintf("%d|%+v|%+v|%s|%s", p.Revision, p.Proxy, p.TLS, m.s.httpTimeout(), p.IssuerURL)
	m.mu.Lock()
	c := m.clients[p.ID]
	m.mu.Unlock()
	if c != nil && c.key == key {
		return c, nil
	}
	tr, warnings, err := m.s.buildTransport(p)
	if err != nil {
		return nil, err
	}
	c = &clientEntry{
		key: key, transport: tr, warnings: warnings,
		idp: &http.Client{
			Transport:     limitTransport{base: tr},
			CheckRedirect: sameHostRedirects,
			Timeout:       m.s.httpTimeout(),
		},
	}
	if p.ID == "" {
		return c, nil
	}
	m.mu.Lock()
	old := m.clients[p.ID]
	if m.closed {
		m.mu.Unlock()
		return nil, ErrClosed
	}
	m.clients[p.ID] = c
	m.mu.Unlock()
	if old != nil {
		old.transport.CloseIdleConnections()
	}
	return c, nil
}

// discovered returns the profile's discovered endpoints, cached with its client.
func (m *Manager) discovered(ctx context.Context, p credentials.Profile, client *http.Client) (Endpoints, error) {
	c, err := m.clientEntry(p)
	if err != nil {
		return Endpoints{}, err
	}
	m.mu.Lock()
	ep := c.endpoints
	m.mu.Unlock()
	if ep != nil {
		return *ep, nil
	}
	e, err := discover(ctx, client, p.IssuerURL)
	if err != nil {
		return e, err
	}
	m.mu.Lock()
	c.endpoints = &e
	m.mu.Unlock()
	return e, nil
}

// record writes a result into the profile's bookkeeping, unless the
// profile was edited meanwhile (the result then says nothing about it). It
// returns once the result is in the file. Every record rewrites the whole
// file under its lock (with fsync), so concurrent records are written
// together: the first caller writes everything queued while it works
// (group commit), which keeps "Test all" from queueing on the file.
func (s *Service) record(p credentials.Profile, res Result) {
	r := &s.mgr.rec
	req := &recordReq{p: p, res: res}
	r.mu.Lock()
	r.pending = append(r.pending, req)
	if r.flushing {
		if r.done == nil {
			r.done = sync.NewCond(&r.mu)
		}
		for !req.written {
			r.done.Wait()
		}
		r.mu.Unlock()
		return
	}
	r.flushing = true
	for len(r.pending) > 0 {
		batch := r.pending
		r.pending = nil
		r.mu.Unlock()
		err := s.Repo.Store.Update(func(ps []credentials.Profile) ([]credentials.Profile, error) {
			for _, q := range batch {
				for i := range ps {
					if ps[i].ID == q.p.ID {
						applyResult(&ps[i].Bookkeeping, q.p, q.res)
					}
				}
			}
			return ps, nil
		})
		if err != nil && s.Log != nil {
			// The in-memory state stays right; only the file lags behind.
			s.Log.Warn("cannot record test results in the profile file", "error", err.Error())
		}
		r.mu.Lock()
		for _, q := range batch {
			q.written = true
		}
		if r.done != nil {
			r.done.Broadcast()
		}
	}
	r.flushing = false
	r.mu.Unlock()
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
	written bool
}

func applyResult(b *credentials.Bookkeeping, p credentials.Profile, res Result) {
	if b.Revision != p.Revision {
		return
	}
	b.LastStatus, b.LastChecked = res.Status, res.CheckedAt.UTC()
	if res.Status == credentials.StatusLoggedOut {
		// The session ended at the IdP: nobody is logged in any more.
		b.LoggedInAs, b.TokenExpiry = "", time.Time{}
	}
	if res.Failure != nil {
		b.LastError, b.LastCategory = res.Failure.Error(), string(res.Failure.Category)
		return
	}
	b.LastError, b.LastCategory = "", ""
	b.TokenExpiry = res.Expiry.UTC()
	if res.Token != nil && res.Token.Username != "" && p.Type == credentials.TypeUser {
		b.LoggedInAs = res.Token.Username
	}
}

package oauthflow

import (
	"context"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/httpclient"
	"github.com/credworkbench/credworkbench/oauthflow/tokens"
)

// DefaultTestAllConcurrency bounds TestAll when no concurrency is given.
const DefaultTestAllConcurrency = 8

// ErrClosed is returned by operations after Service.Close.
var ErrClosed = httpclient.ErrClosed

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
	// gens holds each profile's generation, replaced by Forget: older
	// fetches and renewals are stale. Values come from seq and are never
	// reused, so a profile with no token, fetch or renewal left needs no
	// entry (pruneGenLocked): the map stays as large as the profiles in use.
	gens    map[string]uint64
	seq     uint64
	flights map[string]*flight
	// http holds the profiles' HTTP clients and discovered endpoints.
	http *httpclient.Cache

	rec recorder
}

type tokenEntry struct {
	profile credentials.Profile
	fp      string        // tokens.Fingerprint(profile): the state the token belongs to
	tok     *oauth2.Token // nil when the last fetch failed and none is kept
	expiry  time.Time     // on the service clock; zero if unknown
	result  Result
	stop    func() bool // pending renewal
}

type flight struct {
	gen     uint64
	mode    fetchMode
	replace string        // the access token this fetch renews ("" for a first fetch)
	fetched chan struct{} // tok, res, err are set
	done    chan struct{} // and recorded in the bookkeeping
	tok     *oauth2.Token
	res     Result
	err     error
	// recordErr is why the outcome could not be written into the profile
	// file (set before done is closed).
	recordErr error
	// batch, when set, records the outcome together with others (TestAll).
	batch *recordBatch
}

// fetchMode says what a fetch may use instead of asking the IdP.
type fetchMode int

const (
	// fetchNeed wants any valid token: one another process stored will do.
	fetchNeed fetchMode = iota
	// fetchRenew replaces the token kept in memory: a newer one another
	// process stored meanwhile will do (so a refresh token is redeemed once).
	fetchRenew
	// fetchForce asks the IdP (Test, --fresh).
	fetchForce
)

func newManager(s *Service) *Manager {
	ctx, cancel := context.WithCancel(context.Background())
	return &Manager{
		s: s, ctx: ctx, cancel: cancel,
		entries: map[string]*tokenEntry{},
		gens:    map[string]uint64{},
		flights: map[string]*flight{},
		http:    newClientCache(s),
	}
}

// Status is the profile's current state: the in-memory token when there is
// one (Expired once it has passed its expiry), otherwise what was recorded.
func (s *Service) Status(nameOrID string) (Result, error) {
	p, err := s.repo.Get(nameOrID)
	if err != nil {
		return Result{}, err
	}
	return s.mgr.Status(p), nil
}

// Token returns a valid access token of the profile, fetching one when
// there is none or it is about to expire. The error is a *Failure.
func (s *Service) Token(ctx context.Context, nameOrID string) (*oauth2.Token, error) {
	p, err := s.repo.Get(nameOrID)
	if err != nil {
		return nil, err
	}
	return s.mgr.Token(ctx, p)
}

// TestAll tests every profile, at most concurrency at a time (0 means
// DefaultTestAllConcurrency), and returns the results in name order.
func (s *Service) TestAll(ctx context.Context, concurrency int) ([]Result, error) {
	ps, err := s.repo.List()
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
	found := e != nil && e.fp == tokens.Fingerprint(p) && !tokens.LoggedOut(p)
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
	if p.Type == credentials.TypeUser && p.LoggedInAs != "" && r.Status == credentials.StatusActive {
		// Who is logged in, so a window that learns of a login made by
		// another process shows "Active (alice)", not a bare "Active".
		r.Token = &TokenInfo{Username: p.LoggedInAs, Subject: p.Subject, MFA: p.LoginMFA}
	}
	return r
}

// Token returns a valid token for p: the one kept in memory, else the one
// in the shared token store (obtained by any process), else a new one.
func (m *Manager) Token(ctx context.Context, p credentials.Profile) (*oauth2.Token, error) {
	tok, _, err := m.token(ctx, p, fetchNeed)
	return tok, err
}

// token is Token; cached reports whether no fetch was needed. fetchForce
// skips both caches.
func (m *Manager) token(ctx context.Context, p credentials.Profile, mode fetchMode) (tok *oauth2.Token, cached bool, err error) {
	now := m.s.Clock.Now()
	fp := tokens.Fingerprint(p)
	if sourceLoggedOut(m.s.repo, p, 0) { // derived.go (reads the profiles of exchanges only)
		mode = fetchForce // neither cache: the fetch says to log in to the source
	}
	m.mu.Lock()
	e := m.entries[p.ID]
	if mode != fetchForce && e != nil && e.tok != nil && e.fp == fp && !tokens.LoggedOut(p) &&
		(e.expiry.IsZero() || now.Add(tokens.ExpirySkew).Before(e.expiry)) {
		tok := e.tok
		m.mu.Unlock()
		return tok, true, nil
	}
	m.mu.Unlock()
	if mode != fetchForce {
		if t, ok := m.loadStored(p, now); ok {
			m.adopt(p, t)
			return t.OAuth2(), true, nil
		}
	}
	kind := EventTested
	if e != nil {
		kind = EventRenewed
	}
	tok, _, err = m.refresh(ctx, p, kind, mode)
	return tok, false, err
}

// loadStored returns the shared store's token of p when it is usable now.
func (m *Manager) loadStored(p credentials.Profile, now time.Time) (StoredToken, bool) {
	if m.s.Tokens == nil || p.ID == "" {
		return StoredToken{}, false
	}
	t, ok, err := m.s.Tokens.Load(p.ID)
	if err != nil {
		logWarn(m.s.Log, "cannot read the token store; fetching a new token", "profile", p.Name, "error", err.Error())
		return StoredToken{}, false
	}
	return t, ok && t.Usable(p, now)
}

// saveStored puts a fresh token into the shared store; it returns a warning
// when that failed (the token still works here; other processes fetch their own).
func (m *Manager) saveStored(p credentials.Profile, tok *oauth2.Token, res Result) string {
	if m.s.Tokens == nil || p.ID == "" || tok == nil || tok.AccessToken == "" {
		return ""
	}
	expiry := res.Expiry
	if expiry.IsZero() {
		expiry = tok.Expiry
	}
	if expiry.IsZero() {
		return "" // without an expiry nobody could tell when it goes stale
	}
	t := StoredToken{AccessToken: tok.AccessToken, TokenType: tok.Type(), Expiry: expiry.UTC(),
		ObtainedAt: res.CheckedAt.UTC(), Fingerprint: tokens.Fingerprint(p)}
	if res.Token != nil {
		t.Username = res.Token.Username
	}
	if err := m.s.Tokens.Save(p.ID, t); err != nil {
		logWarn(m.s.Log, "cannot store the token for other processes", "profile", p.Name, "error", err.Error())
		return "The token could not be cached for credctl and other windows (" + err.Error() + "); they fetch their own."
	}
	return ""
}

// adopt makes a token another process stored the profile's current one here.
func (m *Manager) adopt(p credentials.Profile, t StoredToken) Result {
	res := storedResult(p, t)
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed {
		m.storeLocked(p, t.OAuth2(), res, m.genLocked(p.ID))
	}
	return res
}

// Evict drops p's token after an API refused it (401): from memory and from
// the shared store, unless a newer token replaced it there meanwhile.
func (m *Manager) Evict(ctx context.Context, p credentials.Profile, accessToken string) {
	m.mu.Lock()
	if e := m.entries[p.ID]; e != nil && e.tok != nil && e.tok.AccessToken == accessToken {
		m.bumpGenLocked(p.ID)
		if e.stop != nil {
			e.stop()
		}
		delete(m.entries, p.ID)
		m.pruneGenLocked(p.ID)
	}
	m.mu.Unlock()
	if m.s.Tokens == nil {
		return
	}
	unlock, err := m.s.lockProfile(ctx, p.ID)
	if err != nil {
		logWarn(m.s.Log, "cannot evict a refused token", "profile", p.Name, "error", err.Error())
		return
	}
	defer unlock()
	if t, ok, err := m.s.Tokens.Load(p.ID); err == nil && ok && t.AccessToken == accessToken {
		if err := m.s.Tokens.Delete(p.ID); err != nil {
			logWarn(m.s.Log, "cannot evict a refused token", "profile", p.Name, "error", err.Error())
		}
	}
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
	m.storeLocked(p, tok, res, m.bumpGenLocked(p.ID))
}

// Share puts a token obtained elsewhere into the shared store and keeps it
// here (see Put); it returns a warning when the store refused it.
func (m *Manager) Share(p credentials.Profile, tok *oauth2.Token, res Result) string {
	m.Put(p, tok, res)
	return m.saveStored(p, tok, res)
}

// genLocked is id's generation, a fresh one when it has none.
func (m *Manager) genLocked(id string) uint64 {
	if g, ok := m.gens[id]; ok {
		return g
	}
	return m.bumpGenLocked(id)
}

// bumpGenLocked gives id a new generation: whatever holds the old one
// (a fetch in flight, a pending renewal) is stale from now on.
func (m *Manager) bumpGenLocked(id string) uint64 {
	m.seq++
	m.gens[id] = m.seq
	return m.seq
}

// pruneGenLocked drops id's generation once nothing can still compare
// against it: no token kept, no fetch in flight. Generations are never
// reused, so whatever held an older one stays stale.
func (m *Manager) pruneGenLocked(id string) {
	if m.entries[id] == nil && m.flights[id] == nil {
		delete(m.gens, id)
	}
}

// Forget drops the profile's token, stops its renewal, closes its
// connections and makes fetches still in flight stale. It reports whether
// the manager was keeping a token for the profile.
func (m *Manager) Forget(id string) bool {
	m.mu.Lock()
	m.bumpGenLocked(id)
	e := m.entries[id]
	delete(m.entries, id)
	if e != nil && e.stop != nil {
		e.stop()
	}
	m.pruneGenLocked(id)
	m.http.Drop(id)
	m.mu.Unlock()
	return e != nil && e.tok != nil
}

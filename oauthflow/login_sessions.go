package oauthflow

import (
	"context"
	"net/http"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
)

// loginSessions is the login state kept in memory: the pending logins (one
// per profile), the refresh tokens the keyring could not hold, and the
// IdPs' key sets for ID token verification.
type loginSessions struct {
	mu      sync.Mutex
	pending map[string]*pendingLogin
	memRT   map[string]string // by profile ID: kept here only when the keyring refused it
	// keySets holds each profile's IdP key set (by profile ID: one per
	// profile, replaced when its settings change, dropped with the profile).
	keySets map[string]keySetEntry
	// session serializes what changes a profile's refresh token (login,
	// refresh, logout), so a logout cannot race a rotation and leave a
	// fresh refresh token behind. An entry lives while someone holds or
	// waits for it.
	session map[string]*sessionLock
}

type keySetEntry struct {
	key string
	ks  *oidc.RemoteKeySet
}

type sessionLock struct {
	mu   sync.Mutex
	refs int // holders and waiters; guarded by loginSessions.mu
}

type pendingLogin struct{ cancel context.CancelCauseFunc }

func newLoginSessions() *loginSessions {
	return &loginSessions{
		pending: map[string]*pendingLogin{},
		memRT:   map[string]string{},
		keySets: map[string]keySetEntry{},
		session: map[string]*sessionLock{},
	}
}

// lock takes the profile's session lock; the result unlocks it.
func (ls *loginSessions) lock(id string) (unlock func()) {
	ls.mu.Lock()
	l := ls.session[id]
	if l == nil {
		l = &sessionLock{}
		ls.session[id] = l
	}
	l.refs++
	ls.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		ls.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(ls.session, id)
		}
		ls.mu.Unlock()
	}
}

// forget drops what is kept for a deleted profile.
func (ls *loginSessions) forget(id string) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	delete(ls.keySets, id)
	delete(ls.memRT, id)
}

// begin registers a login of profile id, ending an older one of the same
// profile: its listener and browser tab are stale once a new one starts.
func (ls *loginSessions) begin(id string, cancel context.CancelCauseFunc) (end func()) {
	pl := &pendingLogin{cancel: cancel}
	ls.mu.Lock()
	old := ls.pending[id]
	ls.pending[id] = pl
	ls.mu.Unlock()
	if old != nil {
		old.cancel(errSuperseded)
	}
	return func() {
		ls.mu.Lock()
		if ls.pending[id] == pl {
			delete(ls.pending, id)
		}
		ls.mu.Unlock()
	}
}

func (ls *loginSessions) abort(id string) bool {
	ls.mu.Lock()
	pl := ls.pending[id]
	ls.mu.Unlock()
	if pl != nil {
		pl.cancel(errLoginAborted)
	}
	return pl != nil
}

func (ls *loginSessions) memToken(id string) string {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.memRT[id]
}

func (ls *loginSessions) setMemToken(id, rt string) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if rt == "" {
		delete(ls.memRT, id)
	} else {
		ls.memRT[id] = rt
	}
}

// keySet returns the cached JWKS of profile id's IdP as seen through
// client; key names the settings it was made for.
func (ls *loginSessions) keySet(id, key, jwksURL string, client *http.Client) *oidc.RemoteKeySet {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	e, ok := ls.keySets[id]
	if !ok || e.key != key {
		// go-oidc keeps this context for its later key fetches.
		e = keySetEntry{key: key, ks: oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), client), jwksURL)}
		ls.keySets[id] = e
	}
	return e.ks
}

// CancelLogin ends the pending login of a profile (its listener closes at
// once); it reports whether one was pending.
func (s *Service) CancelLogin(nameOrID string) bool {
	p, err := s.repo.Get(nameOrID)
	if err != nil {
		return false
	}
	return s.logins.abort(p.ID)
}

package oauthflow

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/credworkbench/credworkbench/credentials"
)

// WatchPollInterval is how often the profile file is checked where it
// cannot be watched (and, as a safety net, how often anyway).
const WatchPollInterval = time.Second

// watchSafetyInterval re-checks now and then even while watching: a watch
// can miss events (an NFS home, an overflowing event queue).
const watchSafetyInterval = 5 * time.Second

// watchSettle lets a burst of file events (temp file, rename) settle.
const watchSettle = 50 * time.Millisecond

// Watch follows the profile file, its state file and the transports file
// for what other processes (credctl, another window) change: added, edited,
// renamed or deleted profiles and transports, test results, logins, logouts
// and rotated secrets. Each change is published as an event
// like the ones this process's own operations publish, and a token kept in
// memory whose profile changed or was logged out elsewhere is dropped at
// once. It watches the configuration directory with fsnotify, falling back
// to a cheap periodic check where that is not possible. stop ends it.
func (s *Service) Watch(ctx context.Context) (stop func(), err error) {
	path := s.repo.Store.Path()
	dir := filepath.Dir(path)
	// Test results and logins land in the state file, everything else in
	// the profile file; Repo.List merges both, so one snapshot sees both.
	names := map[string]bool{filepath.Base(path): true, filepath.Base(s.repo.Store.StatePath()): true,
		filepath.Base(s.repo.Transports().Path()): true}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	snap, err := snapshot(s.repo)
	if err != nil && !isCorrupt(err) {
		return nil, err
	}
	tsnap := s.Transports().snapshot()
	ctx, cancel := context.WithCancel(ctx)
	var events chan fsnotify.Event
	var errs chan error
	poll := WatchPollInterval
	w, werr := fsnotify.NewWatcher()
	if werr == nil {
		if werr = w.Add(dir); werr == nil {
			events, errs, poll = w.Events, w.Errors, watchSafetyInterval
		} else {
			_ = w.Close()
			w = nil
		}
	}
	if werr != nil {
		logWarn(s.Log, "cannot watch the configuration directory; checking it every second instead", "dir", dir, "error", werr.Error())
	}
	apply := func() {
		s.passes.started.Add(1)
		snap, tsnap = s.applyChanges(snap), s.Transports().applyChanges(tsnap)
		s.passes.finished.Add(1)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if w != nil {
			defer w.Close()
		}
		tick := time.NewTicker(poll)
		defer tick.Stop()
		settle := time.NewTimer(time.Hour)
		settle.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					events = nil
					continue
				}
				if names[filepath.Base(ev.Name)] {
					settle.Reset(watchSettle)
				}
			case err, ok := <-errs:
				if !ok {
					errs = nil
					continue
				}
				logWarn(s.Log, "watching the configuration directory", "error", err.Error())
			case <-settle.C:
				apply()
			case <-tick.C:
				apply()
			}
		}
	}()
	return func() { cancel(); <-done }, nil
}

func isCorrupt(err error) bool {
	var ce *credentials.CorruptError
	return errors.As(err, &ce)
}

func snapshot(repo *credentials.Repository) (map[string]credentials.Profile, error) {
	ps, err := repo.List()
	m := make(map[string]credentials.Profile, len(ps))
	for _, p := range ps {
		m[p.ID] = p
	}
	return m, err
}

// applyChanges compares the profile file with the last snapshot and
// publishes what changed; it returns the new snapshot.
func (s *Service) applyChanges(old map[string]credentials.Profile) map[string]credentials.Profile {
	cur, err := snapshot(s.repo)
	if err != nil {
		// An unreadable file: keep the old view; the next change tells more.
		return old
	}
	now := s.Clock.Now()
	for id, p := range cur {
		o, existed := old[id]
		// A change this process made itself was published when it made
		// it (s.own): announcing it again doubled every event.
		switch {
		case !existed:
			if !s.own.ownSave(p) {
				s.publishSeen(Event{ProfileID: id, Name: p.Name, Kind: EventSaved})
			}
		case o.Revision != p.Revision || o.Name != p.Name || !o.UpdatedAt.Equal(p.UpdatedAt):
			s.mgr.forgetStale(p)
			if !s.own.ownSave(p) {
				s.publishSeen(Event{ProfileID: id, Name: p.Name, Kind: EventSaved})
			}
		case !o.SecretSetAt.Equal(p.SecretSetAt):
			s.mgr.forgetStale(p)
			if s.own.ownRotation(p) {
				continue
			}
			res := s.mgr.currentResult(p, now)
			s.publishSeen(Event{ProfileID: id, Name: p.Name, Kind: EventRotated, Result: &res})
		case lifecycleChanged(o, p): // secrets_conn.go (#26)
			s.publishSeen(Event{ProfileID: id, Name: p.Name, Kind: EventPendingChanged})
		case o.Bookkeeping != p.Bookkeeping:
			s.mgr.forgetStale(p)
			if s.mgr.fetchedHere(p) || s.own.ownResult(p) {
				// This process's own test, renewal, login or logout,
				// already published when it was recorded.
				continue
			}
			res := s.mgr.currentResult(p, now)
			kind := EventTested
			switch {
			case p.LastStatus == credentials.StatusLoggedOut && o.LastStatus != credentials.StatusLoggedOut:
				kind = EventLoggedOut
			case !p.LoginAt.IsZero() && !p.LoginAt.Equal(o.LoginAt):
				kind = EventLoggedIn
			case res.Status == credentials.StatusFailed:
				kind = EventFailed
			}
			s.publishSeen(Event{ProfileID: id, Name: p.Name, Kind: kind, Result: &res})
		}
	}
	for id, o := range old {
		if _, ok := cur[id]; !ok {
			s.mgr.Forget(id)
			s.logins.forget(id)
			if !s.own.ownDeletion(id) {
				s.publishSeen(Event{ProfileID: id, Name: o.Name, Kind: EventDeleted})
			}
		}
	}
	return cur
}

// currentResult is the profile's state after a change elsewhere: this
// process's own result while it is the newer one, else what was recorded.
func (m *Manager) currentResult(p credentials.Profile, now time.Time) Result {
	r := m.Status(p)
	if p.LastChecked.After(r.CheckedAt) {
		return recordedResult(p, now)
	}
	return r
}

// fetchedHere reports whether p's recorded state is the outcome of a fetch
// this process made (kept in m.entries, published by Manager.finish): the
// same check time and status.
func (m *Manager) fetchedHere(p credentials.Profile) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.entries[p.ID]
	return e != nil && e.fp == profileFingerprint(p) && !loggedOut(p) &&
		!p.LastChecked.IsZero() && e.result.CheckedAt.Equal(p.LastChecked) && e.result.Status == p.LastStatus
}

// forgetStale drops p's in-memory token when it belongs to another state of
// the profile (edited, secret rotated, logged in or out elsewhere).
func (m *Manager) forgetStale(p credentials.Profile) {
	m.mu.Lock()
	e := m.entries[p.ID]
	stale := e != nil && (e.fp != profileFingerprint(p) || loggedOut(p))
	m.mu.Unlock()
	if stale {
		m.Forget(p.ID)
	}
}

// LiveOptions tune BringLive.
type LiveOptions struct {
	// TestApplications tests every Application profile.
	TestApplications bool
	// Concurrency bounds the requests to IdPs (0 = DefaultTestAllConcurrency).
	Concurrency int
}

// BringLive brings every profile to its live state, as a workbench does
// when it opens: Application profiles are tested (when opt says so) and
// User profiles with a stored session are restored through their refresh
// token (or a token another process stored), at most opt.Concurrency at a
// time. Outcomes arrive as events; the results are returned in no
// particular order once all are in.
func (s *Service) BringLive(ctx context.Context, opt LiveOptions) []Result {
	ps, err := s.repo.List()
	if err != nil {
		return nil
	}
	var jobs []liveJob
	for _, p := range ps {
		switch {
		case p.Type == credentials.TypeApplication && opt.TestApplications:
			jobs = append(jobs, liveJob{p: p, kind: EventTested, mode: fetchForce})
		case p.Type == credentials.TypeUser && s.logins.hasSession(s.repo.Secrets, p):
			jobs = append(jobs, liveJob{p: p, kind: EventRenewed, mode: fetchNeed})
		}
	}
	// As "Test all": the outcomes are recorded in a few batches, not one
	// state-file write (and one re-read by every watching process) per
	// profile, which at 1,000 profiles kept the workbench busy for seconds
	// after it opened.
	return s.mgr.runAll(ctx, jobs, opt.Concurrency)
}

// hasSession reports whether a User profile has a session to restore.
func (l *loginSessions) hasSession(secrets *credentials.Secrets, p credentials.Profile) bool {
	if loggedOut(p) {
		return false
	}
	if l.memToken(p.ID) != "" {
		return true
	}
	_, err := secrets.Get(p.ID, credentials.RefreshToken)
	return err == nil
}

// ownWrites remembers the profile states this process wrote and announced
// itself, so its own watcher (the workbench watches the store it writes)
// does not announce them a second time: every Save, test and rotation was
// otherwise "saved" or "failed" twice in the event history.
// watchPasses counts the watcher's passes over the files, so a test can
// wait for one that began after a write instead of sleeping.
type watchPasses struct{ started, finished atomic.Uint64 }

type ownWrites struct {
	mu    sync.Mutex
	marks map[string]ownMark // by profile ID
}

// ownMark is the last state of a profile this process announced.
type ownMark struct {
	revision  int       // a Save or an import: Revision and UpdatedAt
	updated   time.Time //
	secretSet time.Time // a rotation: SecretSetAt
	checked   time.Time // an outcome: LastChecked and LastStatus
	status    credentials.Status
	deleted   bool
}

func (o *ownWrites) note(id string, f func(*ownMark)) {
	if id == "" {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.marks == nil {
		o.marks = map[string]ownMark{}
	}
	m := o.marks[id]
	f(&m)
	o.marks[id] = m
}

// noteSaved: p as a Save or an import of this process wrote it.
func (o *ownWrites) noteSaved(p credentials.Profile) {
	o.note(p.ID, func(m *ownMark) { m.revision, m.updated, m.deleted = p.Revision, p.UpdatedAt, false })
}

// noteResult: an outcome this process recorded (applyResult writes its
// CheckedAt and Status) and published.
func (o *ownWrites) noteResult(id string, r Result) {
	o.note(id, func(m *ownMark) { m.checked, m.status = r.CheckedAt.UTC(), r.Status })
}

func (o *ownWrites) noteRotated(p credentials.Profile) {
	o.note(p.ID, func(m *ownMark) { m.secretSet = p.SecretSetAt })
}

func (o *ownWrites) noteDeleted(id string) { o.note(id, func(m *ownMark) { m.deleted = true }) }

func (o *ownWrites) mark(id string) (ownMark, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	m, ok := o.marks[id]
	return m, ok
}

// ownSave reports whether p's revision is one this process saved.
func (o *ownWrites) ownSave(p credentials.Profile) bool {
	m, ok := o.mark(p.ID)
	return ok && m.revision == p.Revision && m.updated.Equal(p.UpdatedAt)
}

func (o *ownWrites) ownRotation(p credentials.Profile) bool {
	m, ok := o.mark(p.ID)
	return ok && !m.secretSet.IsZero() && m.secretSet.Equal(p.SecretSetAt)
}

func (o *ownWrites) ownResult(p credentials.Profile) bool {
	m, ok := o.mark(p.ID)
	return ok && !m.checked.IsZero() && m.checked.Equal(p.LastChecked) && m.status == p.LastStatus
}

// ownDeletion reports (once) whether this process deleted id.
func (o *ownWrites) ownDeletion(id string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	m, ok := o.marks[id]
	delete(o.marks, id)
	return ok && m.deleted
}

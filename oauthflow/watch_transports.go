package oauthflow

import (
	"github.com/credworkbench/credworkbench/credentials"
)

// Transports share ownWrites' marks with profiles: their IDs are random
// and never collide with a profile's.

func (o *ownWrites) noteTransport(t credentials.Transport) {
	o.note(t.ID, func(m *ownMark) { m.revision, m.updated, m.deleted = t.Revision, t.UpdatedAt, false })
}

func (o *ownWrites) noteTransportDeleted(id string) { o.noteDeleted(id) }

func (o *ownWrites) ownTransportSave(t credentials.Transport) bool {
	m, ok := o.mark(t.ID)
	return ok && m.revision == t.Revision && m.updated.Equal(t.UpdatedAt)
}

// snapshot is the saved transports by ID; nil when the file cannot
// be read (the last view is then kept).
func (t *Transports) snapshot() map[string]credentials.Transport {
	s := t.s
	ts, err := s.repo.Transports().List()
	if err != nil {
		return nil
	}
	m := make(map[string]credentials.Transport, len(ts))
	for _, t := range ts {
		m[t.ID] = t
	}
	return m
}

// applyChanges publishes what another process changed in the
// transports file since old: added, edited or deleted transports. A run's
// record (last outcome, notices) is not an edit and is not announced.
func (t *Transports) applyChanges(old map[string]credentials.Transport) map[string]credentials.Transport {
	s := t.s
	cur := t.snapshot()
	if cur == nil {
		return old
	}
	now := s.Clock.Now()
	for id, t := range cur {
		o, existed := old[id]
		if existed && o.Revision == t.Revision && o.Name == t.Name && o.UpdatedAt.Equal(t.UpdatedAt) {
			continue
		}
		if !s.own.ownTransportSave(t) {
			s.publishSeen(transportEvent(EventTransportSaved, t, now))
		}
	}
	for id, o := range old {
		if _, ok := cur[id]; !ok && !s.own.ownDeletion(id) {
			s.publishSeen(transportEvent(EventTransportDeleted, o, now))
		}
	}
	return cur
}

package oauthflow

import (
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// The store-wide operations both front ends use, so each publishes its
// events and no caller needs Service.Repo to reach the file or the keyring.

// EventKeyring reports a keyring that does not work (Result.Failure says why).
const EventKeyring EventKind = "keyring"

// Profile finds a profile by name (case-insensitive) or ID.
func (s *Service) Profile(nameOrID string) (credentials.Profile, error) { return s.repo.Get(nameOrID) }

// Profiles lists every profile in name order.
func (s *Service) Profiles() ([]credentials.Profile, error) { return s.repo.List() }

// View lists the profiles for reading only (no copies made for editing):
// the fast path of listings.
func (s *Service) View() ([]credentials.Profile, error) { return s.repo.View() }

// StorePath is the profile file.
func (s *Service) StorePath() string { return s.repo.Store.Path() }

// ParseImport reads an import file of either shape (an export, or a
// client-registration array completed with def) and checks each entry
// against the profiles there are.
func (s *Service) ParseImport(data []byte, def credentials.ImportDefaults) ([]credentials.ImportEntry, error) {
	existing, err := s.repo.List()
	if err != nil {
		return nil, err
	}
	return credentials.ParseImport(data, existing, def)
}

// Import adds the valid entries (all or nothing unless skipInvalid) and
// publishes a Saved event for each profile added.
func (s *Service) Import(entries []credentials.ImportEntry, skipInvalid bool) (credentials.ImportSummary, error) {
	sum, err := s.repo.Import(entries, skipInvalid)
	if err != nil {
		return sum, err
	}
	// All noted before the first is announced: the watcher must not
	// announce the rest a second time meanwhile.
	byName := map[string]credentials.Profile{}
	if ps, err := s.repo.List(); err == nil {
		for _, p := range ps {
			byName[strings.ToLower(p.Name)] = p
		}
	}
	for _, name := range sum.Added {
		s.own.noteSaved(byName[strings.ToLower(name)])
	}
	for _, name := range sum.Added {
		s.publish(Event{ProfileID: byName[strings.ToLower(name)].ID, Name: name, Kind: EventSaved})
	}
	return sum, nil
}

// StartFresh sets a corrupt profile file aside (kept names the copy) and
// starts with an empty list; every token kept in memory is dropped.
func (s *Service) StartFresh() (kept string, err error) {
	before, _ := s.repo.List() // a corrupt file lists nothing
	for _, p := range before {
		s.own.noteDeleted(p.ID)
	}
	kept, err = s.repo.Store.StartFresh()
	if err != nil {
		return kept, err
	}
	s.mgr.forgetAll()
	for _, p := range before {
		s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventDeleted})
	}
	s.publish(Event{Kind: EventSaved})
	return kept, nil
}

// CheckKeyring asks the OS keyring whether it answers; a failure is also
// published (EventKeyring) so every view can say so.
func (s *Service) CheckKeyring() error {
	err := s.repo.Secrets.Check()
	if err != nil {
		f := failure.Classify(err)
		s.publish(Event{Kind: EventKeyring, Result: &Result{Status: credentials.StatusFailed, Failure: f, CheckedAt: s.Clock.Now()}})
	}
	return err
}

// forgetAll drops every kept token.
func (m *Manager) forgetAll() {
	m.mu.Lock()
	ids := make([]string, 0, len(m.entries))
	for id := range m.entries {
		ids = append(ids, id)
	}
	m.mu.Unlock()
	for _, id := range ids {
		m.Forget(id)
	}
}

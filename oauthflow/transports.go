package oauthflow

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
)

// Transports is the one way to the saved API calls (transports.json): both
// front ends save, delete, import and run them here, so every write is
// announced to subscribers (and, through Watch, to the other processes).
type Transports struct{ s *Service }

// Transports returns the operations on the saved transports.
func (s *Service) Transports() *Transports { return &Transports{s: s} }

func (t *Transports) store() *credentials.TransportStore { return t.s.repo.Transports() }

// Path is the transports file.
func (t *Transports) Path() string { return t.store().Path() }

// List returns every saved transport, sorted as the tree shows them.
func (t *Transports) List() ([]credentials.Transport, error) { return t.store().List() }

// Get finds a transport by name or ID.
func (t *Transports) Get(nameOrID string) (credentials.Transport, error) {
	return t.store().Get(nameOrID)
}

// Using returns the transports whose credential is the profile.
func (t *Transports) Using(profileNameOrID string) ([]credentials.Transport, error) {
	p, err := t.s.repo.Get(profileNameOrID)
	if err != nil {
		return nil, err
	}
	return t.store().Using(p.ID)
}

// Save validates tr against the stored transports and profiles and stores
// it (a new one has no ID; an edited one carries the Revision it was read
// at, else credentials.ErrTransportConflict).
func (t *Transports) Save(tr credentials.Transport) (credentials.Transport, error) {
	ps, err := t.s.repo.List()
	if err != nil {
		return credentials.Transport{}, err
	}
	saved, err := t.store().Save(tr, ps)
	if err != nil {
		return saved, err
	}
	t.s.own.noteTransport(saved)
	t.s.publish(transportEvent(EventTransportSaved, saved, t.s.Clock.Now()))
	return saved, nil
}

// Delete removes a transport.
func (t *Transports) Delete(nameOrID string) error {
	tr, err := t.store().Get(nameOrID)
	if err != nil {
		return err
	}
	t.s.own.noteTransportDeleted(tr.ID)
	if err := t.store().Delete(tr.ID); err != nil {
		return err
	}
	t.s.publish(transportEvent(EventTransportDeleted, tr, t.s.Clock.Now()))
	return nil
}

// ParseImport reads the transports of an import file against the stored
// transports and profiles; fromFile names the profiles the same import adds
// (credentials.ImportedFromFile).
func (t *Transports) ParseImport(data []byte, fromFile map[string]string) ([]credentials.TransportImportEntry, error) {
	existing, err := t.List()
	if err != nil {
		return nil, err
	}
	ps, err := t.s.repo.List()
	if err != nil {
		return nil, err
	}
	return credentials.ParseTransportImport(data, credentials.TransportImportContext{Existing: existing, Profiles: ps, FromFile: fromFile})
}

// Import stores parsed transports and announces each one imported.
func (t *Transports) Import(entries []credentials.TransportImportEntry, opt credentials.TransportImportOptions) (credentials.ImportSummary, error) {
	sum, err := t.store().ImportTransports(entries, opt)
	if err != nil {
		return sum, err
	}
	ts, lerr := t.List()
	if lerr != nil {
		return sum, nil // imported; the announcement waits for the watcher
	}
	now := t.s.Clock.Now()
	for _, name := range sum.Added {
		for _, tr := range ts {
			if tr.Name == name {
				t.s.own.noteTransport(tr)
				t.s.publish(transportEvent(EventTransportSaved, tr, now))
			}
		}
	}
	return sum, nil
}

// Run runs a saved transport, records the outcome on it and logs it.
func (t *Transports) Run(ctx context.Context, nameOrID string, opt RunOptions) (*RunResult, error) {
	return t.runTransport(ctx, nameOrID, opt)
}

// RunUnsaved sends a transport that is not saved (the editor's Try):
// nothing is recorded.
func (t *Transports) RunUnsaved(ctx context.Context, tr credentials.Transport, opt RunOptions) *RunResult {
	return t.run(ctx, tr, opt)
}

// Client returns an *http.Client that calls with a saved transport's
// credential (see transport_client.go).
func (t *Transports) Client(ctx context.Context, nameOrID string) (*http.Client, error) {
	return t.transportClient(ctx, nameOrID)
}

func transportEvent(kind EventKind, tr credentials.Transport, at time.Time) Event {
	return Event{Kind: kind, Transport: tr.Name, TransportID: tr.ID, Time: at.UTC()}
}

// DeleteOptions tune Service.Delete.
type DeleteOptions struct {
	// Force deletes a profile that transports use; they then have no
	// credential (a run says so) until another one is picked.
	Force bool
}

// InUseError is the one rule for deleting a profile that transports use:
// both front ends get it from Service.Delete (or InUse, to ask first) and
// delete only with DeleteOptions.Force once the user agreed.
type InUseError struct {
	Profile    string   // the profile's name
	Transports []string // the names of the transports using it
	Derived    []string // the profiles exchanging its token (derived_inuse.go)
}

func (e *InUseError) Error() string {
	if len(e.Derived) > 0 {
		return e.derivedError()
	}
	return fmt.Sprintf("profile %q is the credential of transport(s) %s; delete it anyway only if they may have no credential, or pick another credential for them first", e.Profile, e.List())
}

// List is the transports' names, quoted and comma-separated.
func (e *InUseError) List() string {
	names := make([]string, len(e.Transports))
	for i, n := range e.Transports {
		names[i] = strconv.Quote(n)
	}
	return strings.Join(names, ", ")
}

// InUse reports whether transports use the profile: nil when none do.
func (s *Service) InUse(nameOrID string) (*InUseError, error) {
	p, err := s.repo.Get(nameOrID)
	if err != nil {
		return nil, err
	}
	using, err := s.repo.Transports().Using(p.ID)
	derived := derivedUsing(s, p.ID)
	if err != nil || len(using)+len(derived) == 0 {
		return nil, err
	}
	e := &InUseError{Profile: p.Name, Derived: derived}
	for _, t := range using {
		e.Transports = append(e.Transports, t.Name)
	}
	return e, nil
}

package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// TransportSchemaVersion is the version of the transports file this build writes.
const TransportSchemaVersion = 1

// ErrTransportNotFound means no transport has the given name or ID.
var ErrTransportNotFound = fmt.Errorf("transport %w", ErrNotFound)

// ErrTransportConflict means the transport was changed by someone else since it was read.
var ErrTransportConflict = errors.New("the transport was changed elsewhere (another window or credctl); reload it and make your change again")

// TransportFileName is the file next to profiles.json.
const TransportFileName = "transports.json"

type transportFile struct {
	SchemaVersion int         `json:"schemaVersion"`
	Transports    []Transport `json:"transports"`
}

// TransportStore keeps transports in one JSON file next to the profiles,
// with the profile store's guarantees: every write under an exclusive lock
// file on a fresh read, atomic replace, a corrupt or newer file kept and
// never overwritten.
type TransportStore struct {
	path string
	file *jsonFile[[]Transport] // not cached: callers change what they list
	mu   sync.Mutex             // serialises this process's writers before the file lock
	now  func() time.Time
}

// NewTransportStore returns a store for the given file path.
func NewTransportStore(path string) *TransportStore { return newTransportStore(path, nil) }

func newTransportStore(path string, now func() time.Time) *TransportStore {
	return &TransportStore{path: path, now: now, file: &jsonFile[[]Transport]{path: path, kind: "transport",
		decode: decodeTransports, finish: finishTransports, encode: encodeTransports}}
}

// Transports is the transport store next to the repository's profile file.
func (r *Repository) Transports() *TransportStore {
	return newTransportStore(filepath.Join(filepath.Dir(r.Store.Path()), TransportFileName), r.now)
}

// Path is the transports file.
func (s *TransportStore) Path() string { return s.path }

func (s *TransportStore) clock() time.Time {
	if s.now != nil {
		return s.now().UTC()
	}
	return time.Now().UTC()
}

// List returns all transports sorted by name. A missing file is an empty store.
func (s *TransportStore) List() ([]Transport, error) { return s.parse() }

// Get returns the transport whose ID or name (ignoring case) matches.
func (s *TransportStore) Get(nameOrID string) (Transport, error) {
	ts, err := s.parse()
	if err != nil {
		return Transport{}, err
	}
	return findTransport(ts, nameOrID)
}

func findTransport(ts []Transport, nameOrID string) (Transport, error) {
	for _, t := range ts {
		if t.ID == nameOrID {
			return t, nil
		}
	}
	for _, t := range ts {
		if SameName(t.Name, nameOrID) {
			return t, nil
		}
	}
	return Transport{}, fmt.Errorf("%w: %q", ErrTransportNotFound, nameOrID)
}

// Using returns the transports whose credential is the given profile.
func (s *TransportStore) Using(profileID string) ([]Transport, error) {
	ts, err := s.parse()
	if err != nil {
		return nil, err
	}
	var out []Transport
	for _, t := range ts {
		if t.Authorization == AuthCredential && t.ProfileID == profileID {
			out = append(out, t)
		}
	}
	return out, nil
}

// Save validates t against the other transports and the given profiles and
// stores it. A new transport has an empty ID; an existing one must carry the
// Revision it was read at, or ErrTransportConflict is returned.
func (s *TransportStore) Save(t Transport, profiles []Profile) (Transport, error) {
	t.Normalize()
	t.ProfileName = ""
	if t.Authorization == AuthNone {
		t.ProfileID, t.TokenIn = "", TokenInHeader
	}
	var saved Transport
	err := s.Update(func(ts []Transport) ([]Transport, error) {
		if err := ValidateTransport(t, TransportValidateOptions{Others: ts, Profiles: profiles}); err != nil {
			return nil, err
		}
		now := s.clock()
		next := t
		idx := -1
		if t.ID != "" {
			for i := range ts {
				if ts[i].ID == t.ID {
					idx = i
				}
			}
			if idx < 0 {
				return nil, fmt.Errorf("%w: %q was deleted elsewhere; reload", ErrTransportNotFound, t.Name)
			}
			cur := ts[idx]
			if cur.Revision != t.Revision {
				return nil, ErrTransportConflict
			}
			next.TransportBookkeeping = cur.TransportBookkeeping
			if !sameTransportConfig(cur, t) {
				next.LastRun = RunRecord{} // the old outcome says nothing about the new call
			}
		} else {
			next.ID = newID()
			next.CreatedAt = now
		}
		next.Revision++
		next.UpdatedAt = now
		if idx >= 0 {
			ts[idx] = next
		} else {
			ts = append(ts, next)
		}
		saved = next
		return ts, nil
	})
	return saved, err
}

func sameTransportConfig(a, b Transport) bool {
	x, _ := json.Marshal(a.Config())
	y, _ := json.Marshal(b.Config())
	return string(x) == string(y)
}

// Delete removes a transport.
func (s *TransportStore) Delete(nameOrID string) error {
	return s.Update(func(ts []Transport) ([]Transport, error) {
		t, err := findTransport(ts, nameOrID)
		if err != nil {
			return nil, err
		}
		out := ts[:0]
		for _, q := range ts {
			if q.ID != t.ID {
				out = append(out, q)
			}
		}
		return out, nil
	})
}

// Record stores the outcome of a run without touching the configuration or
// revision, so it never conflicts with an edit. A transport deleted
// meanwhile is skipped.
func (s *TransportStore) Record(id string, rec RunRecord) error {
	return s.Update(func(ts []Transport) ([]Transport, error) {
		for i := range ts {
			if ts[i].ID == id {
				ts[i].LastRun = rec
			}
		}
		return ts, nil
	})
}

// Update runs fn on the current transports under the file lock and writes
// what it returns; nothing is written when fn fails.
func (s *TransportStore) Update(fn func([]Transport) ([]Transport, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.file.update(fn)
}

func (s *TransportStore) parse() ([]Transport, error) {
	ts, _, err := s.file.load(true)
	return ts, err
}

// decodeTransports is the transports file's content.
func decodeTransports(b []byte) ([]Transport, error) {
	var d transportFile
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, describeJSONError(b, err)
	}
	if err := checkSchema(d.SchemaVersion, TransportSchemaVersion, "transports file"); err != nil {
		return nil, err
	}
	return d.Transports, nil
}

// finishTransports normalises and sorts what the file held.
func finishTransports(ts []Transport) []Transport {
	for i := range ts {
		ts[i].Normalize()
	}
	sortTransports(ts)
	return ts
}

// StartFresh moves a broken transports file aside (kept) and writes an empty one.
func (s *TransportStore) StartFresh() (kept string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.file.startFresh(nil)
}

func encodeTransports(ts []Transport) ([]byte, error) {
	sortTransports(ts)
	if ts == nil {
		ts = []Transport{}
	}
	for i := range ts {
		ts[i].ProfileName = "" // names are for exports; the file links by ID
	}
	b, err := json.MarshalIndent(transportFile{SchemaVersion: TransportSchemaVersion, Transports: ts}, "", "  ")
	return append(b, '\n'), err
}

func sortTransports(ts []Transport) {
	sort.SliceStable(ts, func(i, j int) bool {
		return strings.ToLower(ts[i].Name) < strings.ToLower(ts[j].Name)
	})
}

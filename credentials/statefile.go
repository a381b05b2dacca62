package credentials

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"time"
)

// StateSchemaVersion is the version of the state file this build writes.
const StateSchemaVersion = 1

// State is the outcome part of a profile's bookkeeping: what tests, logins
// and renewals find out. It changes far more often than the profile
// definitions (every test result), so it lives in a small file of its own
// beside the profile file: recording a result does not rewrite thousands of
// definitions. Revision ties an entry to the profile revision it was found
// for; an entry of an older revision is ignored (the settings changed).
type State struct {
	Revision     int       `json:"revision"`
	LastStatus   Status    `json:"lastStatus,omitempty"`
	LastError    string    `json:"lastError,omitempty"`
	LastCategory string    `json:"lastCategory,omitempty"`
	LastChecked  time.Time `json:"lastChecked,omitzero"`
	TokenExpiry  time.Time `json:"tokenExpiry,omitzero"`
	LoggedInAs   string    `json:"loggedInAs,omitempty"`
	Subject      string    `json:"subject,omitempty"`
	LoginAt      time.Time `json:"loginAt,omitzero"`
	LoginMFA     string    `json:"loginMfa,omitempty"`
}

// stateOf is the state part of b.
func stateOf(b Bookkeeping) State {
	return State{Revision: b.Revision, LastStatus: b.LastStatus, LastError: b.LastError, LastCategory: b.LastCategory,
		LastChecked: b.LastChecked, TokenExpiry: b.TokenExpiry, LoggedInAs: b.LoggedInAs, Subject: b.Subject, LoginAt: b.LoginAt,
		LoginMFA: b.LoginMFA}
}

// apply puts st into b.
func (st State) apply(b *Bookkeeping) {
	b.LastStatus, b.LastError, b.LastCategory = st.LastStatus, st.LastError, st.LastCategory
	b.LastChecked, b.TokenExpiry, b.LoggedInAs, b.Subject, b.LoginAt = st.LastChecked, st.TokenExpiry, st.LoggedInAs, st.Subject, st.LoginAt
	b.LoginMFA = st.LoginMFA
}

// stateFileData is the state file's shape: entries by profile ID.
type stateFileData struct {
	SchemaVersion int              `json:"schemaVersion"`
	Profiles      map[string]State `json:"profiles"`
}

// StatePath is the state file of a profile file: state.json beside
// profiles.json (NAME.state.json beside any other NAME.json).
func StatePath(profilePath string) string {
	dir, base := filepath.Split(profilePath)
	if base == "profiles.json" {
		return filepath.Join(dir, "state.json")
	}
	return filepath.Join(dir, strings.TrimSuffix(base, ".json")+".state.json")
}

// StateWrites is how many times this Store wrote the state file: the
// benchmarks and tests check that bulk tests write it in a few batches.
func (s *Store) StateWrites() uint64 { return s.stateWrites.Load() }

// StatePath is the file that holds the profiles' test results.
func (s *Store) StatePath() string { return StatePath(s.path) }

// overlay merges the state entries into ps. An entry counts when it belongs
// to the profile's current revision and is not older than what the profile
// file itself holds (a release without the state file, run in between,
// records its results there).
func overlay(ps []Profile, st map[string]State) {
	if len(st) == 0 {
		return
	}
	for i := range ps {
		e, ok := st[ps[i].ID]
		if ok && e.Revision == ps[i].Revision && !e.LastChecked.Before(ps[i].LastChecked) {
			e.apply(&ps[i].Bookkeeping)
			if ps[i].LastStatus == "" {
				ps[i].LastStatus = StatusUntested
			}
		}
	}
}

// errNewerState is a state file of a newer release: it is read as empty and
// never overwritten (that would drop what the newer release keeps there).
var errNewerState = errors.New("the state file was written by a newer Credential Workbench; update the app to record test results")

// decodeState is the state file's content. A broken state file is kept
// aside and reads as empty (the file is lenient): it only holds results,
// which the next test finds again, and the profile file still has the last
// saved ones.
func decodeState(b []byte) (map[string]State, error) {
	var d stateFileData
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, err
	}
	if d.SchemaVersion < 1 {
		return nil, errors.New("it has no valid schemaVersion")
	}
	if d.SchemaVersion > StateSchemaVersion {
		return nil, nil // a newer release's: read as empty, never replaced (stateIsNewer)
	}
	return d.Profiles, nil
}

func encodeState(st map[string]State) ([]byte, error) {
	b, err := json.Marshal(stateFileData{SchemaVersion: StateSchemaVersion, Profiles: st})
	return append(b, '\n'), err
}

// stateIsNewer reports whether the state file belongs to a newer release.
func (s *Store) stateIsNewer() bool {
	b, err := readStoreFile(s.StatePath(), "state file")
	if err != nil {
		return false
	}
	var d struct {
		SchemaVersion int `json:"schemaVersion"`
	}
	return json.Unmarshal(b, &d) == nil && d.SchemaVersion > StateSchemaVersion
}

// UpdateState runs fn on the current profiles under the state file's lock
// and records the outcome fields of their bookkeeping (status, last error
// and check, token expiry, logged-in user, login time) in the state file;
// fn's other changes are not kept. Only the small state file is written
// (atomically, with fsync), never the profile definitions, so a test result
// neither rewrites thousands of profiles nor conflicts with an edit. Entries
// of deleted profiles are dropped on the way.
func (s *Store) UpdateState(fn func([]Profile) error) error {
	// A broken or unsafe profile file refuses the write before anything,
	// even the lock file, is created (cheap: the parse is cached).
	if _, _, err := s.loadBoth(false, false); err != nil {
		return err
	}
	return s.states.locked(func() error { return s.updateStateLocked(fn) })
}

func (s *Store) updateStateLocked(fn func([]Profile) error) error {
	if s.stateIsNewer() {
		return errNewerState
	}
	// The profile definitions come from the cache when the file did not
	// change: their revisions only decide which entries still count.
	raw, st, err := s.loadBoth(false, true)
	if err != nil {
		return err
	}
	ps := append([]Profile(nil), raw...)
	overlay(ps, st)
	if err := fn(ps); err != nil {
		return err
	}
	inline := make(map[string]State, len(raw))
	for _, p := range raw {
		inline[p.ID] = stateOf(p.Bookkeeping)
	}
	// Only what differs from the profile file is kept: the file stays as
	// small as the number of profiles tested since they were last saved.
	out := make(map[string]State)
	for _, p := range ps {
		old, ok := inline[p.ID]
		if !ok {
			continue
		}
		cur := stateOf(p.Bookkeeping)
		cur.Revision = old.Revision // the revision is the profile file's, never fn's
		if cur != old {
			out[p.ID] = cur
		}
	}
	return s.writeState(out)
}

func (s *Store) writeState(st map[string]State) error {
	if s.failWrite != nil {
		if err := s.failWrite(); err != nil {
			return err
		}
	}
	if err := s.states.write(st); err != nil {
		return err
	}
	s.stateWrites.Add(1)
	return nil
}

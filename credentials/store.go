package credentials

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// SchemaVersion is the version of the metadata file this build writes.
const SchemaVersion = 1

// ErrConflict means the profile was changed by someone else since it was read.
var ErrConflict = errors.New("the profile was changed elsewhere (another window or credctl); reload it and make your change again")

// ErrNotFound means no profile has the given name or ID.
var ErrNotFound = errors.New("profile not found")

// CorruptError says the metadata file cannot be used. The store refuses to
// write until the user decides what to do (see Store.StartFresh).
type CorruptError struct {
	Path   string
	Backup string // a copy of the broken file, kept for the user; "" if none could be made
	Err    error
	// Kind names what the file holds, "profile" (the default) or "transport".
	Kind string
}

func (e *CorruptError) Error() string {
	kind := e.Kind
	if kind == "" {
		kind = "profile"
	}
	msg := fmt.Sprintf("the %s file %s cannot be read: %v", kind, e.Path, e.Err)
	if e.Backup != "" {
		msg += fmt.Sprintf("; a copy was kept at %s", e.Backup)
	}
	return msg + fmt.Sprintf(". Nothing will be written until you repair the file or choose to start with an empty %s list", kind)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// fileData is the on-disk shape.
type fileData struct {
	SchemaVersion int       `json:"schemaVersion"`
	Profiles      []Profile `json:"profiles"`
}

// Store keeps profile metadata in one JSON file. Every write happens under an
// exclusive lock file and re-reads the file first, so two processes editing
// different profiles both keep their edits; writes are atomic (temp file,
// fsync, rename), so a crash leaves the old or the new file, never a mix.
type Store struct {
	path string

	// The profile file and the state file (statefile.go), each with its
	// last parsed content, reused while the file is the same one: the
	// token manager reads the store on every renewal, and with thousands of
	// profiles parsing would dominate.
	profiles *jsonFile[[]Profile]
	states   *jsonFile[map[string]State]

	// mu serialises parses (one parse serves every reader waiting) and
	// guards the merged view.
	mu sync.Mutex
	// merged is the profiles overlaid with state (shared, read-only), valid
	// while both files are the ones described by mergedProf and mergedState.
	merged      []Profile
	mergedProf  os.FileInfo
	mergedState os.FileInfo
	// stateWrites counts state-file writes (StateWrites).
	stateWrites atomic.Uint64

	// failWrite, when set (tests only), makes writes fail, e.g. a full disk.
	failWrite func() error
}

// DefaultStorePath is os.UserConfigDir()/credworkbench/profiles.json
// (XDG_CONFIG_HOME relocates it).
func DefaultStorePath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the user configuration directory: %w", err)
	}
	return filepath.Join(dir, "credworkbench", "profiles.json"), nil
}

// NewStore returns a store for the given file path. Nothing is touched yet.
func NewStore(path string) *Store {
	s := &Store{path: path}
	s.profiles = &jsonFile[[]Profile]{path: path, kind: "profile", cached: true,
		decode: decodeProfiles, stream: s.parseStreaming, finish: finishProfiles, encode: encodeProfiles}
	s.states = &jsonFile[map[string]State]{path: StatePath(path), kind: "state", cached: true, lenient: true,
		decode: decodeState, encode: encodeState}
	return s
}

// Path is the metadata file.
func (s *Store) Path() string { return s.path }

// List returns all profiles sorted by name. A missing file is an empty store.
func (s *Store) List() ([]Profile, error) {
	return s.read()
}

// View returns all profiles sorted by name like List, but shared with the
// store's cache instead of copied: the caller must not change them (copy a
// profile before changing it). For readers of many profiles (the
// workbench's table, credctl list), which then skip an 8 MB copy at 10,000
// profiles.
func (s *Store) View() ([]Profile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.viewLocked()
}

// Get returns the profile whose name (case-insensitive) or ID matches.
func (s *Store) Get(nameOrID string) (Profile, error) {
	// Found in the shared merged view, without copying every profile: the
	// token manager calls this on every renewal.
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.viewLocked()
	if err != nil {
		return Profile{}, err
	}
	return find(v, nameOrID)
}

func find(ps []Profile, nameOrID string) (Profile, error) {
	var byID, byName *Profile
	for i := range ps {
		if ps[i].ID == nameOrID {
			byID = &ps[i]
			break
		}
	}
	if byID != nil && LooksLikeID(nameOrID) {
		// Only a name of 16 ASCII hex digits (plus spaces) can equal an
		// ID-shaped string; the length test keeps this scan cheap.
		for i := range ps {
			if len(ps[i].Name) >= len(nameOrID) && SameName(ps[i].Name, nameOrID) {
				byName = &ps[i]
				break
			}
		}
	} else if byID == nil {
		for i := range ps {
			if SameName(ps[i].Name, nameOrID) {
				byName = &ps[i]
				break
			}
		}
	}
	switch {
	case byID != nil && byName != nil && byID.ID != byName.ID:
		// Only a hand-edited file has such a name (Validate refuses it):
		// guessing could act on the wrong profile.
		return Profile{}, fmt.Errorf("%q is both the ID of profile %q and the name of another profile: rename that "+
			"one (names must not look like IDs) and try again", nameOrID, byID.Name)
	case byID != nil:
		return *byID, nil
	case byName != nil:
		return *byName, nil
	}
	return Profile{}, fmt.Errorf("%w: %q", ErrNotFound, nameOrID)
}

// Update runs fn on the current profiles under the store's lock and writes
// what it returns. If fn fails, nothing is written.
func (s *Store) Update(fn func([]Profile) ([]Profile, error)) error {
	// The profiles come with their state (the overlay), not as the file
	// holds them, so this is not s.profiles.update.
	return s.profiles.locked(func() error {
		return rewrite(func() ([]Profile, error) { return s.load(true) }, fn, s.write)
	})
}

func (s *Store) read() ([]Profile, error) { return s.load(false) }

// load returns the profiles with their recorded state, parsed afresh when
// fresh is set. Writes always start from a fresh parse: the cache trusts
// inode, mtime and size, which a filesystem with coarse timestamps could
// repeat across two quick rewrites by another process, and a write must
// never build on a stale copy.
func (s *Store) load(fresh bool) ([]Profile, error) {
	if !fresh {
		s.mu.Lock()
		defer s.mu.Unlock()
		v, err := s.viewLocked()
		if err != nil {
			return nil, err
		}
		return append([]Profile(nil), v...), nil // Profile holds no references: a shallow copy is a copy
	}
	ps, st, err := s.loadBoth(true, true)
	if err != nil {
		return nil, err
	}
	overlay(ps, st)
	return ps, nil
}

// viewLocked returns the profiles merged with their state, shared and
// read-only, rebuilt only when either file changed; s.mu is held.
func (s *Store) viewLocked() ([]Profile, error) {
	if err := checkStoreDir(filepath.Dir(s.path)); err != nil {
		return nil, err
	}
	if s.merged != nil {
		pInfo, pErr := os.Lstat(s.path)
		stInfo, stErr := os.Lstat(s.StatePath())
		stSame := (s.mergedState == nil && errors.Is(stErr, fs.ErrNotExist)) || (stErr == nil && sameFileInfo(s.mergedState, stInfo))
		if pErr == nil && sameFileInfo(s.mergedProf, pInfo) && stSame {
			return s.merged, nil
		}
	}
	raw, pInfo, err := s.profiles.load(false)
	if err != nil {
		return nil, err
	}
	st, stInfo, err := s.states.load(false)
	if err != nil {
		return nil, err
	}
	// Without state entries the merged view is the parsed file itself (both
	// are read-only): 10,000 profiles are 8 MB, not worth a copy.
	ps := raw
	if len(st) > 0 {
		ps = append([]Profile(nil), raw...)
		overlay(ps, st)
	}
	s.merged, s.mergedProf, s.mergedState = nil, nil, nil
	if pInfo != nil {
		s.merged, s.mergedProf, s.mergedState = ps, pInfo, stInfo
	}
	return ps, nil
}

// loadBoth returns the profiles as the profile file holds them (a copy the
// caller owns) and the state entries (shared: read only).
func (s *Store) loadBoth(freshProfiles, freshState bool) ([]Profile, map[string]State, error) {
	// One parse serves every reader waiting here (many renewals come due at
	// once); the others then find the cache valid.
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loadBothLocked(freshProfiles, freshState)
}

func (s *Store) loadBothLocked(freshProfiles, freshState bool) ([]Profile, map[string]State, error) {
	shared, _, err := s.profiles.load(freshProfiles)
	if err != nil {
		return nil, nil, err
	}
	st, _, err := s.states.load(freshState)
	if err != nil {
		return nil, nil, err
	}
	return append([]Profile(nil), shared...), st, nil
}

// decodeProfiles is the profile file's content, decoded whole with
// encoding/json's classic rules: the reference for parseStreaming, and the path
// that describes and keeps a copy of a file that cannot be used.
func decodeProfiles(b []byte) ([]Profile, error) {
	d := fileData{Profiles: make([]Profile, 0, profileCountHint(b, len(b)))}
	// json.Unmarshal, not a Decoder: it rejects data after the object and
	// reports a truncated file as a syntax error with a position.
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, describeJSONError(b, err)
	}
	if err := checkSchema(d.SchemaVersion, SchemaVersion, "profile file"); err != nil {
		return nil, err
	}
	return d.Profiles, nil
}

// finishProfiles normalises and sorts what the file held.
func finishProfiles(ps []Profile) []Profile {
	if len(ps) == 0 {
		return nil
	}
	for i := range ps {
		ps[i].Normalize()
	}
	sortProfiles(ps)
	return ps
}

func encodeProfiles(ps []Profile) ([]byte, error) {
	if ps == nil {
		ps = []Profile{}
	}
	b, err := json.MarshalIndent(fileData{SchemaVersion: SchemaVersion, Profiles: ps}, "", "  ")
	return append(b, '\n'), err
}

// profileCountHint guesses from its content b how many profiles a file of
// size bytes holds, to allocate the list once at about its final size:
// growing a list of 10,000 profiles (800 bytes each) step by step copied
// it over and over and was most of the decoding time. Every profile this
// app writes has exactly one "name" key. It is only a capacity: a wrong
// guess costs a regrowth or some spare room. It never exceeds one profile
// per 128 bytes of the file, so a file stuffed with "name": keys reserves
// no more memory than decoding valid profiles of that size would take.
func profileCountHint(b []byte, size int) int {
	return min(countNameKeys(b), size/128+1)
}

// nameKey is what countNameKeys counts.
const nameKey = `"name":`

// countNameKeys counts the nameKey in b. It searches for the key without
// its quote, then checks the quote: several times faster, as '"' is the
// commonest byte of a JSON file.
func countNameKeys(b []byte) int {
	key := []byte(nameKey[1:])
	n := 0
	for i := bytes.Index(b, key); i >= 0; i = bytes.Index(b, key) {
		if i > 0 && b[i-1] == '"' {
			n++
		}
		b = b[i+len(key):]
	}
	return n
}

// StartFresh is the user's decision to give up a broken file: it is moved
// aside (kept, never deleted) and an empty store is written.
func (s *Store) StartFresh() (kept string, err error) { return s.profiles.startFresh(nil) }

func (s *Store) write(ps []Profile) error {
	if s.failWrite != nil {
		if err := s.failWrite(); err != nil {
			return err
		}
	}
	sortProfiles(ps)
	// The cache keeps its own copy: the caller may go on using ps.
	return s.profiles.write(append([]Profile(nil), ps...))
}

// sortProfiles orders profiles by name, case-insensitively, keeping the
// order of equal names. The file is written in this order, so a read
// usually only checks it.
func sortProfiles(ps []Profile) {
	byName := func(a, b Profile) int { return CompareNames(a.Name, b.Name) }
	if !slices.IsSortedFunc(ps, byName) {
		slices.SortStableFunc(ps, byName)
	}
}

// CompareNames orders profile names as the store does: it compares
// strings.ToLower(a) and strings.ToLower(b), without building either when
// both are ASCII (almost every name).
func CompareNames(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if ca >= utf8.RuneSelf || cb >= utf8.RuneSelf {
			return strings.Compare(strings.ToLower(a), strings.ToLower(b))
		}
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return cmp.Compare(ca, cb)
		}
	}
	// Equal so far, all ASCII: the shorter one is a prefix of the longer
	// one's lower case (which never lowers to nothing), so it comes first.
	return cmp.Compare(len(a), len(b))
}

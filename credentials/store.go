package credentials

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
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

	// The last parsed file, reused while the file is the same one: every
	// write renames a new file into place, so a changed file is a different
	// inode. The token manager reads the store on every renewal, and with
	// thousands of profiles parsing would dominate.
	mu         sync.Mutex
	cachedInfo os.FileInfo
	cached     []Profile
	// The same for the state file (statefile.go).
	stateInfo os.FileInfo
	state     map[string]State
	// merged is cached overlaid with state (shared, read-only), valid while
	// both files are the ones described by mergedProf and mergedState.
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
func NewStore(path string) *Store { return &Store{path: path} }

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
	if err := mkStoreDir(filepath.Dir(s.path)); err != nil {
		return err
	}
	unlock, err := lockFile(s.path + ".lock")
	if err != nil {
		return fmt.Errorf("cannot lock %s: %w", s.path, err)
	}
	defer unlock()
	ps, err := s.load(true)
	if err != nil {
		return err
	}
	out, err := fn(ps)
	if err != nil {
		return err
	}
	return s.write(out)
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
	raw, err := s.profilesLocked(false)
	if err != nil {
		return nil, err
	}
	st, err := s.loadStateLocked(false)
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
	if s.cachedInfo != nil {
		s.merged, s.mergedProf, s.mergedState = ps, s.cachedInfo, s.stateInfo
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
	if err := checkStoreDir(filepath.Dir(s.path)); err != nil {
		return nil, nil, err
	}
	shared, err := s.profilesLocked(freshProfiles)
	if err != nil {
		return nil, nil, err
	}
	st, err := s.loadStateLocked(freshState)
	if err != nil {
		return nil, nil, err
	}
	return append([]Profile(nil), shared...), st, nil
}

// profilesLocked returns the profiles as the profile file holds them,
// shared and read-only (the cache), parsed afresh when fresh is set or the
// file changed; s.mu is held.
func (s *Store) profilesLocked(fresh bool) ([]Profile, error) {
	info, statErr := os.Lstat(s.path)
	if !fresh && statErr == nil && sameFileInfo(s.cachedInfo, info) {
		return s.cached, nil
	}
	ps, err := s.parse()
	if err != nil {
		return nil, err
	}
	if statErr == nil {
		s.cachedInfo, s.cached = info, ps
	} else {
		s.cachedInfo, s.cached = nil, nil
	}
	return ps, nil
}

// sameFileInfo reports whether info is the file c describes, unchanged.
func sameFileInfo(c, info os.FileInfo) bool {
	return c != nil && os.SameFile(c, info) && c.ModTime().Equal(info.ModTime()) && c.Size() == info.Size()
}

func (s *Store) parse() ([]Profile, error) {
	ps, ok := s.parseStreaming()
	if !ok {
		var err error
		if ps, err = s.parseWhole(); err != nil {
			return nil, err
		}
	}
	if len(ps) == 0 {
		return nil, nil
	}
	for i := range ps {
		ps[i].Normalize()
	}
	sortProfiles(ps)
	return ps, nil
}

// parseWhole reads the whole file and decodes it with encoding/json's
// classic rules: the reference, and the path that describes and keeps a
// copy of a file that cannot be used.
func (s *Store) parseWhole() ([]Profile, error) {
	b, err := s.readFile()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	var unsafe *UnsafePathError
	if errors.As(err, &unsafe) {
		return nil, err
	}
	if err != nil {
		return nil, &CorruptError{Path: s.path, Err: err}
	}
	d := fileData{Profiles: make([]Profile, 0, profileCountHint(b, len(b)))}
	// json.Unmarshal, not a Decoder: it rejects data after the object and
	// reports a truncated file as a syntax error with a position.
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, s.corrupt(b, describeJSONError(b, err))
	}
	if err := checkSchema(d.SchemaVersion); err != nil {
		return nil, s.corrupt(b, err)
	}
	return d.Profiles, nil
}

// checkSchema says why a file of schema v cannot be used, or nil.
func checkSchema(v int) error {
	if v < 1 {
		return errors.New("it has no valid schemaVersion, so it is not a Credential Workbench profile file")
	}
	if v > SchemaVersion {
		// Written by a newer release: rewriting would drop its fields, so it
		// is treated like a broken file (kept, never overwritten).
		return fmt.Errorf("it was written by a newer Credential Workbench (schema %d, this one knows %d); update the app", v, SchemaVersion)
	}
	return nil
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

// readFile reads the profile file: never through a symlink, never a FIFO
// or device (which would hang or never end), only a file of this user that
// others cannot write, at most MaxStoreFile bytes.
func (s *Store) readFile() ([]byte, error) { return readStoreFile(s.path) }

// corrupt keeps a copy of a broken file next to it (named by its content hash,
// so repeated loads do not pile up copies) and describes the problem.
func (s *Store) corrupt(content []byte, cause error) error {
	return corruptFile(s.path, content, cause)
}

// corruptFile is Store.corrupt for any store file.
func corruptFile(path string, content []byte, cause error) *CorruptError {
	sum := sha256.Sum256(content)
	backup := path + ".broken-" + hex.EncodeToString(sum[:4])
	if err := keepCopy(backup, content); err != nil {
		backup = ""
	}
	return &CorruptError{Path: path, Backup: backup, Err: cause}
}

// keepCopy writes content to a new file at path. A regular file of ours
// already there is an earlier copy of the same content (the name is its
// hash); anything else there (a planted symlink) is never written through.
func keepCopy(path string, content []byte) error {
	f, err := createExclusive(path)
	if errors.Is(err, fs.ErrExist) && ownRegular(path) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(content); err != nil {
		_ = f.Close()
		_ = os.Remove(path) // #nosec G703 -- the file this function just created beside the store
		return err
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(path) // #nosec G703 -- the file this function just created beside the store
		return err
	}
	return nil
}

// StartFresh is the user's decision to give up a broken file: it is moved
// aside (kept, never deleted) and an empty store is written.
func (s *Store) StartFresh() (kept string, err error) {
	unlock, err := lockFile(s.path + ".lock")
	if err != nil {
		return "", fmt.Errorf("cannot lock %s: %w", s.path, err)
	}
	defer unlock()
	if err := checkStoreDir(filepath.Dir(s.path)); err != nil {
		return "", err
	}
	if b, err := s.readFile(); err == nil {
		sum := sha256.Sum256(b)
		kept = s.path + ".broken-" + hex.EncodeToString(sum[:4])
		if err := keepCopy(kept, b); err != nil {
			return "", fmt.Errorf("cannot keep a copy of %s: %w", s.path, err)
		}
	} else if _, statErr := os.Lstat(s.path); statErr == nil {
		// Unreadable (permissions, or not a file at all): it cannot be
		// copied, so it is moved aside whole rather than overwritten.
		kept = s.path + ".broken-" + time.Now().UTC().Format("20060102T150405.000000000")
		if err := os.Rename(s.path, kept); err != nil { // #nosec G703 -- both paths are the user's own store file
			return "", fmt.Errorf("cannot move %s aside: %w", s.path, err)
		}
	}
	return kept, s.write(nil)
}

func (s *Store) write(ps []Profile) error {
	if s.failWrite != nil {
		if err := s.failWrite(); err != nil {
			return err
		}
	}
	sortProfiles(ps)
	if ps == nil {
		ps = []Profile{}
	}
	b, err := json.MarshalIndent(fileData{SchemaVersion: SchemaVersion, Profiles: ps}, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	// Every write holds the lock, so a temp file seen now was left by a
	// process killed mid-save: clear it away.
	clearTemps(s.path)
	if err := writeAtomic(s.path, b); err != nil {
		return err
	}
	// What was just written needs no parsing to be read back.
	s.mu.Lock()
	if info, err := os.Lstat(s.path); err == nil {
		s.cachedInfo, s.cached = info, append([]Profile(nil), ps...)
	}
	s.mu.Unlock()
	return nil
}

// writeAtomic writes through a temp file in the same directory, fsyncs it and
// renames it over the target, then fsyncs the directory so the rename sticks.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("cannot replace %s: %w", path, err)
	}
	ok = true
	syncDir(dir)
	return nil
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

// describeJSONError turns a decoder error into "line L, column C: …".
func describeJSONError(b []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return err
	}
	// Offset counts the bytes read when the error was found, the offending
	// one included: step back onto it, except at the end of a truncated file.
	if off > 0 && off <= int64(len(b)) && !(se != nil && off == int64(len(b)) && strings.Contains(se.Error(), "end of JSON input")) {
		off--
	}
	line, col := 1, 1
	for i := int64(0); i < off && i < int64(len(b)); i++ {
		if b[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	if te != nil && te.Field != "" {
		// Say it in the file's own terms rather than Go's type names.
		return fmt.Errorf("invalid JSON at line %d, column %d: %q must be %s, not %s", line, col, te.Field, jsonKind(te.Type), te.Value)
	}
	return fmt.Errorf("invalid JSON at line %d, column %d: %v", line, col, err)
}

// jsonKind names what JSON value a Go type is read from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list [...]"
	case reflect.Struct, reflect.Map:
		return "an object {...}"
	}
	return "another kind of value"
}

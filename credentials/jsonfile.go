package credentials

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// jsonFile is one JSON file of the store (profiles.json, state.json,
// transports.json) with every guard they share: an owner-checked
// directory; the file opened without following a link or waiting on a
// FIFO, only a regular file of ours, through the size cap; writes under an
// exclusive lock file (with a timeout) on a fresh read, atomic (temp file,
// fsync, rename, fsync of the directory), temp files of a killed writer
// cleared; a broken file described (CorruptError) and a copy kept beside
// it, never overwritten until the user starts fresh.
//
// V is what the file holds once decoded (the profiles, the state entries).
type jsonFile[V any] struct {
	path string
	// kind names the content: "profile", "transport" or "state"
	// (CorruptError.Kind, and "<kind> file" in errors).
	kind string
	// decode parses the whole content; an error makes it a broken file.
	decode func(b []byte) (V, error)
	// stream, when set, reads the file faster and reports !ok for anything
	// decode would refuse or describe (decode then reads it again).
	stream func() (V, bool)
	// finish, when set, tidies what decode or stream read (normalising,
	// sorting) before it is used or cached.
	finish func(V) V
	// encode is the file's content for v, final newline included.
	encode func(v V) ([]byte, error)
	// lenient files only hold what is found again (test results): a broken
	// or unreadable one reads as empty (a copy is kept) and the next write
	// replaces it.
	lenient bool
	// cached keeps the last decoded value while the file is the same one:
	// every write renames a new file into place, so a changed file is a
	// different inode (or mtime, or size). Readers must not change it.
	cached bool
	// wait bounds the wait for the lock (0 = DefaultStoreLockTimeout).
	wait time.Duration

	mu   sync.Mutex // guards info and val
	info os.FileInfo
	val  V
}

// what names the file in errors ("profile file").
func (f *jsonFile[V]) what() string { return f.kind + " file" }

// load returns the file's content, decoded afresh when fresh is set or the
// file changed since it was cached, with the FileInfo of the cached copy
// (nil when nothing is cached). A missing file is empty.
func (f *jsonFile[V]) load(fresh bool) (V, os.FileInfo, error) {
	var zero V
	if err := checkStoreDir(filepath.Dir(f.path)); err != nil {
		return zero, nil, err
	}
	info, statErr := os.Lstat(f.path)
	if errors.Is(statErr, fs.ErrNotExist) {
		f.remember(nil, zero)
		return zero, nil, nil
	}
	if f.cached && !fresh && statErr == nil {
		f.mu.Lock()
		c, v := f.info, f.val
		f.mu.Unlock()
		if sameFileInfo(c, info) {
			return v, c, nil
		}
	}
	v, err := f.read(true)
	if err != nil {
		return zero, nil, err
	}
	if statErr != nil {
		info = nil
	}
	f.remember(info, v)
	return v, info, nil
}

// remember caches v as the content of the file info describes (nil: none).
func (f *jsonFile[V]) remember(info os.FileInfo, v V) {
	if !f.cached {
		return
	}
	if info == nil {
		var zero V
		v = zero
	}
	f.mu.Lock()
	f.info, f.val = info, v
	f.mu.Unlock()
}

// sameFileInfo reports whether info is the file c describes, unchanged.
func sameFileInfo(c, info os.FileInfo) bool {
	return c != nil && os.SameFile(c, info) && c.ModTime().Equal(info.ModTime()) && c.Size() == info.Size()
}

// read reads, decodes and finishes the file (through stream first when
// useStream).
func (f *jsonFile[V]) read(useStream bool) (V, error) {
	v, err := f.readRaw(useStream)
	if err != nil || f.finish == nil {
		return v, err
	}
	return f.finish(v), nil
}

// readRaw is read without finish.
func (f *jsonFile[V]) readRaw(useStream bool) (V, error) {
	var zero V
	if useStream && f.stream != nil {
		if v, ok := f.stream(); ok {
			return v, nil
		}
	}
	b, err := readStoreFile(f.path, f.what())
	if errors.Is(err, fs.ErrNotExist) {
		return zero, nil
	}
	var unsafe *UnsafePathError
	if errors.As(err, &unsafe) {
		return zero, err
	}
	if err != nil {
		if f.lenient {
			return zero, nil
		}
		return zero, f.corruptError(err, "")
	}
	v, err := f.decode(b)
	if err != nil {
		ce := f.corrupt(b, err)
		if f.lenient {
			return zero, nil
		}
		return zero, ce
	}
	return v, nil
}

// locked runs fn holding the file's lock, in its (created, checked)
// directory.
func (f *jsonFile[V]) locked(fn func() error) error {
	if err := mkStoreDir(filepath.Dir(f.path)); err != nil {
		return err
	}
	unlock, err := lockStoreFile(f.path, f.wait)
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}

// update runs fn on a fresh read under the lock and writes what it
// returns; nothing is written when fn fails.
func (f *jsonFile[V]) update(fn func(V) (V, error)) error {
	return f.locked(func() error {
		return rewrite(func() (V, error) { v, _, err := f.load(true); return v, err }, fn, f.write)
	})
}

// rewrite is the body of every locked update: read afresh, change, write;
// nothing is written when reading or fn fails.
func rewrite[V any](read func() (V, error), fn func(V) (V, error), write func(V) error) error {
	v, err := read()
	if err != nil {
		return err
	}
	out, err := fn(v)
	if err != nil {
		return err
	}
	return write(out)
}

// write replaces the file with v's content; the caller holds the lock.
func (f *jsonFile[V]) write(v V) error {
	b, err := f.encode(v)
	if err != nil {
		return err
	}
	// Every write holds the lock, so a temp file seen now was left by a
	// process killed mid-save: clear it away.
	clearTemps(f.path)
	if err := writeAtomic(f.path, b); err != nil {
		return err
	}
	// What was just written needs no parsing to be read back.
	if info, err := os.Lstat(f.path); err == nil {
		f.remember(info, v)
	}
	return nil
}

// startFresh is the user's decision to give up a broken file: it is kept
// (a copy named by its content, as the CorruptError named it, or, when it
// cannot be read, the file itself moved aside) and empty is written.
func (f *jsonFile[V]) startFresh(empty V) (kept string, err error) {
	err = f.locked(func() error {
		if b, err := readStoreFile(f.path, f.what()); err == nil {
			kept = backupName(f.path, b)
			if err := keepCopy(kept, b); err != nil {
				return fmt.Errorf("cannot keep a copy of %s: %w", f.path, err)
			}
		} else if _, statErr := os.Lstat(f.path); statErr == nil {
			// Unreadable (permissions, or not a file at all): it cannot be
			// copied, so it is moved aside whole rather than overwritten.
			kept = f.path + ".broken-" + time.Now().UTC().Format("20060102T150405.000000000")
			if err := os.Rename(f.path, kept); err != nil { // #nosec G703 -- both paths are the user's own store file
				return fmt.Errorf("cannot move %s aside: %w", f.path, err)
			}
		}
		return f.write(empty)
	})
	if err != nil {
		return "", err
	}
	return kept, nil
}

// corrupt keeps a copy of a broken file next to it and describes the problem.
func (f *jsonFile[V]) corrupt(content []byte, cause error) *CorruptError {
	backup := backupName(f.path, content)
	if err := keepCopy(backup, content); err != nil {
		backup = ""
	}
	return f.corruptError(cause, backup)
}

func (f *jsonFile[V]) corruptError(cause error, backup string) *CorruptError {
	ce := &CorruptError{Path: f.path, Backup: backup, Err: cause}
	if f.kind != "profile" {
		ce.Kind = f.kind
	}
	return ce
}

// backupName is where a copy of a broken file is kept: named by its
// content's hash, so repeated loads do not pile up copies.
func backupName(path string, content []byte) string {
	sum := sha256.Sum256(content)
	return path + ".broken-" + hex.EncodeToString(sum[:4])
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

// clearTemps removes temp files of path left by a process killed mid-save
// (the caller holds the file's lock, so no write is under way).
func clearTemps(path string) {
	dir, prefix := filepath.Dir(path), "."+filepath.Base(path)+".tmp-"
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), prefix) {
				_ = os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
}

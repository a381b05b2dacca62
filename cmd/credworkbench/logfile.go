package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// The workbench logs through log/slog into a file under the user's state
// directory, rotated by size. The shared operations log names, states and
// failure categories only, never a secret or token.

const (
	logMaxBytes = 1 << 20 // rotate when the file grows past this
	logKeep     = 3       // workbench.log.1 … .3 are kept
)

// stateDir is where the workbench keeps its log: XDG_STATE_HOME (or
// ~/.local/state) on Linux, ~/Library/Logs on macOS, %LocalAppData% on Windows.
func stateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "credworkbench"), nil
	}
	switch runtime.GOOS {
	case "windows":
		d, err := os.UserCacheDir() // %LocalAppData%
		if err != nil {
			return "", err
		}
		return filepath.Join(d, "credworkbench", "logs"), nil
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, "Library", "Logs", "credworkbench"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "state", "credworkbench"), nil
}

// rotatingFile is an append-only log file that moves itself aside to
// NAME.1 (NAME.1 to NAME.2, …) once it is larger than max.
type rotatingFile struct {
	mu   sync.Mutex
	path string
	max  int64
	keep int
	f    *os.File
	size int64
}

func openRotating(path string, max int64, keep int) (*rotatingFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	r := &rotatingFile{path: path, max: max, keep: keep}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *rotatingFile) open() error {
	f, err := os.OpenFile(r.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600) // #nosec G304 -- the workbench's own log file
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return err
	}
	r.f, r.size = f, st.Size()
	return nil
}

func (r *rotatingFile) Write(b []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return 0, os.ErrClosed
	}
	if r.size > 0 && r.size+int64(len(b)) > r.max {
		r.rotate()
	}
	n, err := r.f.Write(b)
	r.size += int64(n)
	return n, err
}

// rotate moves the files aside; on failure it keeps writing where it was.
func (r *rotatingFile) rotate() {
	_ = r.f.Close()
	for i := r.keep - 1; i >= 1; i-- {
		_ = os.Rename(fmt.Sprintf("%s.%d", r.path, i), fmt.Sprintf("%s.%d", r.path, i+1))
	}
	_ = os.Rename(r.path, r.path+".1")
	if err := r.open(); err != nil {
		r.f = nil
	}
}

func (r *rotatingFile) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}

// openLog returns the workbench's logger and the file to close at exit.
// Without a usable state directory it logs to stderr, so nothing is lost.
func openLog() (*slog.Logger, func()) {
	dir, err := stateDir()
	var w *rotatingFile
	if err == nil {
		w, err = openRotating(filepath.Join(dir, "workbench.log"), logMaxBytes, logKeep)
	}
	if err != nil {
		l := slog.New(slog.NewTextHandler(os.Stderr, nil))
		l.Warn("cannot open the log file; logging to stderr", "error", err.Error())
		return l, func() {}
	}
	return slog.New(slog.NewTextHandler(w, nil)).With("app", "credworkbench"), func() { _ = w.Close() }
}

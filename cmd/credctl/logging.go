package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/credworkbench/credworkbench/internal/logfile"
)

// newLogger logs through log/slog. Every record at Info and above goes to
// the log file the workbench shares (internal/logfile; the Logs view and
// `credctl logs` read it), opened at the first record, so only commands
// that talk to an IdP or API write it. Standard error gets, with
// CREDCTL_LOG=debug, info, warn or error, every record at that level;
// without it only the problems nothing else reports (a token that could
// not be cached): a profile's event, such as "profile failed", is the
// outcome the command prints itself, and saying it twice is noise.
// The shared operations never log a secret or token. Close the returned
// closer at the end of the command.
func newLogger(stderr io.Writer) (*slog.Logger, io.Closer) {
	file := &lazyLog{stderr: stderr}
	toFile := slog.NewTextHandler(file, &slog.HandlerOptions{Level: slog.LevelInfo})
	var toStderr slog.Handler
	if level, ok := verboseLevel(os.Getenv("CREDCTL_LOG")); ok {
		toStderr = slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})
	} else {
		toStderr = logfile.Problems(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewMultiHandler(toFile, toStderr)).With("app", "credctl"), file
}

// verboseLevel reads CREDCTL_LOG; ok is false when it is unset (or not a level).
func verboseLevel(s string) (slog.Level, bool) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, true
	case "info":
		return slog.LevelInfo, true
	case "warn", "warning":
		return slog.LevelWarn, true
	case "error":
		return slog.LevelError, true
	}
	return 0, false
}

// lazyLog opens the log file at its first write, so commands that log
// nothing (list, show, logs, help) neither create nor touch it.
type lazyLog struct {
	stderr io.Writer
	mu     sync.Mutex
	w      *logfile.Writer
	failed bool
}

func (l *lazyLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w == nil && !l.failed {
		path, err := logfile.Path()
		if err == nil {
			l.w, err = logfile.OpenWriter(path)
		}
		if err != nil {
			// Once per command; the command's own output is unaffected.
			l.failed = true
			fmt.Fprintf(l.stderr, "credctl: cannot write the log file, so this command's events are not recorded: %v\n", err)
		}
	}
	if l.w == nil {
		return len(p), nil
	}
	return l.w.Write(p)
}

func (l *lazyLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w == nil {
		return nil
	}
	return l.w.Close()
}

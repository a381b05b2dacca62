package main

import (
	"log/slog"
	"os"

	"github.com/credworkbench/credworkbench/internal/logfile"
)

// The workbench logs through log/slog into a file under the user's state
// directory, rotated by size (internal/logfile: the one place that knows the
// location, also for the Logs view and `credctl logs`). The shared
// operations log names, states and failure categories only, never a secret
// or token.

// openLog returns the workbench's logger and the file to close at exit.
// Without a usable state directory it logs to stderr, so nothing is lost.
func openLog() (*slog.Logger, func()) {
	path, err := logfile.Path()
	var w *logfile.Writer
	if err == nil {
		w, err = logfile.OpenWriter(path)
	}
	if err != nil {
		l := slog.New(slog.NewTextHandler(os.Stderr, nil))
		l.Warn("cannot open the log file; logging to stderr", "error", err.Error())
		return l, func() {}
	}
	return logfile.NewLogger(w, "credworkbench"), func() { _ = w.Close() }
}

package main

import (
	"log/slog"
	"os"

	"github.com/credworkbench/credworkbench/internal/logfile"
	"github.com/credworkbench/credworkbench/internal/version"
	"github.com/credworkbench/credworkbench/ui"
)

// openLog is the workbench's logging from start to quit. Records at Info
// and above (the OAuth, login, rotation and transport events of
// oauthflow) go to the log file that credctl writes too, which the Logs
// view and `credctl logs` read; the problems among them (warnings that are
// not a profile's event) also to the window, through problems. Without a
// usable log file, warnings go to stderr and the window says why. The
// shared operations never log a secret or token.
func openLog(problems *ui.Problems) (log *slog.Logger, closeLog func()) {
	path, err := logfile.Path()
	var w *logfile.Writer
	if err == nil {
		w, err = logfile.OpenWriter(path)
	}
	if err != nil {
		log = slog.New(slog.NewMultiHandler(
			slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}),
			problems.Handler(),
		)).With("app", "credworkbench")
		log.Warn("cannot write the log file, so the Logs view will not show this session's events", "error", err.Error())
		return log, func() {}
	}
	log = slog.New(slog.NewMultiHandler(
		slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}),
		problems.Handler(),
	)).With("app", "credworkbench")
	log.Info("workbench started", "version", version.Version, "pid", os.Getpid())
	return log, func() {
		log.Info("workbench quit")
		_ = w.Close()
	}
}

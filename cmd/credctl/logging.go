package main

import (
	"io"
	"log/slog"
	"os"
	"strings"
)

// newLogger logs through log/slog to stderr: warnings by default (problems
// that do not stop a command), more with CREDCTL_LOG=info or debug. The
// shared operations never log a secret or token.
func newLogger(stderr io.Writer) *slog.Logger {
	level := slog.LevelWarn
	switch strings.ToLower(os.Getenv("CREDCTL_LOG")) {
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	case "error":
		level = slog.LevelError
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})).With("app", "credctl")
}

package logfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
)

// EventKey is the attribute oauthflow gives every record of a profile's
// event (tested, failed, logged in, …). The front ends show those events
// themselves (a table row, a status); the other warnings nothing else shows.
const EventKey = "event"

// Problems passes to h only the records at Warn and above that are not a
// profile's event: a token that could not be shared, a directory that
// cannot be watched. credctl prints them on stderr and the workbench shows
// them in its window, while the events go to the log file only.
func Problems(h slog.Handler) slog.Handler { return problems{h} }

type problems struct{ h slog.Handler }

func (p problems) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && p.h.Enabled(ctx, l)
}

func (p problems) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn || isEvent(r) {
		return nil
	}
	return p.h.Handle(ctx, r)
}

func (p problems) WithAttrs(as []slog.Attr) slog.Handler { return problems{p.h.WithAttrs(as)} }
func (p problems) WithGroup(name string) slog.Handler    { return problems{p.h.WithGroup(name)} }

func isEvent(r slog.Record) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == EventKey
		return !found
	})
	return found
}

// Text is a record in one line for a person: the message, the profile or
// transport it is about, and the error.
func Text(r slog.Record) string {
	var b strings.Builder
	b.WriteString(r.Message)
	var errText string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "profile", "transport":
			fmt.Fprintf(&b, " (%s %q)", a.Key, a.Value.String())
		case "error":
			errText = a.Value.String()
		}
		return true
	})
	if errText != "" {
		b.WriteString(": " + errText)
	}
	return b.String()
}

// Written reports whether any log file exists at path (or rotated beside it).
func Written(path string) bool {
	for i := range Keep + 1 {
		name := path
		if i > 0 {
			name += "." + strconv.Itoa(i)
		}
		if _, err := os.Stat(name); err == nil || !errors.Is(err, fs.ErrNotExist) {
			return true
		}
	}
	return false
}

// NotWrittenYet says that there is no log yet, and where it will be: the
// answer instead of "no events match" before anything has been logged.
func NotWrittenYet(path string) string {
	return "No log has been written yet. Credential Workbench and credctl write their events " +
		"(tests, logins, renewals, rotations, transport runs) to " + path + " as they happen."
}

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/internal/logfile"
)

func defineLogs(fs *flag.FlagSet) func(*app, []string) error {
	profile := fs.String("profile", "", "only the events of this profile `NAME`")
	transport := fs.String("transport", "", "only the events of this transport `NAME`")
	level := fs.String("level", "", "only events at this `level` or above: debug, info, warn, error")
	follow := fs.Bool("follow", false, "keep printing new events as they are written (Ctrl-C ends)")
	asJSON := fs.Bool("json", false, "print one JSON object per event")
	return func(a *app, args []string) error {
		if err := wantArgs("logs", args); err != nil {
			return err
		}
		min, err := logfile.ParseLevel(*level)
		if err != nil {
			return &usageError{cmd: "logs", msg: "--level: " + err.Error()}
		}
		if *level == "" {
			min = -8 // everything
		}
		path, err := logfile.Path()
		if err != nil {
			return err
		}
		f := logfile.Filter{Profile: *profile, Transport: *transport, MinLevel: min}
		entries, err := logfile.Read(path, f)
		if err != nil {
			return err
		}
		print := func(e logfile.Entry) {
			if *asJSON {
				_ = writeJSONLine(a.stdout, e)
				return
			}
			fmt.Fprintln(a.stdout, formatEntry(e))
		}
		for _, e := range entries {
			print(e)
		}
		if !*follow {
			if len(entries) == 0 {
				fmt.Fprintf(a.stderr, "No log events%s in %s.\n", filterNote(f), path)
			}
			return nil
		}
		return logfile.Follow(a.ctx, path, f, 0, print)
	}
}

func filterNote(f logfile.Filter) string {
	var parts []string
	if f.Profile != "" {
		parts = append(parts, "for profile "+f.Profile)
	}
	if f.Transport != "" {
		parts = append(parts, "for transport "+f.Transport)
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, " and ")
}

// formatEntry is one line: time, level, message, the named fields, the rest.
func formatEntry(e logfile.Entry) string {
	var b strings.Builder
	if !e.Time.IsZero() {
		b.WriteString(e.Time.Local().Format(time.DateTime) + " ")
	}
	fmt.Fprintf(&b, "%-5s %s", e.LevelName, e.Msg)
	if e.Profile != "" {
		fmt.Fprintf(&b, " profile=%q", e.Profile)
	}
	if e.Transport != "" {
		fmt.Fprintf(&b, " transport=%q", e.Transport)
	}
	keys := make([]string, 0, len(e.Attrs))
	for k := range e.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, quoteIfNeeded(e.Attrs[k]))
	}
	if e.Error != "" {
		fmt.Fprintf(&b, " error=%q", e.Error)
	}
	return b.String()
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \"=") {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// writeJSONLine writes v as one line (JSON Lines), so --follow output can be piped.
func writeJSONLine(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

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
			fmt.Fprintln(a.stdout, logfile.Format(e))
		}
		for _, e := range entries {
			print(e)
		}
		if len(entries) == 0 && !logfile.Written(path) {
			// Not "no events match": nothing has been logged yet (--follow waits for it).
			fmt.Fprintln(a.stderr, logfile.NotWrittenYet(path))
		} else if len(entries) == 0 && !*follow {
			fmt.Fprintf(a.stderr, "No log events%s in %s.\n", filterNote(f), path)
		}
		if !*follow {
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

// writeJSONLine writes v as one line (JSON Lines), so --follow output can be
// piped; the control and bidi characters JSON leaves raw are escaped too.
func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(logfile.EscapeJSON(b), '\n'))
	return err
}

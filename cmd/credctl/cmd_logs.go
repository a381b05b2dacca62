package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/credworkbench/credworkbench/internal/logfile"
	"github.com/spf13/cobra"
)

type logsOptions struct {
	Profile, Transport, Level string
	Follow, JSON              bool
}

func newLogsCmd(a *app) *cobra.Command {
	opts := &logsOptions{}
	cmd := &cobra.Command{
		Use:   "logs [--profile NAME] [--transport NAME] [--level L] [--follow]",
		Short: "Print the workbench's OAuth and HTTP events (never a secret or token)",
		Long: `The log is the workbench's: $XDG_STATE_HOME/credworkbench/workbench.log
(default ~/.local/state/credworkbench) on Linux, ~/Library/Logs/credworkbench
on macOS, %LocalAppData%\credworkbench\logs on Windows; rotated files are
read too, oldest first.
`,
		Args: wantArgs("logs"),
		RunE: func(*cobra.Command, []string) error { return logsRun(a, opts) },
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Profile, "profile", "", "only the events of this profile `NAME`")
	fs.StringVar(&opts.Transport, "transport", "", "only the events of this transport `NAME`")
	fs.StringVar(&opts.Level, "level", "", "only events at this `level` or above: debug, info, warn, error")
	fs.BoolVar(&opts.Follow, "follow", false, "keep printing new events as they are written (Ctrl-C ends)")
	fs.BoolVar(&opts.JSON, "json", false, "print one JSON object per event")
	_ = cmd.RegisterFlagCompletionFunc("profile", a.completeProfileFlag)
	_ = cmd.RegisterFlagCompletionFunc("transport", a.completeTransportFlag)
	a.completeWords(cmd, "level", "debug", "info", "warn", "error")
	return cmd
}

func logsRun(a *app, opts *logsOptions) error {
	min, err := logfile.ParseLevel(opts.Level)
	if err != nil {
		return &usageError{cmd: "logs", msg: "--level: " + err.Error()}
	}
	if opts.Level == "" {
		min = -8 // everything
	}
	path, err := logfile.Path()
	if err != nil {
		return err
	}
	f := logfile.Filter{Profile: opts.Profile, Transport: opts.Transport, MinLevel: min}
	entries, pos, err := logfile.ReadUntil(path, f)
	if err != nil {
		return err
	}
	print := func(e logfile.Entry) {
		if opts.JSON {
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
	} else if len(entries) == 0 && !opts.Follow {
		fmt.Fprintf(a.stderr, "No log events%s in %s.\n", filterNote(f), path)
	}
	if !opts.Follow {
		return nil
	}
	// From where the read stopped: a line written in between is printed once.
	return logfile.FollowFrom(a.ctx, path, f, 0, pos, print)
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

package ui

import (
	"fmt"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/internal/logfile"
)

const allChoice = "All"

// logsView shows the OAuth and HTTP events of this and earlier sessions
// from the workbench's log file (internal/logfile), filterable by profile,
// transport and level. The file never holds a secret or token.
type logsView struct {
	n    *navigator
	root fyne.CanvasObject
	path string // the log file; set by tests

	profile   *widget.Select
	transport *widget.Select
	level     *widget.Select
	refresh   *widget.Button
	info      *widget.Label
	list      *widget.List

	entries []logfile.Entry // what the list shows, newest first
}

var logLevels = map[string]slog.Level{"Debug": slog.LevelDebug, "Info": slog.LevelInfo, "Warning": slog.LevelWarn, "Error": slog.LevelError}

func newLogsView(n *navigator) *logsView {
	v := &logsView{n: n}
	if p, err := logfile.Path(); err == nil {
		v.path = p
	}
	v.profile = widget.NewSelect([]string{allChoice}, nil)
	v.transport = widget.NewSelect([]string{allChoice}, nil)
	v.level = widget.NewSelect([]string{allChoice, "Info", "Warning", "Error"}, nil)
	for _, s := range []*widget.Select{v.profile, v.transport, v.level} {
		s.SetSelected(allChoice)
		s.OnChanged = func(string) { v.load() }
	}
	v.refresh = widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), v.load)
	v.info = widget.NewLabel("")
	v.info.Wrapping = fyne.TextWrapWord
	v.list = widget.NewList(func() int { return len(v.entries) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			l.TextStyle.Monospace = true
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			e := v.entries[i]
			l := o.(*widget.Label)
			l.SetText(logfile.Format(e))
			switch {
			case e.Level >= slog.LevelError:
				l.Importance = widget.DangerImportance
			case e.Level >= slog.LevelWarn:
				l.Importance = widget.WarningImportance
			default:
				l.Importance = widget.MediumImportance
			}
			l.Refresh()
		})
	v.list.OnSelected = func(i widget.ListItemID) {
		if i < len(v.entries) {
			v.info.SetText(logfile.Format(v.entries[i]))
		}
	}
	bar := container.NewHBox(widget.NewLabel("Profile"), v.profile, widget.NewLabel("Transport"), v.transport,
		widget.NewLabel("Level"), v.level, v.refresh)
	v.root = container.NewBorder(container.NewVBox(bar, v.info), nil, nil, nil, v.list)
	return v
}

// refreshChoices offers the profiles and transports as they are now.
func (v *logsView) refreshChoices() {
	ps := []string{allChoice}
	for _, p := range v.n.h.allProfiles() {
		ps = append(ps, p.Name)
	}
	v.profile.Options = ps
	v.profile.Refresh()
	ts := []string{allChoice}
	for _, t := range v.n.transports {
		ts = append(ts, t.Name)
	}
	v.transport.Options = ts
	v.transport.Refresh()
}

func (v *logsView) filter() logfile.Filter {
	f := logfile.Filter{MinLevel: slog.LevelDebug}
	if s := v.profile.Selected; s != allChoice {
		f.Profile = s
	}
	if s := v.transport.Selected; s != allChoice {
		f.Transport = s
	}
	if l, ok := logLevels[v.level.Selected]; ok {
		f.MinLevel = l
	}
	return f
}

// load reads the log file with the current filter, newest first.
func (v *logsView) load() {
	if v.path == "" {
		v.info.SetText("The log file's location is unknown (no home directory).")
		return
	}
	entries, err := logfile.Read(v.path, v.filter())
	if err != nil {
		v.info.SetText(err.Error())
		return
	}
	for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
		entries[i], entries[j] = entries[j], entries[i]
	}
	v.entries = entries
	v.list.UnselectAll()
	v.list.Refresh()
	switch {
	case len(entries) == 0 && !logfile.Written(v.path):
		v.info.SetText(logfile.NotWrittenYet(v.path))
	case len(entries) == 0:
		v.info.SetText(fmt.Sprintf("No events match in %s.", v.path))
	default:
		v.info.SetText(fmt.Sprintf("%d event(s), newest first, from %s. Select one to read it whole.", len(entries), v.path))
	}
}

package ui

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/credworkbench/credworkbench/internal/logfile"
)

// Problems carries what the log records and nothing else shows (a token
// that could not be shared with other processes, a configuration
// directory that cannot be watched, a log file that cannot be written)
// into the window (ShowIn), as a banner with "Show logs". It exists before the
// window does: what goes wrong while the app starts is kept until the
// window shows it. A profile's events are not problems here: the table
// shows them.
type Problems struct {
	mu      sync.Mutex
	pending []string     // before the window shows them (the last maxPendingProblems)
	show    func(string) // set by ShowIn
	count   int          // problems the banner stands for (UI goroutine)
	text    string       // what the banner says while it shows them (UI goroutine)
}

const maxPendingProblems = 20

// NewProblems returns an empty collector.
func NewProblems() *Problems { return &Problems{} }

// Handler passes the log's problems (warnings that are not a profile's
// event) to p; use it beside the log file's handler.
func (p *Problems) Handler() slog.Handler { return logfile.Problems(problemHandler{p}) }

// Add records one problem, in words.
func (p *Problems) Add(text string) {
	p.mu.Lock()
	show := p.show
	if show == nil {
		if len(p.pending) == maxPendingProblems {
			p.pending = p.pending[1:]
		}
		p.pending = append(p.pending, text)
	}
	p.mu.Unlock()
	if show != nil {
		show(text)
	}
}

type problemHandler struct{ p *Problems }

func (h problemHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h problemHandler) Handle(_ context.Context, r slog.Record) error {
	h.p.Add(logfile.Text(r))
	return nil
}
func (h problemHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h problemHandler) WithGroup(string) slog.Handler      { return h }

// ShowIn shows p's problems in w's window from now on, those kept from
// before first. Safe from any goroutine.
func (p *Problems) ShowIn(w *Workbench) {
	p.mu.Lock()
	pending := p.pending
	p.pending = nil
	p.show = func(text string) { w.do(func() { p.showIn(w, text) }) }
	p.mu.Unlock()
	for _, text := range pending {
		p.show(text)
	}
}

// showIn puts the latest problem in w's banner. A banner about
// something that needs the user's action (the keyring, a broken profile
// file) stays: the problem is in the log.
func (p *Problems) showIn(w *Workbench, text string) {
	if w.banner.showing() && w.banner.text.Text != p.text {
		return
	}
	p.count++
	text = strings.TrimSuffix(text, ".")
	msg := "Problem: " + text + "."
	if p.count > 1 {
		msg = fmt.Sprintf("%d problems; the latest: %s.", p.count, text)
	}
	p.text = msg + " The Logs view has the details."
	w.banner.show(p.text, "Show logs", func() {
		p.count, p.text = 0, ""
		w.banner.hide()
		w.nav.tree.Select(nodeLogs)
	})
}

package oauthflow

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/credworkbench/credworkbench/internal/logfile"
)

// maxQueuedEvents bounds what a stalled subscriber can pile up; the oldest
// events are dropped first (a newer event supersedes them anyway).
const maxQueuedEvents = 4096

// eventHub delivers events to subscribers. Each subscriber has its own
// queue drained by a goroutine that exists only while there is something to
// deliver, so publish never blocks, a slow subscriber delays only itself,
// a subscriber may call back into the Service, and nothing is left running
// when all is delivered.
type eventHub struct {
	mu   sync.Mutex
	next int
	subs map[int]*subscriber
	// pending counts events queued and not yet delivered (or dropped), so
	// tests can wait until every subscriber has its events.
	pending atomic.Int64
}

type subscriber struct {
	pending   *atomic.Int64 // the hub's
	fn        func(Event)
	mu        sync.Mutex
	queue     []Event
	running   bool
	cancelled bool
}

func newEventHub() *eventHub { return &eventHub{subs: map[int]*subscriber{}} }

// Subscribe calls fn for every event, in order, on a goroutine of its own
// (not the publisher's). cancel stops delivery; an event being delivered
// when cancel is called still completes.
func (s *Service) Subscribe(fn func(Event)) (cancel func()) {
	h := s.events
	sub := &subscriber{fn: fn, pending: &h.pending}
	h.mu.Lock()
	id := h.next
	h.next++
	h.subs[id] = sub
	h.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs, id)
			h.mu.Unlock()
			sub.mu.Lock()
			sub.pending.Add(-int64(len(sub.queue)))
			sub.cancelled, sub.queue = true, nil
			sub.mu.Unlock()
		})
	}
}

// publish logs e and queues it for every subscriber; it returns at once.
func (s *Service) publish(e Event) {
	if e.Time.IsZero() {
		e.Time = s.Clock.Now()
	}
	if e.Result != nil && e.Kind != EventTesting {
		// Its recorded outcome (if any) is this announcement.
		s.own.noteResult(e.ProfileID, *e.Result)
	}
	logEvent(s.Log, e)
	s.events.deliver(e)
	followDerived(s, e) // derived_follow.go
}

// publishSeen announces what another process did (watch.go). That process
// logged it in the shared log already; logging it again would show each
// of credctl's events twice in the Logs view.
func (s *Service) publishSeen(e Event) {
	if e.Time.IsZero() {
		e.Time = s.Clock.Now()
	}
	s.events.deliver(e)
	followDerived(s, e) // derived_follow.go
}

func (h *eventHub) deliver(e Event) {
	h.mu.Lock()
	subs := make([]*subscriber, 0, len(h.subs))
	for _, sub := range h.subs {
		subs = append(subs, sub)
	}
	h.mu.Unlock()
	for _, sub := range subs {
		sub.push(e)
	}
}

func (sub *subscriber) push(e Event) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if sub.cancelled {
		return
	}
	if len(sub.queue) >= maxQueuedEvents {
		sub.queue = sub.queue[1:]
		sub.pending.Add(-1)
	}
	sub.queue = append(sub.queue, e)
	sub.pending.Add(1)
	if !sub.running {
		sub.running = true
		go sub.drain()
	}
}

func (sub *subscriber) drain() {
	for {
		sub.mu.Lock()
		if sub.cancelled || len(sub.queue) == 0 {
			sub.running = false
			sub.pending.Add(-int64(len(sub.queue)))
			sub.queue = nil
			sub.mu.Unlock()
			return
		}
		e := sub.queue[0]
		sub.queue = sub.queue[1:]
		sub.mu.Unlock()
		sub.fn(e)
		sub.pending.Add(-1)
	}
}

// logEvent writes one structured line per event. Only names, states and
// categories go in: a Result never holds a token, and failure texts are
// already stripped of anything the request carried.
func logEvent(log *slog.Logger, e Event) {
	if log == nil {
		return
	}
	attrs := []any{"profile", e.Name, logfile.EventKey, string(e.Kind)}
	if r := e.Result; r != nil {
		attrs = append(attrs, "status", string(r.Status))
		if !r.Expiry.IsZero() {
			attrs = append(attrs, "expiry", r.Expiry.Format(time.RFC3339))
		}
		if f := r.Failure; f != nil {
			attrs = append(attrs, "category", string(f.Category), "error", f.Error())
		}
	}
	level := slog.LevelInfo
	switch e.Kind {
	case EventFailed:
		level = slog.LevelWarn
		if r := e.Result; r != nil && r.Failure != nil && r.Failure.Category == CatCancelled {
			level = slog.LevelInfo // the user stopped it: nothing went wrong
		}
	case EventTesting:
		// Work started: its outcome follows in a line of its own, and
		// the start-up test of every profile would double the log.
		level = slog.LevelDebug
	}
	log.Log(context.Background(), level, "profile "+string(e.Kind), attrs...)
}

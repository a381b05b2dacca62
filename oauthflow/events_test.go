package oauthflow

import (
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// A slow subscriber neither blocks the publisher nor other subscribers, a
// subscriber may call back into the Service, and cancel stops delivery.
func TestEventsSlowSubscriberAndReentry(t *testing.T) {
	s := ccService(t, testenv.NewMemKeyring())
	p := ccSave(t, s, ccApp("events", "http://127.0.0.1:1/token"), "x-secret")

	release := make(chan struct{})
	slowGot := make(chan Event, 10)
	cancelSlow := s.Subscribe(func(e Event) {
		<-release
		slowGot <- e
	})
	defer cancelSlow()

	fast := make(chan Event, 10)
	reentered := make(chan error, 10)
	s.Subscribe(func(e Event) {
		// Calling back into the service from a subscriber must not deadlock.
		_, err := s.Status(e.ProfileID)
		reentered <- err
		fast <- e
	})

	start := time.Now()
	for range 3 {
		s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventSaved})
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("publish blocked for %v on a slow subscriber", d)
	}
	for i := range 3 {
		select {
		case e := <-fast:
			if e.Kind != EventSaved || e.Time.IsZero() {
				t.Errorf("event %+v", e)
			}
			if err := <-reentered; err != nil {
				t.Errorf("Status from a subscriber: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("fast subscriber got %d of 3 events while the slow one was stuck", i)
		}
	}
	close(release)
	for i := range 3 {
		select {
		case <-slowGot:
		case <-time.After(5 * time.Second):
			t.Fatalf("slow subscriber got %d of 3 events", i)
		}
	}
	cancelSlow()
	s.publish(Event{ProfileID: p.ID, Kind: EventDeleted})
	// Every queued event is delivered once pending is 0: one for the
	// cancelled subscriber would be in slowGot by then.
	for deadline := time.Now().Add(5 * time.Second); s.events.pending.Load() > 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d events still undelivered", s.events.pending.Load())
		}
	}
	select {
	case e := <-slowGot:
		t.Errorf("cancelled subscriber got %+v", e)
	default:
	}
}

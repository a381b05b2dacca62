package logfile

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// A line written between the read of the history and the start of the
// follow (credctl logs --follow) is printed once: not lost, not repeated.
func TestFollowFromGoesOnWhereTheReadStopped(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	w, err := OpenWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	log := NewLogger(w, "credctl")
	log.Info("event", "i", 0)
	got, pos, err := ReadUntil(path, Filter{})
	if err != nil || len(got) != 1 {
		t.Fatalf("history: %d entries, %v", len(got), err)
	}
	log.Info("event", "i", 1) // after the read, before the follow starts
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seen := make(chan string, 10)
	done := make(chan error, 1)
	go func() {
		done <- FollowFrom(ctx, path, Filter{}, 10*time.Millisecond, pos, func(e Entry) { seen <- e.Attrs["i"] })
	}()
	log.Info("event", "i", 2)
	for want := 1; want <= 2; want++ {
		select {
		case i := <-seen:
			if i != strconv.Itoa(want) {
				t.Fatalf("followed entry %s, want %d", i, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("entry %d was not followed", want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(seen) != 0 {
		t.Fatalf("an entry was followed twice: %s", <-seen)
	}
}

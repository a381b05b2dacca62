//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package credentials

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// filledIndex makes c's connection fill its entry map (the ssFillAfter-th
// access starts it), waits for the fill and returns the map.
func filledIndex(tb testing.TB, c *secretServiceClient) (*ssConn, *ssIndex) {
	tb.Helper()
	conn, err := c.open()
	if err != nil {
		tb.Fatal(err)
	}
	for range ssFillAfter {
		conn.index(KeyringService)
	}
	select {
	case <-conn.filled:
	case <-time.After(30 * time.Second):
		tb.Fatal("the fill did not end")
	}
	x := conn.idx.Load()
	if x == nil {
		tb.Fatal("the entry map was not filled")
	}
	return conn, x
}

// waitIndex waits until cond holds for x, woken by each signal x handles
// (no fixed sleeps); it fails after 10 s.
func waitIndex(t *testing.T, x *ssIndex, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		x.mu.Lock()
		ok, next := cond(), x.notify
		x.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-next:
		case <-deadline:
			t.Fatalf("the entry map never saw %s (%d signals handled)", what, x.handled.Load())
		}
	}
}

// knows reports the entry's items as the map holds them; x.mu is held.
func (x *ssIndex) knows(user string) []dbus.ObjectPath {
	var ps []dbus.ObjectPath
	for _, it := range x.entries[user] {
		ps = append(ps, it.path)
	}
	return ps
}

// Once the map is filled, reads and writes of known entries go straight to
// the item's path (no search), and what another client (another process's
// view: its own session and map), go-keyring and a real secret-tool
// process create, replace and delete reaches the map through the signals.
func TestSecretServiceIndexFollowsOtherWriters(t *testing.T) {
	realKeyring(t)
	ours, theirs := &secretServiceClient{}, &secretServiceClient{}
	id := "ssidx-" + token("id")
	cleanupKeyring(t, SystemKeyring{}, id)
	tokUser, secUser := entry(id, TokenCache), entry(id, ClientSecret)
	if err := ours.Set(KeyringService, tokUser, "t1"); err != nil {
		t.Fatal(err)
	}
	if err := ours.Set(KeyringService, secUser, "s1"); err != nil {
		t.Fatal(err)
	}
	_, x := filledIndex(t, ours)
	x.mu.Lock()
	known := len(x.knows(tokUser)) == 1 && len(x.knows(secUser)) == 1
	x.mu.Unlock()
	if !known {
		t.Fatal("the fill did not map the entries")
	}
	searches := ssSearches.Load()
	for i := range 3 {
		v := fmt.Sprint("t", i+2)
		if err := ours.Set(KeyringService, tokUser, v); err != nil {
			t.Fatal(err)
		}
		if got, err := ours.Get(KeyringService, tokUser); err != nil || got != v {
			t.Fatalf("read back %q, %v; want %q", got, err, v)
		}
	}
	if got, err := ours.Get(KeyringService, secUser); err != nil || got != "s1" {
		t.Fatalf("client secret %q, %v", got, err)
	}
	if n := ssSearches.Load() - searches; n != 0 {
		t.Fatalf("%d searches for entries the map knows", n)
	}

	// Another client replaces in place: the path stays, the value is new.
	if err := theirs.Set(KeyringService, tokUser, "theirs"); err != nil {
		t.Fatal(err)
	}
	if got, err := ours.Get(KeyringService, tokUser); err != nil || got != "theirs" {
		t.Fatalf("after another client's write: %q, %v", got, err)
	}
	// Another client deletes: the map forgets the entry, the read says so.
	if err := theirs.Delete(KeyringService, tokUser); err != nil {
		t.Fatal(err)
	}
	waitIndex(t, x, "the deletion", func() bool { return len(x.knows(tokUser)) == 0 })
	if _, err := ours.Get(KeyringService, tokUser); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("after another client's delete: %v", err)
	}
	// go-keyring creates one (login collection): the map learns its path.
	if err := keyring.Set(KeyringService, tokUser, "old-release"); err != nil {
		t.Fatal(err)
	}
	waitIndex(t, x, "go-keyring's item", func() bool { return len(x.knows(tokUser)) == 1 })
	searches = ssSearches.Load()
	if got, err := ours.Get(KeyringService, tokUser); err != nil || got != "old-release" {
		t.Fatalf("go-keyring's entry reads %q, %v", got, err)
	}
	if n := ssSearches.Load() - searches; n != 0 {
		t.Fatalf("%d searches for an entry another process created", n)
	}

	// A real secret-tool process stores and clears.
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatal("secret-tool is missing: apt-get install libsecret-tools")
	}
	other := entry(id, RefreshToken)
	store := exec.Command("secret-tool", "store", "--label=x", "service", KeyringService, "username", other)
	store.Stdin = strings.NewReader("from-secret-tool")
	if out, err := store.CombinedOutput(); err != nil {
		t.Fatalf("secret-tool store: %v %s", err, out)
	}
	waitIndex(t, x, "secret-tool's item", func() bool { return len(x.knows(other)) == 1 })
	searches = ssSearches.Load()
	if got, err := ours.Get(KeyringService, other); err != nil || got != "from-secret-tool" {
		t.Fatalf("secret-tool's entry reads %q, %v", got, err)
	}
	if n := ssSearches.Load() - searches; n != 0 {
		t.Fatalf("%d searches for secret-tool's entry", n)
	}
	if out, err := exec.Command("secret-tool", "clear", "service", KeyringService, "username", other).CombinedOutput(); err != nil {
		t.Fatalf("secret-tool clear: %v %s", err, out)
	}
	waitIndex(t, x, "secret-tool's clear", func() bool { return len(x.knows(other)) == 0 })
	if _, err := ours.Get(KeyringService, other); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("after secret-tool clear: %v", err)
	}
}

// An item deleted and re-created behind our back before its signals are
// handled: the call on the old path fails and one search finds the new
// item, for reads and for writes.
func TestSecretServiceIndexResearchesVanishedItem(t *testing.T) {
	realKeyring(t)
	ours, theirs := &secretServiceClient{}, &secretServiceClient{}
	id := "ssgone-" + token("id")
	cleanupKeyring(t, SystemKeyring{}, id)
	user := entry(id, TokenCache)
	if err := ours.Set(KeyringService, user, "first"); err != nil {
		t.Fatal(err)
	}
	_, x := filledIndex(t, ours)
	for _, op := range []string{"read", "write"} {
		x.mu.Lock()
		old := x.knows(user)
		x.mu.Unlock()
		if len(old) != 1 {
			t.Fatalf("%s: map holds %v", op, old)
		}
		if err := theirs.Delete(KeyringService, user); err != nil {
			t.Fatal(err)
		}
		if err := theirs.Set(KeyringService, user, "recreated-"+op); err != nil {
			t.Fatal(err)
		}
		// Both signals handled, then the map put back as if they were not.
		waitIndex(t, x, "the new item", func() bool { p := x.knows(user); return len(p) == 1 && p[0] != old[0] })
		x.mu.Lock()
		x.unlink(x.knows(user)[0])
		x.add(old[0], user, false)
		x.mu.Unlock()
		searches := ssSearches.Load()
		want := "recreated-" + op
		if op == "write" {
			want = "ours"
			if err := ours.Set(KeyringService, user, want); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := theirs.Get(KeyringService, user); err != nil || got != want {
			t.Fatalf("%s: %q, %v; want %q", op, got, err, want)
		}
		if got, err := ours.Get(KeyringService, user); err != nil || got != want {
			t.Fatalf("%s through the stale path: %q, %v; want %q", op, got, err, want)
		}
		if n := ssSearches.Load() - searches; n < 1 {
			t.Fatalf("%s: the vanished path was not searched again", op)
		}
		if got := itemPaths(t, user); len(got) != 1 {
			t.Fatalf("%s: items %v, want one", op, got)
		}
	}
}

// BenchmarkSecretServiceReadCost: a read of a known entry with 100 and
// with 2,000 of the app's items in the keyring; ratio-2000/100 is how much
// the per-read cost grows (gnome-keyring still finds the item by path).
//
//	scripts/test.sh -run '^$' -bench SecretServiceReadCost -benchtime 200x ./credentials/
func BenchmarkSecretServiceReadCost(b *testing.B) {
	if !testenv.RealKeyring() {
		b.Skip("needs the real Secret Service (scripts/test.sh)")
	}
	c := &secretServiceClient{}
	var ids []string
	b.Cleanup(func() {
		for _, id := range ids {
			_ = c.Delete(KeyringService, entry(id, TokenCache))
		}
	})
	grow := func(n int) {
		for len(ids) < n {
			id := fmt.Sprintf("readcost-%d-%s", len(ids), token("x"))
			if err := c.Set(KeyringService, entry(id, TokenCache), "v"); err != nil {
				b.Fatal(err)
			}
			ids = append(ids, id)
		}
	}
	read := func() time.Duration {
		searches, start := ssSearches.Load(), time.Now()
		for i := range b.N {
			if _, err := c.Get(KeyringService, entry(ids[i%100], TokenCache)); err != nil {
				b.Fatal(err)
			}
		}
		took := time.Since(start) / time.Duration(b.N)
		if n := ssSearches.Load() - searches; n != 0 {
			b.Fatalf("%d searches during the reads", n)
		}
		return took
	}
	grow(100)
	filledIndex(b, c)
	b.ResetTimer()
	small := read()
	b.StopTimer()
	grow(2000)
	b.StartTimer()
	large := read()
	b.ReportMetric(float64(small.Microseconds()), "µs/read-100")
	b.ReportMetric(float64(large.Microseconds()), "µs/read-2000")
	b.ReportMetric(float64(large)/float64(small), "ratio-2000/100")
}

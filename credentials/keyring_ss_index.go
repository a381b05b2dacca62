//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package credentials

import (
	"errors"
	"sync"
	"sync/atomic"

	dbus "github.com/godbus/dbus/v5"
)

// ssIndex maps entries to their Secret Service item paths, so that a
// process that touches many entries reads with one GetSecret and writes
// with one SetSecret on the path instead of a SearchItems first: a search
// makes gnome-keyring walk every item (~1 ms with 2,000 items, and it
// answers one call at a time). An item's path does not change until the
// item is deleted.
//
// It is filled once (ssFillAfter accesses into the connection's life: a
// search over the app's "service" attribute, then every item's attributes,
// pipelined) after subscribing to the collections' ItemCreated,
// ItemDeleted and ItemChanged signals and to the provider's
// NameOwnerChanged, and then kept right by them: other processes (credctl,
// the tray agent, another workbench) add, replace and delete entries all
// the time.
//
// Only positive answers come from the map. A path that has vanished
// (deleted behind our back, signal not handled yet) fails its call and the
// entry is searched again. An entry the map does not know is searched for
// too: a "not found" from the map alone would be safe against the keyring
// (the other process's write landing just after our read) but not against
// the file the other process writes next (profiles.json, state.json),
// which may reach us before the signal does, so a miss costs what every
// read cost before.
type ssIndex struct {
	conn    *dbus.Conn
	service string
	sigs    chan *dbus.Signal
	stop    chan struct{} // closed by close: the handler ends

	mu      sync.Mutex
	live    bool                         // filled, subscription running
	closed  bool                         // provider gone or connection dropped: answers nothing
	entries map[string][]ssItem          // username -> items
	paths   map[dbus.ObjectPath]string   // item -> username
	gone    map[dbus.ObjectPath]struct{} // deleted while the fill ran
	stale   map[string]struct{}          // entries to search for at their next access

	handled atomic.Uint64 // signals handled (tests wait on it)
	notify  chan struct{} // closed and replaced after each handled signal
}

type ssItem struct {
	path   dbus.ObjectPath
	locked bool
}

const (
	ssFillAfter   = 8  // accesses before the fill: one-shot processes keep their one search
	ssFillWindow  = 32 // attribute reads in flight during the fill
	ssCollIface   = "org.freedesktop.Secret.Collection"
	ssItemIface   = "org.freedesktop.Secret.Item"
	ssNameChanged = "org.freedesktop.DBus.NameOwnerChanged"
)

func newSSIndex(conn *dbus.Conn, service string) *ssIndex {
	return &ssIndex{conn: conn, service: service, sigs: make(chan *dbus.Signal, 1024),
		entries: map[string][]ssItem{}, paths: map[dbus.ObjectPath]string{},
		gone: map[dbus.ObjectPath]struct{}{}, stale: map[string]struct{}{}, notify: make(chan struct{}), stop: make(chan struct{})}
}

func (x *ssIndex) matches() [][]dbus.MatchOption {
	return [][]dbus.MatchOption{
		{dbus.WithMatchSender(ssService), dbus.WithMatchInterface(ssCollIface)},
		{dbus.WithMatchSender("org.freedesktop.DBus"), dbus.WithMatchInterface("org.freedesktop.DBus"),
			dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, ssService)},
	}
}

// fill subscribes first and searches after, so every change after the
// search arrives as a signal; a change between the two is both in the
// search's answer and signalled, which the handler applies idempotently.
func (x *ssIndex) fill() error {
	x.conn.Signal(x.sigs) // before the match: none of its signals is dropped
	go x.handle()
	for _, m := range x.matches() {
		if err := x.conn.AddMatchSignal(m...); err != nil {
			x.close()
			return err
		}
	}
	var unlocked, locked []dbus.ObjectPath
	if err := x.conn.Object(ssService, ssPath).Call(ssIface+".SearchItems", 0,
		map[string]string{"service": x.service}).Store(&unlocked, &locked); err != nil {
		x.close()
		return err
	}
	all := append(unlocked, locked...)
	users := x.usersOf(all)
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return errors.New("the Secret Service went away during the fill")
	}
	for i, p := range all {
		if _, gone := x.gone[p]; gone || users[i] == "" {
			continue
		}
		if _, known := x.paths[p]; !known { // a signal's newer view wins
			x.add(p, users[i], i >= len(unlocked))
		}
	}
	x.gone = nil
	x.live = true
	return nil
}

// usersOf reads the username attribute of each item, ssFillWindow calls in
// flight (gnome-keyring answers one at a time; the window hides the round
// trips). "" where the item is gone or not ours.
func (x *ssIndex) usersOf(paths []dbus.ObjectPath) []string {
	users := make([]string, len(paths))
	calls := make([]*dbus.Call, len(paths))
	collect := func(i int) {
		c := <-calls[i].Done
		var attrs map[string]string
		if c.Err == nil && c.Store(&attrs) == nil && attrs["service"] == x.service {
			users[i] = attrs["username"]
		}
	}
	for i, p := range paths {
		if i >= ssFillWindow {
			collect(i - ssFillWindow)
		}
		calls[i] = x.conn.Object(ssService, p).Go("org.freedesktop.DBus.Properties.Get", 0, nil, ssItemIface, "Attributes")
	}
	for i := max(0, len(paths)-ssFillWindow); i < len(paths); i++ {
		collect(i)
	}
	return users
}

// handle applies the signals. godbus may hand them over out of order when
// the channel is full, so each is applied as "look at the item now"
// rather than as an event: a deleted item is removed; a created or changed
// one is read again (and removed if it is gone by then).
func (x *ssIndex) handle() {
	for {
		var sig *dbus.Signal
		var open bool
		select {
		case sig, open = <-x.sigs:
			if !open { // the connection closed
				x.close()
				return
			}
		case <-x.stop:
			return
		}
		switch sig.Name {
		case ssCollIface + ".ItemDeleted":
			if p, ok := sigPath(sig); ok {
				x.remove(p)
			}
		case ssCollIface + ".ItemCreated", ssCollIface + ".ItemChanged":
			if p, ok := sigPath(sig); ok {
				x.refresh(p)
			}
		case ssNameChanged:
			if len(sig.Body) > 0 && sig.Body[0] == ssService {
				x.close() // restarted or gone: its paths mean nothing now
			}
		default:
			continue // another part of the process's signal
		}
		x.mu.Lock()
		x.handled.Add(1)
		close(x.notify)
		x.notify = make(chan struct{})
		x.mu.Unlock()
	}
}

func sigPath(sig *dbus.Signal) (dbus.ObjectPath, bool) {
	if len(sig.Body) == 0 {
		return "", false
	}
	p, ok := sig.Body[0].(dbus.ObjectPath)
	return p, ok
}

func (x *ssIndex) refresh(p dbus.ObjectPath) {
	var attrs map[string]string
	err := x.conn.Object(ssService, p).Call("org.freedesktop.DBus.Properties.Get", 0, ssItemIface, "Attributes").Store(&attrs)
	if err != nil || attrs["service"] != x.service {
		x.remove(p)
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.unlink(p)
	x.add(p, attrs["username"], false)
}

func (x *ssIndex) remove(p dbus.ObjectPath) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.unlink(p)
	if x.gone != nil {
		x.gone[p] = struct{}{}
	}
}

// add and unlink keep both maps in step; x.mu is held.
func (x *ssIndex) add(p dbus.ObjectPath, user string, locked bool) {
	x.paths[p] = user
	x.entries[user] = append(x.entries[user], ssItem{path: p, locked: locked})
}

func (x *ssIndex) unlink(p dbus.ObjectPath) {
	user, ok := x.paths[p]
	if !ok {
		return
	}
	delete(x.paths, p)
	items := x.entries[user]
	for i, it := range items {
		if it.path == p {
			items = append(items[:i:i], items[i+1:]...)
			break
		}
	}
	if len(items) == 0 {
		delete(x.entries, user)
	} else {
		x.entries[user] = items
	}
}

// lookup is the entry's items as a search would give them (the copy in the
// collection written to now first); false when the map cannot answer.
func (x *ssIndex) lookup(service, user string) (found, bool) {
	if x == nil || service != x.service {
		return found{}, false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	items := x.entries[user]
	if _, stale := x.stale[user]; stale || !x.live || x.closed || len(items) == 0 {
		return found{}, false
	}
	return pick(items, user), true
}

// learn adds what a search found (issued while the subscription was live,
// so anything later is signalled); kept beside what the map knows, since a
// signal handled meanwhile may already have added a newer copy.
func (x *ssIndex) learn(service, user string, f found) {
	if x == nil || service != x.service || f.item == "" {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.live || x.closed {
		return
	}
	delete(x.stale, user)
	for _, p := range append([]dbus.ObjectPath{f.item}, f.others...) {
		if _, known := x.paths[p]; !known {
			x.add(p, user, p == f.item && f.locked)
		}
	}
}

// forget drops paths the provider no longer has.
func (x *ssIndex) forget(paths ...dbus.ObjectPath) {
	if x == nil {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, p := range paths {
		x.unlink(p)
	}
}

// drop makes the entry's next access search (and learn what it finds),
// whatever the signals add meanwhile.
func (x *ssIndex) drop(user string) {
	if x == nil {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.stale[user] = struct{}{}
}

// close stops answering and unsubscribes.
func (x *ssIndex) close() {
	if x == nil {
		return
	}
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return
	}
	x.closed, x.live = true, false
	close(x.stop)
	x.entries, x.paths = map[string][]ssItem{}, map[dbus.ObjectPath]string{}
	x.mu.Unlock()
	go func() { // not from the handler's goroutine: RemoveSignal waits for deliveries
		x.conn.RemoveSignal(x.sigs)
		for _, m := range x.matches() {
			_ = x.conn.RemoveMatchSignal(m...)
		}
	}()
}

// pick orders an entry's items like find: the copy in the collection the
// entry is written to now first, then unlocked before locked.
func pick(items []ssItem, user string) found {
	want := ssLoginPath
	if volatileKind(user) {
		want = ssSessionPath
	}
	best := 0
	for i, it := range items[1:] {
		b := items[best]
		if inWant, bInWant := inCollection(it.path, want), inCollection(b.path, want); inWant && !bInWant ||
			inWant == bInWant && b.locked && !it.locked {
			best = i + 1
		}
	}
	f := found{item: items[best].path, locked: items[best].locked}
	for i, it := range items {
		if i != best {
			f.others = append(f.others, it.path)
		}
	}
	return f
}

// vanishedItem: the item's path no longer exists (deleted behind our back).
func vanishedItem(err error) bool {
	var de dbus.Error
	if errors.As(err, &de) {
		switch de.Name {
		case "org.freedesktop.Secret.Error.NoSuchObject", "org.freedesktop.DBus.Error.UnknownObject",
			"org.freedesktop.DBus.Error.UnknownMethod":
			return true
		}
	}
	return false
}

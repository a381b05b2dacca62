//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package credentials

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	dbus "github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
	ss "github.com/zalando/go-keyring/secret_service"
)

// The Secret Service client of SystemKeyring. go-keyring opens a Secret
// Service session, looks the collection up and unlocks it on every call:
// five to seven D-Bus round trips per secret, and every token it stores
// rewrites the encrypted login keyring file (~12 ms per write here, growing
// with the number of items). This client keeps one connection and one
// session for the life of the process (hand-written on go-keyring's ss
// package and godbus, because go-keyring cannot keep a session): a read is
// two round trips (search, get), a write one. Entries are the ones
// go-keyring reads and writes (attributes "service" and "username", the
// login collection), so both keep working on each other's entries.
//
// Cached access tokens (TokenCache) are the exception: they go to the
// Secret Service's in-memory "session" collection where the provider has
// one (gnome-keyring does). Every process of the user's session shares it,
// it is never written to disk and it ends with the session, which a cache of
// hour-long tokens can afford; a write there costs ~1 ms. Copies an earlier
// release left in the login collection are still read and are removed the
// first time they are seen beside a newer one.

const (
	ssService      = "org.freedesktop.secrets"
	ssPath         = dbus.ObjectPath("/org/freedesktop/secrets")
	ssIface        = "org.freedesktop.Secret.Service"
	ssLoginPath    = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	ssSessionPath  = dbus.ObjectPath("/org/freedesktop/secrets/collection/session")
	ssDefaultAlias = dbus.ObjectPath("/org/freedesktop/secrets/aliases/default")
	ssErrLocked    = "org.freedesktop.Secret.Error.IsLocked"
)

// volatileKind reports whether an entry belongs in the session collection.
func volatileKind(user string) bool {
	return strings.HasSuffix(user, "/"+string(TokenCache))
}

// ssConn is one connection's state: the session secrets travel in and,
// once something is written, the collections entries go to.
type ssConn struct {
	svc     *ss.SecretService
	session dbus.ObjectPath

	mu       sync.Mutex
	resolved bool
	login    dbus.ObjectPath // where go-keyring writes: collection/login, else the default alias
	volatile dbus.ObjectPath // the in-memory session collection; "" if the provider has none

	accesses atomic.Int32
	filling  atomic.Bool             // the fill was started (once per connection)
	filled   chan struct{}           // closed when the fill has ended
	idx      atomic.Pointer[ssIndex] // set once filled (keyring_ss_index.go)
}

// index counts an access and returns the entry map once it is filled. The
// ssFillAfter-th access starts the fill on its own goroutine: no call waits
// for it (a fill of thousands of items takes seconds, more than a call's
// deadline in Secrets), they search as before until it is done. A failed
// fill is not tried again on this connection (everything searches, as
// before). A process with fewer accesses (`credctl token`: one to three)
// never fills: one targeted search costs less than reading every item's
// attributes (see docs/bench/keyring.md).
func (c *ssConn) index(service string) *ssIndex {
	if x := c.idx.Load(); x != nil {
		return x
	}
	if c.accesses.Add(1) >= ssFillAfter && c.filling.CompareAndSwap(false, true) {
		go func() {
			defer close(c.filled)
			x := newSSIndex(c.svc.Conn, service)
			if x.fill() == nil {
				c.idx.Store(x)
			}
		}()
	}
	return c.idx.Load()
}

type secretServiceClient struct {
	mu  sync.Mutex
	cur *ssConn
}

// ssSearches counts entry searches (tests check the index spares them).
var ssSearches atomic.Int64

// systemSecretService is shared by every SystemKeyring of the process: the
// D-Bus session bus is one per process anyway.
var systemSecretService = &secretServiceClient{}

// open returns the current connection, opening the session on first use.
func (c *secretServiceClient) open() (*ssConn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur != nil {
		return c.cur, nil
	}
	svc, err := ss.NewSecretService()
	if err != nil {
		return nil, err
	}
	var ignored dbus.Variant
	var session dbus.ObjectPath
	// "plain", as go-keyring: the secret crosses the user's own session bus.
	if err := svc.Object(ssService, ssPath).Call(ssIface+".OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&ignored, &session); err != nil {
		return nil, err
	}
	c.cur = &ssConn{svc: svc, session: session, filled: make(chan struct{})}
	return c.cur, nil
}

// target is the collection an entry is written to. The provider's
// collections are asked for once per connection, on the first write (a
// process that only reads, like `credctl token`, never asks).
func (c *ssConn) target(user string) (dbus.ObjectPath, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.resolved {
		v, err := c.svc.Object(ssService, ssPath).GetProperty(ssIface + ".Collections")
		if err != nil {
			return "", err
		}
		c.login, c.volatile = ssDefaultAlias, ""
		paths, _ := v.Value().([]dbus.ObjectPath)
		for _, p := range paths {
			switch p {
			case ssLoginPath:
				c.login = p
			case ssSessionPath:
				c.volatile = p
			}
		}
		c.resolved = true
	}
	if volatileKind(user) && c.volatile != "" {
		return c.volatile, nil
	}
	return c.login, nil
}

// drop forgets conn so the next call opens a new session (the provider was
// restarted, or the bus connection closed).
func (c *secretServiceClient) drop(conn *ssConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == conn {
		c.cur = nil
		conn.idx.Load().close()
	}
}

// do runs op on the current connection and, if it failed because that
// connection or session is gone, once more on a new one.
func (c *secretServiceClient) do(op func(*ssConn) error) error {
	for attempt := 0; ; attempt++ {
		conn, err := c.open()
		if err != nil {
			return err
		}
		err = op(conn)
		if err == nil || attempt > 0 || !staleConnection(err) {
			return err
		}
		c.drop(conn)
	}
}

// staleConnection: errors after which a new connection and session may work.
func staleConnection(err error) bool {
	if errors.Is(err, dbus.ErrClosed) {
		return true
	}
	var de dbus.Error
	if errors.As(err, &de) {
		switch de.Name {
		case "org.freedesktop.DBus.Error.UnknownObject", "org.freedesktop.DBus.Error.UnknownMethod",
			"org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner",
			"org.freedesktop.DBus.Error.NoReply", "org.freedesktop.Secret.Error.NoSession":
			return true
		}
	}
	return false
}

// inCollection reports whether item lies in collection (its path below it).
func inCollection(item, collection dbus.ObjectPath) bool {
	return collection != "" && strings.HasPrefix(string(item), string(collection)+"/")
}

// found is what a search for one entry gave: the item to use and any
// others with the same attributes (older copies).
type found struct {
	item   dbus.ObjectPath
	locked bool
	others []dbus.ObjectPath
}

// find searches every collection of the provider for the entry. The copy
// in the collection the entry is written to now comes first: the session
// collection for a cached token, else the login collection.
func (c *ssConn) find(service, user string) (found, error) {
	ssSearches.Add(1)
	var unlocked, locked []dbus.ObjectPath
	attrs := map[string]string{"service": service, "username": user}
	if err := c.svc.Object(ssService, ssPath).Call(ssIface+".SearchItems", 0, attrs).Store(&unlocked, &locked); err != nil {
		return found{}, err
	}
	want := ssLoginPath
	if volatileKind(user) {
		want = ssSessionPath
	}
	var f found
	for i, it := range append(unlocked, locked...) {
		isLocked := i >= len(unlocked)
		if f.item == "" || (inCollection(it, want) && !inCollection(f.item, want)) {
			if f.item != "" {
				f.others = append(f.others, f.item)
			}
			f.item, f.locked = it, isLocked
		} else {
			f.others = append(f.others, it)
		}
	}
	return f, nil
}

// unlock unlocks an item or collection, letting the provider prompt.
func (c *ssConn) unlock(path dbus.ObjectPath) error {
	if err := c.svc.Unlock(path); err != nil {
		return fmt.Errorf("the keyring is locked and was not unlocked: %w", err)
	}
	return nil
}

// findUnlocked is find, unlocking the item found; keyring.ErrNotFound when
// there is none.
func (c *ssConn) findUnlocked(service, user string) (found, error) {
	f, err := c.find(service, user)
	if err != nil {
		return found{}, err
	}
	if f.item == "" {
		return found{}, keyring.ErrNotFound
	}
	if f.locked {
		if err := c.unlock(f.item); err != nil {
			return found{}, err
		}
	}
	return f, nil
}

func (c *secretServiceClient) Get(service, user string) (string, error) {
	var value string
	err := c.do(func(conn *ssConn) error {
		x := conn.index(service)
		if f, ok := x.lookup(service, user); ok {
			v, err := conn.read(f, user)
			if !vanishedItem(err) {
				value = v
				return err
			}
			x.forget(f.item) // deleted behind our back: search again
		}
		f, err := conn.findUnlocked(service, user)
		if err != nil {
			return err
		}
		x.learn(service, user, f)
		value, err = conn.read(f, user)
		return err
	})
	return value, err
}

// read gets the secret of f's item, unlocking it if the provider says it is
// locked, and removes an earlier release's copies of a cached token.
func (c *ssConn) read(f found, user string) (string, error) {
	s, err := c.svc.GetSecret(f.item, c.session)
	if isLocked(err) {
		if err := c.unlock(f.item); err != nil {
			return "", err
		}
		s, err = c.svc.GetSecret(f.item, c.session)
	}
	if err != nil {
		return "", err
	}
	if volatileKind(user) && inCollection(f.item, ssSessionPath) {
		for _, old := range f.others {
			_ = c.svc.Delete(old) // an earlier release's copy in the login keyring
		}
	}
	return string(s.Value), nil
}

func isLocked(err error) bool {
	var de dbus.Error
	return errors.As(err, &de) && de.Name == ssErrLocked
}

// Set stores under go-keyring's label (an existing entry keeps its label).
func (c *secretServiceClient) Set(service, user, secret string) error {
	return c.set(service, user, "", secret)
}

// SetLabeled creates or replaces the entry, labelled label.
func (c *secretServiceClient) SetLabeled(service, user, label, secret string) error {
	return c.set(service, user, label, secret)
}

// set replaces the secret of an existing entry in place (search, set: ~1.6
// ms with a thousand entries here), which is much cheaper for gnome-keyring
// than CreateItem's replace (~5 ms: it re-creates the item and announces
// it); a new entry is created. label "" keeps an existing entry's label.
func (c *secretServiceClient) set(service, user, label, secret string) error {
	return c.do(func(conn *ssConn) error {
		collection, err := conn.target(user)
		if err != nil {
			return err
		}
		x := conn.index(service)
		if f, ok := x.lookup(service, user); ok && inCollection(f.item, collection) {
			err := conn.setItem(f, label, secret)
			if !vanishedItem(err) {
				return err
			}
			x.forget(f.item) // deleted behind our back: search again
		}
		f, err := conn.find(service, user)
		if err != nil {
			return err
		}
		x.learn(service, user, f)
		if inCollection(f.item, collection) {
			return conn.setItem(f, label, secret)
		}
		if label == "" {
			label = fmt.Sprintf("Password for '%s' on '%s'", user, service)
		}
		attrs := map[string]string{"username": user, "service": service}
		create := func() error {
			return conn.svc.CreateItem(conn.svc.Object(ssService, collection), label, attrs, ss.NewSecret(conn.session, secret))
		}
		err = create()
		if isLocked(err) {
			if err := conn.unlock(collection); err != nil {
				return err
			}
			err = create()
		}
		// Until its signal is handled the map would offer an older copy
		// (an earlier release's, in the login collection): the next access
		// searches instead.
		x.drop(user)
		return err
	})
}

// setItem replaces the secret (and the label, if given) of f's item in
// place, unlocking it first if it is or turns out to be locked.
func (c *ssConn) setItem(f found, label, secret string) error {
	if f.locked {
		if err := c.unlock(f.item); err != nil {
			return err
		}
	}
	item := c.svc.Object(ssService, f.item)
	set := func() error {
		return item.Call("org.freedesktop.Secret.Item.SetSecret", 0, ss.NewSecret(c.session, secret)).Err
	}
	err := set()
	if isLocked(err) {
		if err := c.unlock(f.item); err != nil {
			return err
		}
		err = set()
	}
	if err != nil || label == "" {
		return err
	}
	return item.SetProperty("org.freedesktop.Secret.Item.Label", dbus.MakeVariant(label))
}

// Delete removes every copy of the entry.
func (c *secretServiceClient) Delete(service, user string) error {
	return c.do(func(conn *ssConn) error {
		f, err := conn.findUnlocked(service, user)
		if err != nil {
			return err
		}
		// Deletes always search: rare, and "every copy" must include one
		// another process made a moment ago.
		for _, it := range append([]dbus.ObjectPath{f.item}, f.others...) {
			if err := conn.svc.Delete(it); err != nil {
				return err
			}
			conn.idx.Load().forget(it)
		}
		return nil
	})
}

// SystemKeyring on this platform is the Secret Service client above.
func (SystemKeyring) Get(service, user string) (string, error) {
	return systemSecretService.Get(service, user)
}
func (SystemKeyring) Set(service, user, secret string) error {
	return systemSecretService.Set(service, user, secret)
}
func (SystemKeyring) Delete(service, user string) error {
	return systemSecretService.Delete(service, user)
}
func (SystemKeyring) SetLabeled(service, user, label, secret string) error {
	return systemSecretService.SetLabeled(service, user, label, secret)
}

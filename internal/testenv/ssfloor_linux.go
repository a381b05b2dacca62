package testenv

import (
	"fmt"
	"sync"
	"testing"

	dbus "github.com/godbus/dbus/v5"
)

// SecretServiceFloor does, straight over D-Bus and without any of the
// app's code, the least Secret Service work testing a profile needs: read
// its client secret (GetSecret on its item) and store the fresh token
// (SetSecret on its item in the in-memory session collection), over one
// session. An item's path is searched for once, the first time the floor
// meets the entry, and then remembered, as the app's entry map does (a
// path does not change until the item is deleted). Benchmarks add it to
// their bare token POSTs to show what the keyring itself costs.
type SecretServiceFloor struct {
	obj     dbus.BusObject
	conn    *dbus.Conn
	session dbus.ObjectPath
	service string

	mu    sync.Mutex
	paths map[string]dbus.ObjectPath
}

// NewSecretServiceFloor opens its own connection and session; service is
// the attribute the entries to read carry.
func NewSecretServiceFloor(tb testing.TB, service string) *SecretServiceFloor {
	tb.Helper()
	RequireKeyring(tb)
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = conn.Close() })
	f := &SecretServiceFloor{conn: conn, obj: conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets"), service: service, paths: map[string]dbus.ObjectPath{}}
	var ignored dbus.Variant
	if err := f.obj.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&ignored, &f.session); err != nil {
		tb.Fatal(err)
	}
	return f
}

type ssSecret struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string
}

// Read reads the entry user (get on its path), as a test reads a client secret.
func (f *SecretServiceFloor) Read(user string) error {
	item, err := f.search(user)
	if err != nil {
		return err
	}
	if item == "" {
		return fmt.Errorf("no unlocked entry %s", user)
	}
	var s ssSecret
	return f.conn.Object("org.freedesktop.secrets", item).Call("org.freedesktop.Secret.Item.GetSecret", 0, f.session).Store(&s)
}

// Store writes value under user into the session collection, as a test
// stores the token it obtained: in place when the entry is there (set on
// its path), else created (the caller removes the entries).
func (f *SecretServiceFloor) Store(user, value string) error {
	secret := ssSecret{Session: f.session, Parameters: []byte{}, Value: []byte(value), ContentType: "text/plain"}
	item, err := f.search(user)
	if err != nil {
		return err
	}
	if item != "" {
		return f.conn.Object("org.freedesktop.secrets", item).Call("org.freedesktop.Secret.Item.SetSecret", 0, secret).Err
	}
	props := map[string]dbus.Variant{
		"org.freedesktop.Secret.Item.Label":      dbus.MakeVariant("floor"),
		"org.freedesktop.Secret.Item.Attributes": dbus.MakeVariant(map[string]string{"service": f.service, "username": user}),
	}
	var created, prompt dbus.ObjectPath
	return f.conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets/collection/session").Call(
		"org.freedesktop.Secret.Collection.CreateItem", 0, props, secret, true).Store(&created, &prompt)
}

// search finds the first unlocked item of the entry user ("" if none),
// asking the provider only the first time.
func (f *SecretServiceFloor) search(user string) (dbus.ObjectPath, error) {
	f.mu.Lock()
	p, ok := f.paths[user]
	f.mu.Unlock()
	if ok {
		return p, nil
	}
	var unlocked, locked []dbus.ObjectPath
	if err := f.obj.Call("org.freedesktop.Secret.Service.SearchItems", 0,
		map[string]string{"service": f.service, "username": user}).Store(&unlocked, &locked); err != nil {
		return "", err
	}
	if len(unlocked) == 0 {
		return "", nil
	}
	f.mu.Lock()
	f.paths[user] = unlocked[0]
	f.mu.Unlock()
	return unlocked[0], nil
}

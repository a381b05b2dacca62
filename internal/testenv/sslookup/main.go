// Command sslookup is the Go floor of reading one Secret Service item: a
// process that connects to the session bus, opens a plain session, searches
// the item by its service and username attributes and prints its secret —
// what `secret-tool lookup` does, and the least any Go client (credctl
// token among them) must do to hand out a keyring entry. Benchmarks build
// it; it is not shipped.
package main

import (
	"fmt"
	"os"

	dbus "github.com/godbus/dbus/v5"
)

type secret struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: sslookup SERVICE USERNAME")
		os.Exit(2)
	}
	if err := lookup(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "sslookup:", err)
		os.Exit(1)
	}
}

func lookup(service, user string) error {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return err
	}
	defer conn.Close()
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var ignored dbus.Variant
	var session dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&ignored, &session); err != nil {
		return err
	}
	var unlocked, locked []dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.SearchItems", 0,
		map[string]string{"service": service, "username": user}).Store(&unlocked, &locked); err != nil {
		return err
	}
	if len(unlocked) == 0 {
		return fmt.Errorf("no unlocked item %s", user)
	}
	var s secret
	if err := conn.Object("org.freedesktop.secrets", unlocked[0]).Call("org.freedesktop.Secret.Item.GetSecret", 0, session).Store(&s); err != nil {
		return err
	}
	_, err = fmt.Printf("%s\n", s.Value)
	return err
}

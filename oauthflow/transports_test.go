package oauthflow

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
)

// Transports go through the service: each write is announced once in the
// writing process, and another process (credctl beside the workbench) sees
// it through Watch; deleting a profile a transport uses follows one rule.
func TestTransportsThroughTheService(t *testing.T) {
	wb, cli := twoProcesses(t)
	wbEvents, cliEvents := make(chan Event, 100), make(chan Event, 100)
	defer wb.Subscribe(func(e Event) { wbEvents <- e })()
	defer cli.Subscribe(func(e Event) { cliEvents <- e })()
	stop, err := wb.Watch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	want := func(events chan Event, kind EventKind, name string) {
		t.Helper()
		waitEvent(t, events, func(e Event) bool { return e.Kind == kind && e.Transport == name }, fmt.Sprintf("%q event for transport %q", kind, name))
	}

	p, err := cli.Save(credentials.Profile{Name: "orders app", Type: credentials.TypeApplication,
		TokenURL: "https://idp.example/token", ClientID: "c"}, credentials.SecretChange{ClientSecret: new("s")})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := cli.Transports().Save(credentials.Transport{Name: "orders", Type: credentials.TransportHTTP,
		URL: "https://api.example/orders", Authorization: credentials.AuthCredential, ProfileID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	want(cliEvents, EventTransportSaved, "orders")
	want(wbEvents, EventTransportSaved, "orders")

	// One rule: refused while used, with the transports named; Force deletes.
	err = wb.Delete("orders app", DeleteOptions{})
	var inUse *InUseError
	if !errors.As(err, &inUse) || len(inUse.Transports) != 1 || inUse.Transports[0] != "orders" {
		t.Fatalf("deleting a used profile: %v, want an InUseError naming \"orders\"", err)
	}
	if _, err := wb.Profile("orders app"); err != nil {
		t.Fatalf("the refused delete removed the profile: %v", err)
	}

	tr.URL = "https://api.example/v2/orders"
	if _, err := cli.Transports().Save(tr); err != nil {
		t.Fatal(err)
	}
	want(wbEvents, EventTransportSaved, "orders")
	if err := cli.Transports().Delete("orders"); err != nil {
		t.Fatal(err)
	}
	want(cliEvents, EventTransportDeleted, "orders")
	want(wbEvents, EventTransportDeleted, "orders")
	if err := wb.Delete("orders app", DeleteOptions{}); err != nil {
		t.Fatalf("a profile no transport uses: %v", err)
	}

	// The writer's own watcher does not announce its writes a second time.
	if _, err := wb.Transports().Save(credentials.Transport{Name: "plain", Type: credentials.TransportHTTP,
		URL: "https://api.example/x", Authorization: credentials.AuthNone}); err != nil {
		t.Fatal(err)
	}
	want(wbEvents, EventTransportSaved, "plain")
	// A later write elsewhere is seen together with anything still pending
	// of "plain": no second "plain" may come before it.
	if _, err := cli.Transports().Save(credentials.Transport{Name: "marker", Type: credentials.TransportHTTP,
		URL: "https://api.example/y", Authorization: credentials.AuthNone}); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(2 * time.Second)
	for {
		select {
		case e := <-wbEvents:
			if e.Transport == "plain" {
				t.Fatalf("the workbench announced its own save twice: %+v", e)
			}
			if e.Transport == "marker" {
				return
			}
		case <-deadline:
			t.Fatal("no event for the other process's transport within 2 s")
		}
	}
}

package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// plainProfile is an Application profile that is never sent anywhere.
func plainProfile(name string) credentials.Profile {
	return credentials.Profile{Name: name, Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/oauth2/token",
		ClientID: "client-" + strings.ToLower(name), Scope: "api:read"}
}

func transportFor(name string, p credentials.Profile) credentials.Transport {
	return credentials.Transport{Name: name, Type: credentials.TransportHTTP, Method: "GET",
		URL: "https://api.example.com/orders", Authorization: credentials.AuthCredential, ProfileID: p.ID}
}

// Deleting a profile follows the service's used-by rule (#25.1): a
// transport that starts using the profile while its confirmation is open
// (which named none) is asked about before the profile goes.
func TestDeleteAsksAgainWhenATransportNowUsesTheProfile(t *testing.T) {
	requireKeyring(t)
	repo := newRepo(t, nil)
	p := saveProfile(t, repo, plainProfile("Billing"), "s3cret-not-sent")
	h := newHarness(t, repo, nil)

	h.selectProfile("Billing")
	h.wb.screens.deleteSelected()
	first := h.wb.dialogs.top()
	if first == nil || first.title != "Delete profile" || strings.Contains(first.body.Text, "no credential") {
		t.Fatalf("the first confirmation should not name transports: %+v", first)
	}
	if _, err := h.svc.Transports().Save(transportFor("Orders", p)); err != nil {
		t.Fatal(err)
	}
	h.q.drain()
	h.tap(first.button("Delete"))
	h.waitFor("the second confirmation", func() bool {
		s := h.wb.dialogs.top()
		return s != nil && s != first && s.title == "Delete profile"
	})
	if got := h.wb.dialogs.top().body.Text; !strings.Contains(got, `transport(s) "Orders", which will then have no credential`) {
		t.Errorf("the second confirmation should name the transport:\n%s", got)
	}
	if _, err := h.svc.Profile(p.ID); err != nil || h.rowOf("Billing") < 0 {
		t.Fatalf("the profile must stay until the user agrees: %v", err)
	}
	h.tap(h.wb.dialogs.top().button("Delete"))
	h.waitFor("the delete", func() bool { return h.rowOf("Billing") < 0 })
	if _, err := h.svc.Profile(p.ID); err == nil {
		t.Error("the profile should be deleted once the user agreed")
	}
	if !strings.Contains(h.wb.bar.text.Text, `Deleted "Billing"`) {
		t.Errorf("status %q", h.wb.bar.text.Text)
	}
}

// A transport saved or deleted elsewhere (credctl, another window: the
// service announces it) shows in the tree without a Refresh.
func TestTransportTreeFollowsTransportEvents(t *testing.T) {
	requireKeyring(t)
	repo := newRepo(t, nil)
	p := saveProfile(t, repo, plainProfile("Billing"), "s3cret-not-sent")
	h := newHarness(t, repo, nil)
	nav := h.wb.nav
	hasNode := func(name string) bool {
		for _, id := range nav.childUIDs(nodeTransports) {
			if label, _ := nav.nodeLabel(id); label == name {
				return true
			}
		}
		return false
	}

	tr, err := h.svc.Transports().Save(transportFor("Orders", p))
	if err != nil {
		t.Fatal(err)
	}
	h.waitFor("the saved transport in the tree", func() bool { return hasNode("Orders") })
	tr.Name = "Orders v2"
	if _, err := h.svc.Transports().Save(tr); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the renamed transport in the tree", func() bool { return hasNode("Orders v2") && !hasNode("Orders") })
	if err := h.svc.Transports().Delete(tr.ID); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the deleted transport gone from the tree", func() bool { return !hasNode("Orders v2") })
}

// blockingOps holds a request until its context ends.
type blockingOps struct {
	*oauthflow.Service
	started chan struct{}
}

func (o *blockingOps) Request(ctx context.Context, _ string, _ oauthflow.RequestSpec) (*oauthflow.Response, error) {
	close(o.started)
	<-ctx.Done()
	return nil, ctx.Err()
}

// Work a screen starts ends when the app stops (#25.5): a request in
// flight is cancelled by Stop, not left running for its 90 s timeout.
func TestRequestEndsWhenTheAppStops(t *testing.T) {
	requireKeyring(t)
	repo := newRepo(t, nil)
	saveProfile(t, repo, plainProfile("Billing"), "s3cret-not-sent")
	svc := oauthflow.NewService(repo, nil, nil)
	t.Cleanup(svc.Close)
	ops := &blockingOps{Service: svc, started: make(chan struct{})}
	h := newHarnessOps(t, repo, ops)

	h.selectProfile("Billing")
	h.wb.screens.requestSelected()
	d := h.wb.screens.req
	test.Type(d.url, "https://api.example.com/orders")
	h.tap(d.send)
	<-ops.started
	h.wb.Stop()
	h.waitFor("the request to end", func() bool { return d.stop == nil })
	if d.status.Text != "Request cancelled: no answer." {
		t.Errorf("status after the app stopped: %q", d.status.Text)
	}
}

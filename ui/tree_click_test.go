package ui

import (
	"testing"

	"fyne.io/fyne/v2"

	"github.com/credworkbench/credworkbench/credentials"
)

// TestTreeLeftClickOnNameOrIconSwitchesView: a left click on a node's name
// or icon selects it and shows its view, as the real window delivers the
// click (to the node, which is right-clickable, not to the tree's row).
func TestTreeLeftClickOnNameOrIconSwitchesView(t *testing.T) {
	repo := newRepo(t, nil)
	if _, err := repo.Transports().Save(credentials.Transport{Name: "Orders", Type: credentials.TransportHTTP,
		Method: "GET", URL: "https://api.example.com/orders"}, nil); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, repo, nil)
	h.win.Resize(fyne.NewSize(1024, 700))
	nav := h.wb.nav
	nav.reload()
	tr, err := repo.Transports().Get("Orders")
	if err != nil {
		t.Fatal(err)
	}
	c := h.win.Canvas()
	for _, step := range []struct {
		node  string
		label bool // click the name, else the icon
		view  fyne.CanvasObject
	}{
		{nodeTransports, true, nav.transport.root},
		{nodeLogs, false, nav.logs.root},
		{nodeTransportPrefix + tr.ID, true, nav.transport.root},
		{nodeCredentials, false, nav.credentials},
		{nodeLogs, true, nav.logs.root},
		{nodeAdmin, true, nav.credentials},
	} {
		nn := h.navNodeOf(step.node)
		target := fyne.CanvasObject(nn.icon)
		if step.label {
			target = nn.label
		}
		clickAt(t, c, centre(target))
		if nav.selected != step.node || nav.view.Objects[0] != step.view {
			t.Fatalf("a left click on the %s of %q: selected %q", map[bool]string{true: "name", false: "icon"}[step.label],
				step.node, nav.selected)
		}
	}
	if nav.transport.id != tr.ID {
		t.Errorf("the transport node shows transport %q", nav.transport.id)
	}
	if c.Focused() != nav.tree {
		t.Error("after a click the tree has the keyboard focus (arrow keys move on from the clicked node)")
	}
}

package e2e

import (
	"strings"
	"testing"
)

// TestAddEditDelete: a profile added with credctl shows up in the running
// window; edited there with the keyboard (select, Enter, change the name,
// Enter saves) and deleted (Delete key, confirm), credctl agrees each time.
func TestAddEditDelete(t *testing.T) {
	h := New(t)
	w := h.StartWorkbench()
	w.Resize(1280, 800)

	h.AddApp(nil, "Billing API")
	w.WaitText("Billing API", uiWait)

	w.ClickText("Billing API", uiWait) // select the row
	w.Key("Return")
	w.WaitText("Edit Billing API", uiWait)
	// The form opens with the focus in Name.
	w.Key("End")
	w.Type(" v2")
	w.Key("Return")
	w.WaitGone("Edit Billing API", uiWait) // the form closed: saved
	w.WaitText("Billing API v2", uiWait)
	if out := h.MustCredctl("list").Stdout; !strings.Contains(out, "Billing API v2") {
		t.Fatalf("credctl list after the edit in the window:\n%s", out)
	}

	w.Key("Delete")
	w.WaitText("Delete profile", uiWait)
	// Enter never confirms a delete: Tab to the dialog's Delete button
	// (after Cancel) and press it with Space, as a keyboard user does.
	w.Key("Tab", "Tab", "space")
	w.WaitText("0 profiles", uiWait) // the count in the status bar
	if r := h.MustCredctl("list"); strings.Contains(r.Stdout, "Billing API") {
		t.Fatalf("credctl list after the delete in the window:\n%s", r.Stdout)
	}
}

package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// TestTestTurnsActive: with the IdP's token endpoint failing, the
// workbench's start-up test shows the row Failed; once the IdP answers
// again, Test in the window (Ctrl+T on the selected row) turns it Active,
// and credctl sees the same status.
func TestTestTurnsActive(t *testing.T) {
	h := New(t)
	h.AddApp(nil, "Billing API")
	h.IdP.SetTokenFault(t, testidp.Fault{Status: http.StatusServiceUnavailable})
	t.Cleanup(func() { h.IdP.Reset(t) })

	w := h.StartWorkbench()
	w.Resize(1280, 800)
	w.WaitText("Failed", uiWait)

	h.IdP.Reset(t) // the IdP works again
	w.Key("Down")  // select the row
	w.Key("ctrl+t")
	s := w.WaitText("Active", uiWait)
	if s.Contains("Failed") {
		t.Fatalf("the window still shows Failed after the test:\n%s", s.Text())
	}
	if st := h.IdP.Stats(t); st.Grants["client_credentials"] < 1 {
		t.Fatalf("Test made no token request: %+v", st)
	}
	if out := h.MustCredctl("show", "Billing API").Stdout; !strings.Contains(out, "Active") {
		t.Fatalf("credctl show after Test in the window:\n%s", out)
	}
}

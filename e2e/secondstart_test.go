package e2e

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestSecondStart: starting bin/credworkbench while one runs hands over to
// the running one (which keeps its window) and exits 0 at once, saying so.
func TestSecondStart(t *testing.T) {
	h := New(t)
	h.AddApp(nil, "Billing API")
	w := h.StartWorkbench()
	w.WaitText("Billing API", uiWait)

	out, code := h.RunWorkbench(60 * time.Second)
	if code != 0 || !strings.Contains(out, "already running") {
		t.Fatalf("the second start: exit %d, output %q; want exit 0 and \"already running\"", code, out)
	}
	if done, err := w.Exited(); done {
		t.Fatalf("the first workbench ended on the second start: %v\n%s", err, w.Output())
	}
	// Still one workbench window on the display: the first one's.
	ids, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^"+windowTitle+"$").Output()
	if got := strings.Fields(string(ids)); len(got) != 1 || got[0] != w.ID {
		t.Fatalf("visible workbench windows %q, want only %s", got, w.ID)
	}
	w.WaitText("Billing API", uiWait)
}

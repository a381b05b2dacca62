package e2e

import (
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// TestFailedTestKeepsValidTokenActive (#24.2): a profile tested OK, then
// its IdP stops and it is tested again. The token of the first test is
// still valid and credctl token still serves it, so credctl show says
// Active with the renewal failing and how long the token stays valid, and
// the window (its start-up test and a Test with Ctrl+T both fail) shows
// the same words.
func TestFailedTestKeepsValidTokenActive(t *testing.T) {
	h := New(t)
	idp, stopIdP, err := testidp.Launch(t.TempDir()) // an IdP of this test's own: it is stopped
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { stopIdP() }) }
	t.Cleanup(stop)
	h.AddApp(idp, "Billing API")
	h.MustCredctl("test", "Billing API")
	tok := h.MustCredctl("token", "Billing API").Stdout

	stop()
	if r := h.Credctl("test", "Billing API"); r.Code == 0 {
		t.Fatalf("credctl test against the stopped IdP succeeded:\n%s", r)
	}
	show := h.MustCredctl("show", "Billing API").Stdout
	status := regexp.MustCompile(`(?m)^Status:\s+Active — renewal failing \(Network\), token valid (\d+) min$`)
	if m := status.FindStringSubmatch(show); m == nil || len(m[1]) != 2 || m[1][0] != '5' {
		t.Fatalf("credctl show does not say Active with the renewal failing and about an hour left:\n%s", show)
	}
	if !strings.Contains(show, "Last error:") {
		t.Errorf("credctl show hides the failure:\n%s", show)
	}
	if again := h.MustCredctl("token", "Billing API").Stdout; again != tok {
		t.Errorf("credctl token no longer serves the still valid token")
	}
	list := h.MustCredctl("list").Stdout
	if !strings.Contains(list, "Active — renewal failing (Network)") {
		t.Errorf("credctl list:\n%s", list)
	}

	w := h.StartWorkbench()
	w.Resize(1280, 800)
	w.WaitText("renewal failing", uiWait) // the start-up test failed too
	w.Key("Down")                         // select the row: the details and the status bar
	w.Key("ctrl+t")                       // Test again, against the stopped IdP
	s := w.WaitText("token valid", uiWait)
	for _, want := range []string{"Active", "renewal failing (Network)", "token valid 5"} {
		if !s.Contains(want) {
			t.Errorf("the window does not show %q:\n%s", want, s.Text())
		}
	}
	if s.Contains("Failed: Network") {
		t.Errorf("the window shows Failed while the token is valid:\n%s", s.Text())
	}
}

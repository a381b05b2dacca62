package e2e

import (
	"testing"
	"time"
)

// TestWorkbenchRenewsWhatCredctlFetched: the README promises that a running
// workbench keeps every profile's token fresh for credctl and scripts at
// its refresh interval, also a token that credctl (not the window) fetched.
func TestWorkbenchRenewsWhatCredctlFetched(t *testing.T) {
	h := New(t)
	h.AddApp(nil, "Renewed API", "--refresh-interval", "30s")
	w := h.StartWorkbench()
	defer w.Stop()
	w.WaitText("Renewed API", 60*time.Second)
	// The start-up test is over once its token request reached the IdP.
	for deadline := time.Now().Add(30 * time.Second); h.IdP.Stats(t).Grants["client_credentials"] == 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the workbench did not test the profile at start-up")
		}
	}
	h.MustCredctl("token", "Renewed API", "--fresh")
	h.IdP.Reset(t)
	deadline := time.Now().Add(75 * time.Second)
	for time.Now().Before(deadline) {
		if st := h.IdP.Stats(t); st.Grants["client_credentials"] >= 2 {
			return // renewed at least twice in 75 s: every 30 s
		}
		time.Sleep(250 * time.Millisecond) // a Stats call is cheap: return at the second renewal
	}
	t.Fatalf("the workbench renewed %d time(s) in 75 s with a 30 s refresh interval", h.IdP.Stats(t).Grants["client_credentials"])
}

package e2e

import "testing"

// TestWorkbenchShowsGitHosts: the git remotes a profile serves through
// `credctl git-credential` (set with credctl add --git-host) are shown in
// the workbench's details, so an administrator sees which profile git uses.
func TestWorkbenchShowsGitHosts(t *testing.T) {
	h := New(t)
	h.AddApp(nil, "Azure Repos", "--git-host", "dev.azure.com", "--git-username", "build-bot")
	w := h.StartWorkbench()
	defer w.Stop()
	w.Resize(1280, 800)
	w.WaitText("Azure Repos", uiWait)
	w.Key("Down") // select the row: its details
	w.WaitText("Client secret", uiWait)
	w.wheel(500, 700, 10) // the details pane scrolls: the git hosts are near its end
	s := w.WaitText("Git hosts", uiWait)
	if !s.Contains("dev.azure.com") {
		t.Errorf("the details do not name the git host:\n%s", s.Text())
	}
}

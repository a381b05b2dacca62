package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// TestExportImport: `credctl export` writes the profiles without secrets;
// `credctl import` of that file into a fresh configuration brings them
// back, and the workbench started there shows them.
func TestExportImport(t *testing.T) {
	from := New(t)
	from.AddApp(nil, "Billing API")
	from.AddUser(nil, "Portal login")
	file := filepath.Join(t.TempDir(), "profiles.json")
	from.MustCredctl("export", file)
	data, err := os.ReadFile(file) // #nosec G304 -- the test's own file
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), testidp.AppClientSecret) {
		t.Fatal("the export holds the client secret")
	}

	to := New(t)
	r := to.MustCredctl("import", file)
	for _, name := range []string{"Billing API", "Portal login"} {
		if !strings.Contains(r.Stdout+r.Stderr, name) {
			t.Errorf("import does not name %q:\n%s", name, r)
		}
		if !strings.Contains(to.MustCredctl("list").Stdout, name) {
			t.Errorf("credctl list after the import lacks %q", name)
		}
	}
	w := to.StartWorkbench()
	w.Resize(1280, 800)
	s := w.WaitText("Billing API", uiWait)
	if !s.Contains("Portal login") {
		t.Fatalf("the window shows %q but not the imported User profile:\n%s", "Billing API", s.Text())
	}
}

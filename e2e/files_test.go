package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// TestSecondStartWithoutRuntimeDir (#23.4): without XDG_RUNTIME_DIR (ssh,
// su), another user (uid 65534) created $TMPDIR/credworkbench-<uid>, the
// old single-instance folder, first. The workbench still claims its one
// instance (in the user's cache directory): a second start hands over to
// it and exits 0, no second window.
func TestSecondStartWithoutRuntimeDir(t *testing.T) {
	uid, gid := testenv.Nobody(t)
	h := New(t)
	tmp := t.TempDir()
	if err := os.Chmod(tmp, 0o1777); err != nil { // like /tmp
		t.Fatal(err)
	}
	squat := filepath.Join(tmp, fmt.Sprintf("credworkbench-%d", os.Getuid()))
	if err := os.Mkdir(squat, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(squat, uid, gid); err != nil {
		t.Fatal(err)
	}
	h.Env = append(h.Env, "XDG_RUNTIME_DIR=", "TMPDIR="+tmp)
	h.AddApp(nil, "Billing API")
	w := h.StartWorkbench()
	w.WaitText("Billing API", uiWait)
	if strings.Contains(w.Output(), "cannot make sure only one workbench runs") {
		t.Fatalf("the workbench did not claim its instance:\n%s", w.Output())
	}

	out, code := h.RunWorkbench(60 * time.Second)
	if code != 0 || !strings.Contains(out, "already running") {
		t.Fatalf("the second start: exit %d, output %q; want exit 0 and \"already running\"", code, out)
	}
	if done, err := w.Exited(); done {
		t.Fatalf("the first workbench ended on the second start: %v\n%s", err, w.Output())
	}
	if _, err := os.Stat(filepath.Join(h.Home, ".cache", "credworkbench", "run", "instance.lock")); err != nil {
		t.Errorf("the instance is not in the user's cache directory: %v", err)
	}
}

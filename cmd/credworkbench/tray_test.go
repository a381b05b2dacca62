package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// watcher stands in for a panel's StatusNotifierWatcher (KDE, Xfce, GNOME's
// AppIndicator extension): it owns the well-known name and records which
// bus name registered a tray item, so the test can read the item's icon
// and menu the way a panel does.
type watcher struct {
	mu   sync.Mutex
	item string // the registering bus name
}

func (w *watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.item = string(sender)
	return nil
}

func (w *watcher) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

func (w *watcher) registered() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.item
}

// startWatcher acts as the panel's StatusNotifierWatcher (a tray host)
// until the end of the test: without one the workbench has no tray icon
// to hide into, and closing its window quits.
func startWatcher(t *testing.T) (*watcher, *dbus.Conn) {
	t.Helper()
	testenv.LockDesktopBus(t) // the e2e tray scenarios play the tray host on this bus too
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	w := &watcher{}
	if err := conn.Export(w, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("cannot act as the StatusNotifierWatcher (%v, %v): is a panel running on this bus?", reply, err)
	}
	t.Cleanup(func() { _, _ = conn.ReleaseName("org.kde.StatusNotifierWatcher") })
	return w, conn
}

// menuNode is one com.canonical.dbusmenu item.
type menuNode struct {
	id       int32
	label    string
	children []menuNode
}

func parseMenu(v []any) menuNode {
	n := menuNode{id: v[0].(int32)}
	if l, ok := v[1].(map[string]dbus.Variant)["label"]; ok {
		n.label, _ = l.Value().(string)
	}
	for _, c := range v[2].([]dbus.Variant) {
		n.children = append(n.children, parseMenu(c.Value().([]any)))
	}
	return n
}

func (n menuNode) labels() []string {
	var out []string
	for _, c := range n.children {
		out = append(out, c.label)
	}
	return out
}

func (n menuNode) find(prefix string) (menuNode, bool) {
	for _, c := range n.children {
		if c.label != "" && strings.HasPrefix(c.label, prefix) {
			return c, true
		}
	}
	return menuNode{}, false
}

// TestRealTrayOverDBus starts the real workbench hidden, with a profile that
// fails, and reads its tray item over D-Bus as a panel would: the icon is
// the failing variant (red dot), the menu lists the profile as failing with
// its actions; the menu's Open workbench shows the window and Quit ends the
// process.
func TestRealTrayOverDBus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the StatusNotifierItem tray is the Linux one")
	}
	if os.Getenv("DISPLAY") == "" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		testenv.Unavailable(t, "DISPLAY or the D-Bus session is missing: run under scripts/test.sh (Xvfb and a private session bus)")
		return
	}
	testenv.RequireKeyring(t)
	w, conn := startWatcher(t)

	dir := t.TempDir()
	bin := filepath.Join(dir, "credworkbench")
	ctl := filepath.Join(dir, "credctl")
	for out, pkg := range map[string]string{bin: ".", ctl: "../credctl"} {
		if b, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, b)
		}
	}
	home, run := filepath.Join(dir, "home"), filepath.Join(dir, "run")
	for _, d := range []string{home, run} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "XDG_RUNTIME_DIR="+run, "LANG=en_US.UTF-8")
	// Nothing listens on port 1: the startup test fails with a network error.
	add := exec.Command(ctl, "add", "--name", "Billing API", "--type", "application", "--token-url",
		"https://127.0.0.1:1/token", "--client-id", "billing", "--client-secret-stdin", "--no-test")
	add.Env, add.Stdin = env, strings.NewReader("s3cret\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("credctl add: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		del := exec.Command(ctl, "delete", "--yes", "Billing API")
		del.Env = env
		_ = del.Run()
	})

	_, exited, log := startApp(t, bin, env, "--hidden")

	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(200 * time.Millisecond) {
			select {
			case err := <-exited:
				t.Fatalf("%s: the workbench exited: %v\n%s", what, err, log.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s\n%s", what, log.String())
			}
		}
	}
	waitUntil("the tray item to register", func() bool { return w.registered() != "" })
	item := conn.Object(w.registered(), "/StatusNotifierItem")
	menuObj := conn.Object(w.registered(), "/StatusNotifierMenu")
	layout := func() menuNode {
		call := menuObj.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
		if call.Err != nil || len(call.Body) != 2 {
			return menuNode{}
		}
		root, _ := call.Body[1].([]any) // (revision, (id, properties, children))
		if root == nil {
			return menuNode{}
		}
		return parseMenu(root)
	}
	var menu menuNode
	waitUntil("the menu to show the failing profile", func() bool {
		menu = layout()
		_, ok := menu.find("Billing API — Failed: Network")
		return ok
	})
	got := strings.Join(menu.labels(), "|")
	for _, want := range []string{"Open workbench", "1 of 1 profile failing", "Billing API — Failed: Network", "Settings", "Quit"} {
		if !strings.Contains(got, want) {
			t.Errorf("tray menu %q lacks %q", got, want)
		}
	}
	billing, _ := menu.find("Billing API")
	if l := strings.Join(billing.labels(), "|"); l != "Copy access token|Test" {
		t.Errorf("the profile's submenu: %q", l)
	}
	settings, _ := menu.find("Settings")
	if l := strings.Join(settings.labels(), "|"); !strings.Contains(l, "Keep running when the window is closed|Start at login") {
		t.Errorf("Settings: %q", l)
	}

	// The icon a panel draws: the failing variant has a red dot.
	v, err := item.GetProperty("org.kde.StatusNotifierItem.IconPixmap")
	if err != nil {
		t.Fatal(err)
	}
	if !hasRedPixels(t, v) {
		t.Error("the tray icon has no red dot while a profile fails")
	}

	click := func(n menuNode) {
		t.Helper()
		if c := menuObj.Call("com.canonical.dbusmenu.Event", 0, n.id, "clicked", dbus.MakeVariant(""), uint32(0)); c.Err != nil {
			t.Fatalf("clicking %q: %v", n.label, c.Err)
		}
	}
	open, _ := menu.find("Open workbench")
	click(open)
	waitUntil("the window opened from the tray", func() bool {
		out, _ := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^Credential Workbench$").Output()
		return len(bytes.TrimSpace(out)) > 0
	})
	quit, _ := menu.find("Quit")
	click(quit)
	select {
	case err := <-exited:
		exited <- err // for startApp's cleanup
		if err != nil {
			t.Fatalf("Quit from the tray: %v\n%s", err, log.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("Quit from the tray did not end the process\n%s", log.String())
	}
}

// hasRedPixels looks for the failing dot in an IconPixmap value
// (a(iiay): width, height, ARGB bytes).
func hasRedPixels(t *testing.T, v dbus.Variant) bool {
	t.Helper()
	pix, ok := v.Value().([][]any)
	if !ok || len(pix) == 0 {
		t.Fatalf("IconPixmap of signature %s", v.Signature())
	}
	data, _ := pix[0][2].([]byte)
	red := 0
	for i := 0; i+3 < len(data); i += 4 {
		a, r, g, b := data[i], data[i+1], data[i+2], data[i+3]
		if a > 200 && r > 180 && g < 80 && b < 80 {
			red++
		}
	}
	t.Logf("icon %vx%v, %d red pixels", pix[0][0], pix[0][1], red)
	return red > 20
}

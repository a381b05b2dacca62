package autostart

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

var spec = Spec{ID: "io.github.credworkbench", Name: "Credential Workbench", Comment: "Keeps tokens fresh",
	Exe: "/opt/cred $work/credworkbench", Args: []string{"--hidden"}}

// On Linux the entry is a real file: written where XDG says, read back,
// and removed again.
func TestLinuxEntryWrittenAndRemoved(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the XDG entry is applied on Linux only; entryFor is tested for every OS below")
	}
	home := t.TempDir()
	env := Env{Home: home, XDGConfigHome: filepath.Join(home, "cfg")}
	if Enabled(env, spec) {
		t.Fatal("enabled before Enable")
	}
	loc, err := Enable(env, spec)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(home, "cfg", "autostart", "io.github.credworkbench.desktop")
	if loc.Path != want || loc.Kind != KindFile {
		t.Fatalf("location %v, want %s", loc, want)
	}
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"[Desktop Entry]", "Type=Application", "Name=Credential Workbench",
		`Exec="/opt/cred \\$work/credworkbench" "--hidden"`, "X-GNOME-Autostart-enabled=true"} {
		if !strings.Contains(string(b), line+"\n") {
			t.Errorf("entry lacks %q:\n%s", line, b)
		}
	}
	if st, _ := os.Stat(want); st.Mode().Perm() != 0o644 {
		t.Errorf("entry mode %v", st.Mode())
	}
	if !Enabled(env, spec) {
		t.Error("not enabled after Enable")
	}
	if _, err := Enable(env, spec); err != nil { // idempotent
		t.Fatal(err)
	}
	if _, err := Disable(env, spec); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(want); !os.IsNotExist(err) {
		t.Fatalf("entry still there: %v", err)
	}
	if _, err := Disable(env, spec); err != nil { // nothing to remove
		t.Fatal(err)
	}
	left, _ := os.ReadDir(filepath.Dir(want))
	if len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestLinuxEntryDefaultsToDotConfig(t *testing.T) {
	for _, xdg := range []string{"", "relative/cfg"} {
		loc, _, err := entryFor("linux", Env{Home: "/home/ann", XDGConfigHome: xdg}, spec)
		if err != nil || loc.Path != "/home/ann/.config/autostart/io.github.credworkbench.desktop" {
			t.Errorf("XDG_CONFIG_HOME=%q: %v %v", xdg, loc, err)
		}
	}
}

func TestDesktopExecQuoting(t *testing.T) {
	got := desktopExec(`/x/a"b\c%d`, []string{"--tray"})
	want := `"/x/a\\"b\\\\c%%d" "--tray"`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestMacLaunchAgent(t *testing.T) {
	s := spec
	s.Exe = "/Applications/Credential Workbench.app/Contents/MacOS/credworkbench"
	s.Args = []string{"--hidden", "a<b&c"}
	loc, content, err := entryFor("darwin", Env{Home: "/Users/ann"}, s)
	if err != nil {
		t.Fatal(err)
	}
	if loc.Kind != KindFile || loc.Path != "/Users/ann/Library/LaunchAgents/io.github.credworkbench.plist" {
		t.Errorf("location %v", loc)
	}
	for _, want := range []string{"<key>Label</key>\n\t<string>io.github.credworkbench</string>",
		"<string>/Applications/Credential Workbench.app/Contents/MacOS/credworkbench</string>\n\t\t<string>--hidden</string>\n\t\t<string>a&lt;b&amp;c</string>",
		"<key>RunAtLoad</key>\n\t<true/>"} {
		if !strings.Contains(content, want) {
			t.Errorf("plist lacks %q:\n%s", want, content)
		}
	}
}

func TestWindowsRunValue(t *testing.T) {
	s := spec
	s.Exe = `C:\Program Files\Credential Workbench\credworkbench.exe`
	loc, content, err := entryFor("windows", Env{}, s)
	if err != nil {
		t.Fatal(err)
	}
	if loc.Kind != KindRunKey || loc.Path != `Software\Microsoft\Windows\CurrentVersion\Run` || loc.Value != "Credential Workbench" {
		t.Errorf("location %v", loc)
	}
	if want := `"C:\Program Files\Credential Workbench\credworkbench.exe" --hidden`; content != want {
		t.Errorf("command line %s, want %s", content, want)
	}
	if got := windowsQuote(`a "b" c\`); got != `"a \"b\" c\\"` {
		t.Errorf("quote: %s", got)
	}
}

func TestBadSpecRefused(t *testing.T) {
	for _, s := range []Spec{{ID: "x", Name: "y", Exe: "relative"}, {Name: "y", Exe: "/abs"}} {
		if _, _, err := entryFor("linux", Env{Home: "/h"}, s); err == nil || !strings.Contains(err.Error(), "absolute program path") {
			t.Errorf("%+v: %v", s, err)
		}
	}
}

package oauthflow

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeOpener puts a script named name on an otherwise empty PATH; it writes
// its argument to the returned file.
func fakeOpener(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "opened.txt")
	script := "#!/bin/sh\nprintf '%s' \"$1\" > " + out + "\necho chatter\necho more chatter >&2\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	t.Setenv("BROWSER", "")
	return out
}

func linuxOnly(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("exercises the Linux openers (xdg-open, wslview)")
	}
}

func TestSystemBrowserOpensWithXdgOpen(t *testing.T) {
	linuxOnly(t)
	out := fakeOpener(t, "xdg-open")
	t.Setenv("DISPLAY", ":99")
	t.Setenv("WSL_DISTRO_NAME", "")
	t.Setenv("WSL_INTEROP", "")
	const u = "https://idp.example/auth?client_id=x&state=abc"
	if err := (SystemBrowser{}).Open(u); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil || string(got) != u {
		t.Fatalf("xdg-open got %q (%v), want %q", got, err, u)
	}
}

func TestSystemBrowserFailures(t *testing.T) {
	linuxOnly(t)
	t.Setenv("BROWSER", "")
	t.Setenv("WSL_DISTRO_NAME", "")
	t.Setenv("WSL_INTEROP", "")
	const u = "https://idp.example/auth?state=SECRETSTATE"

	t.Run("no opener", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		t.Setenv("DISPLAY", ":99")
		err := (SystemBrowser{}).Open(u)
		if err == nil || !strings.Contains(err.Error(), "xdg-open") || !strings.Contains(err.Error(), "yourself") {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), "SECRETSTATE") {
			t.Fatalf("the error echoes the URL: %v", err)
		}
	})
	t.Run("opener fails", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Setenv("PATH", dir)
		t.Setenv("DISPLAY", ":99")
		if err := (SystemBrowser{}).Open(u); err == nil || !strings.Contains(err.Error(), "could not be opened") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("no display", func(t *testing.T) {
		out := fakeOpener(t, "xdg-open")
		t.Setenv("DISPLAY", "")
		t.Setenv("WAYLAND_DISPLAY", "")
		if err := (SystemBrowser{}).Open(u); err == nil || !strings.Contains(err.Error(), "no graphical session") {
			t.Fatalf("err = %v", err)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatal("xdg-open ran without a display")
		}
	})
	t.Run("WSL without wslview", func(t *testing.T) {
		fakeOpener(t, "xdg-open")
		t.Setenv("DISPLAY", ":99")
		t.Setenv("WSL_DISTRO_NAME", "Ubuntu")
		if err := (SystemBrowser{}).Open(u); err == nil || !strings.Contains(err.Error(), "wslu") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("WSL with wslview", func(t *testing.T) {
		out := fakeOpener(t, "wslview")
		t.Setenv("WSL_DISTRO_NAME", "Ubuntu")
		if err := (SystemBrowser{}).Open(u); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(out); string(got) != u {
			t.Fatalf("wslview got %q", got)
		}
	})
	t.Run("not a web address", func(t *testing.T) {
		out := fakeOpener(t, "xdg-open")
		t.Setenv("DISPLAY", ":99")
		for _, bad := range []string{"file:///etc/passwd", "javascript:alert(1)", "/usr/bin/xterm", "https://"} {
			if err := (SystemBrowser{}).Open(bad); err == nil {
				t.Errorf("Open(%q) succeeded", bad)
			}
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatal("the opener ran for a non-web address")
		}
	})
}

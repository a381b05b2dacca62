package main

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
)

// TestRealWindowSmoke starts the built binary on an X display with a seeded
// config, waits for its window, screenshots it and checks the process is
// alive and the window mapped; then stops it as PLATFORM.md advises
// (SIGTERM, 5 s, SIGKILL: Fyne sometimes hangs on shutdown).
func TestRealWindowSmoke(t *testing.T) {
	testenv.RequireDisplay(t)
	for _, tool := range []string{"xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: apt-get install -y xdotool imagemagick", tool)
		}
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "credworkbench")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// Seed a config with two profiles (no secrets needed to show them).
	cfg := filepath.Join(dir, "config")
	store := credentials.NewStore(filepath.Join(cfg, "credworkbench", "profiles.json"))
	err := store.Update(func([]credentials.Profile) ([]credentials.Profile, error) {
		ps := []credentials.Profile{
			{ID: "a", Name: "Smoke app", Type: credentials.TypeApplication, TokenURL: "https://idp.example.com/token", ClientID: "smoke"},
			{ID: "u", Name: "Smoke user", Type: credentials.TypeUser, IssuerURL: "https://idp.example.com", ClientID: "smoke-user"},
		}
		for i := range ps {
			ps[i].Normalize()
			ps[i].Revision = 1
		}
		return ps, nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// A runtime dir of its own: a workbench the developer runs must not get
	// this start handed over (one instance per user).
	run := filepath.Join(dir, "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd, exited, log := startApp(t, bin, append(os.Environ(), "XDG_CONFIG_HOME="+cfg, "HOME="+dir, "XDG_RUNTIME_DIR="+run, "LANG=en_US.UTF-8"))

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "xdotool", "search", "--sync", "--name", "Credential Workbench").Output()
	if err != nil {
		t.Fatalf("the window did not appear: %v\napp output:\n%s", err, log.String())
	}
	wid := strings.Fields(string(out))[0]
	// The first frames may take a while on a busy machine: look again
	// until the window shows more than a blank fill (at most 60 s); the
	// checks below then see the app after it rendered.
	shot := filepath.Join(dir, "smoke.png")
	if n := waitForFrames(t, shot, 60*time.Second); n < 8 {
		t.Errorf("the screenshot has %d colours: the window looks blank", n)
	}
	// No core file can hold the client secrets the app reads (issue #18).
	if runtime.GOOS == "linux" {
		limits, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", cmd.Process.Pid))
		if err != nil || !coreLimitZero(string(limits)) {
			t.Errorf("the app may write core files: %v\n%s", err, limits)
		}
	}

	select {
	case err := <-exited:
		t.Fatalf("the app exited: %v\n%s", err, log.String())
	default:
	}
	// --onlyvisible matches only mapped (IsViewable) windows.
	vis, err := exec.Command("xdotool", "search", "--onlyvisible", "--name", "Credential Workbench").Output()
	if err != nil || !strings.Contains(string(vis), wid) {
		t.Fatalf("the window %s is not mapped (visible: %q, %v)", wid, vis, err)
	}
	geo, err := exec.Command("xdotool", "getwindowgeometry", wid).Output()
	if err != nil || !strings.Contains(string(geo), "Geometry:") {
		t.Fatalf("getwindowgeometry: %q, %v", geo, err)
	}
	t.Logf("window %s: %s", wid, strings.Join(strings.Fields(string(geo)), " "))

	if dst := os.Getenv("CREDWB_SMOKE_SCREENSHOT"); dst != "" {
		b, _ := os.ReadFile(shot)
		_ = os.WriteFile(dst, b, 0o644)
	}
}

// screenshotColours takes a screenshot of the whole screen into shot and
// counts its colours.
// waitForFrames takes screenshots into shot until the window shows more
// than a blank fill (8 colours) or within has passed; it returns the last
// count of colours.
func waitForFrames(t *testing.T, shot string, within time.Duration) int {
	t.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(200 * time.Millisecond) {
		if n := screenshotColours(t, shot); n >= 8 || time.Now().After(deadline) {
			return n
		}
	}
}

func screenshotColours(t *testing.T, shot string) int {
	t.Helper()
	if out, err := exec.Command("import", "-window", "root", shot).CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	f, err := os.Open(shot) // #nosec G304 -- the test's own temporary file
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return colours(img)
}

// colours counts distinct colours (up to 1000) on a coarse grid.
func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= 1000 {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// coreLimitZero reads "Max core file size  0  0  bytes" from /proc/PID/limits.
func coreLimitZero(limits string) bool {
	for _, line := range strings.Split(limits, "\n") {
		if strings.HasPrefix(line, "Max core file size") {
			f := strings.Fields(strings.TrimPrefix(line, "Max core file size"))
			return len(f) >= 2 && f[0] == "0" && f[1] == "0"
		}
	}
	return false
}

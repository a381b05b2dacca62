package oauthflow

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"

	"github.com/pkg/browser"
)

// SystemBrowser opens URLs in the browser the user named in $BROWSER, else
// in the desktop's default browser (through github.com/pkg/browser:
// xdg-open, open, rundll32). When that is impossible it says why, and the
// login keeps waiting while the app offers the URL to copy.
type SystemBrowser struct{}

var quietBrowser sync.Once

// Open opens an http(s) URL. It never echoes the URL in its error (it
// carries the login's state).
func (SystemBrowser) Open(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		// Only web addresses: rundll32 and xdg-open would also run files.
		return errors.New("only http and https addresses are opened in the browser")
	}
	// The opener's chatter ("Opening in existing browser session.") must not
	// reach credctl's output.
	quietBrowser.Do(func() { browser.Stdout, browser.Stderr = io.Discard, io.Discard })
	// $BROWSER first, as xdg-open, Python's webbrowser and gh do: over SSH,
	// in VS Code Remote or Codespaces it is the one way to the user's own
	// browser, and on a desktop it is the user's explicit choice.
	envErr := openFromEnv(rawURL)
	if envErr == nil {
		return nil
	}
	if !errors.Is(envErr, errNoBrowserEnv) {
		return envErr
	}
	if runtime.GOOS == "linux" {
		if isWSL() {
			return openWSL(rawURL)
		}
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return errors.New("there is no graphical session here (neither DISPLAY nor WAYLAND_DISPLAY is set) " +
				"and BROWSER is not set, so no browser can be opened: open the login URL in a browser yourself " +
				"(or set BROWSER to a program that opens URLs)")
		}
	}
	if err := browser.OpenURL(rawURL); err != nil {
		var ee *exec.Error
		if errors.As(err, &ee) && errors.Is(ee.Err, exec.ErrNotFound) {
			return fmt.Errorf("no program to open a browser was found (tried %s): "+
				"install xdg-utils, or open the login URL in a browser yourself", strings.ReplaceAll(ee.Name, ",", ", "))
		}
		return fmt.Errorf("the browser could not be opened (%v): open the login URL in a browser yourself", err)
	}
	return nil
}

// isWSL reports the Windows Subsystem for Linux, where xdg-open usually has
// no Linux browser to start.
func isWSL() bool {
	if os.Getenv("WSL_DISTRO_NAME") != "" || os.Getenv("WSL_INTEROP") != "" {
		return true
	}
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	return err == nil && strings.Contains(strings.ToLower(string(b)), "microsoft")
}

// openWSL opens the URL in the Windows browser through wslu's wslview.
func openWSL(rawURL string) error {
	path, err := exec.LookPath("wslview")
	if err != nil {
		return errors.New("running under WSL without wslview, so the Windows browser cannot be opened: " +
			"install wslu (sudo apt install wslu), or open the login URL in a browser yourself")
	}
	cmd := exec.Command(path, rawURL) // #nosec G204 -- the opener found on PATH, the URL as one argument, no shell
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("wslview could not open the browser (%v): open the login URL in a browser yourself", err)
	}
	return nil
}

// Package autostart writes and removes the entry that starts a program when
// the user logs in: an XDG autostart .desktop file on Linux and the BSDs, a
// LaunchAgent plist on macOS, a value under the Run key on Windows. The
// content and location are computed by plain functions (entryFor) so every
// platform's entry is testable anywhere; only applying it is per platform.
package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Spec is what the entry starts.
type Spec struct {
	// ID is the reverse-DNS application ID (file names, LaunchAgent label).
	ID string
	// Name is the human-readable name (desktop entry Name, Run value name).
	Name    string
	Comment string
	// Exe is the absolute path of the program; Args follow it.
	Exe  string
	Args []string
}

// Kind tells how an entry is kept.
type Kind int

const (
	// KindFile is a file at Location.Path (Linux, macOS).
	KindFile Kind = iota
	// KindRunKey is the value Location.Value under the Windows registry key
	// HKEY_CURRENT_USER\Location.Path.
	KindRunKey
)

// Location is where an entry lives.
type Location struct {
	Kind  Kind
	Path  string
	Value string // KindRunKey: the value name
}

func (l Location) String() string {
	if l.Kind == KindRunKey {
		return `HKEY_CURRENT_USER\` + l.Path + ` → ` + l.Value
	}
	return l.Path
}

// RunKey is the per-user Run key (relative to HKEY_CURRENT_USER).
const RunKey = `Software\Microsoft\Windows\CurrentVersion\Run`

// Env is what the location depends on: the user's home and, on Linux,
// XDG_CONFIG_HOME. Read it with CurrentEnv.
type Env struct {
	Home          string
	XDGConfigHome string
}

// CurrentEnv reads the environment of this process.
func CurrentEnv() (Env, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return Env{}, fmt.Errorf("cannot find your home folder for the start-at-login entry: %w", err)
	}
	return Env{Home: home, XDGConfigHome: os.Getenv("XDG_CONFIG_HOME")}, nil
}

// entryFor is where the entry for goos lives and what it holds.
func entryFor(goos string, env Env, s Spec) (Location, string, error) {
	if s.ID == "" || s.Name == "" || !filepath.IsAbs(s.Exe) && !isWindowsAbs(s.Exe) {
		return Location{}, "", fmt.Errorf("start-at-login entry: ID, name and an absolute program path are needed (got %q, %q, %q)", s.ID, s.Name, s.Exe)
	}
	switch goos {
	case "windows":
		return Location{Kind: KindRunKey, Path: RunKey, Value: s.Name}, windowsCommandLine(s.Exe, s.Args), nil
	case "darwin":
		if env.Home == "" {
			return Location{}, "", errors.New("start-at-login entry: the home folder is not known")
		}
		return Location{Kind: KindFile, Path: filepath.Join(env.Home, "Library", "LaunchAgents", s.ID+".plist")}, launchAgent(s), nil
	default:
		dir := env.XDGConfigHome
		if dir == "" || !filepath.IsAbs(dir) { // the XDG spec ignores a relative value
			if env.Home == "" {
				return Location{}, "", errors.New("start-at-login entry: the home folder is not known")
			}
			dir = filepath.Join(env.Home, ".config")
		}
		return Location{Kind: KindFile, Path: filepath.Join(dir, "autostart", s.ID+".desktop")}, desktopEntry(s), nil
	}
}

func isWindowsAbs(p string) bool {
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/')
}

// Where is the location of this platform's entry.
func Where(env Env, s Spec) (Location, error) {
	loc, _, err := entryFor(runtime.GOOS, env, s)
	return loc, err
}

// Enable writes (or rewrites) this platform's entry.
func Enable(env Env, s Spec) (Location, error) {
	loc, content, err := entryFor(runtime.GOOS, env, s)
	if err != nil {
		return loc, err
	}
	if loc.Kind == KindRunKey {
		return loc, setRunValue(loc.Value, content)
	}
	return loc, writeFile(loc.Path, content)
}

// Disable removes this platform's entry; no entry is not an error.
func Disable(env Env, s Spec) (Location, error) {
	loc, _, err := entryFor(runtime.GOOS, env, s)
	if err != nil {
		return loc, err
	}
	if loc.Kind == KindRunKey {
		return loc, deleteRunValue(loc.Value)
	}
	if err := os.Remove(loc.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return loc, fmt.Errorf("cannot remove the start-at-login entry %s: %w", loc.Path, err)
	}
	return loc, nil
}

// Enabled reports whether this platform's entry exists.
func Enabled(env Env, s Spec) bool {
	loc, _, err := entryFor(runtime.GOOS, env, s)
	if err != nil {
		return false
	}
	if loc.Kind == KindRunKey {
		ok, _ := hasRunValue(loc.Value)
		return ok
	}
	_, err = os.Lstat(loc.Path)
	return err == nil
}

// writeFile replaces path atomically (temp file + rename), the folder
// created private to the user if missing.
func writeFile(path, content string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create %s for the start-at-login entry: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".autostart-*")
	if err != nil {
		return fmt.Errorf("cannot write the start-at-login entry in %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name()) // #nosec G104 -- gone after the rename; only a failed write leaves it
	if _, err := tmp.WriteString(content); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("cannot write the start-at-login entry %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot write the start-at-login entry %s: %w", path, err)
	}
	return nil
}

// desktopEntry is an XDG autostart entry (Desktop Entry Specification 1.5).
func desktopEntry(s Spec) string {
	var b strings.Builder
	b.WriteString("[Desktop Entry]\nType=Application\nVersion=1.5\n")
	fmt.Fprintf(&b, "Name=%s\n", desktopString(s.Name))
	if s.Comment != "" {
		fmt.Fprintf(&b, "Comment=%s\n", desktopString(s.Comment))
	}
	fmt.Fprintf(&b, "Exec=%s\n", desktopExec(s.Exe, s.Args))
	fmt.Fprintf(&b, "Icon=%s\n", desktopString(s.ID))
	b.WriteString("Terminal=false\nNoDisplay=true\nX-GNOME-Autostart-enabled=true\n")
	return b.String()
}

// desktopString escapes a string value (no line breaks can get in).
func desktopString(v string) string {
	r := strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return r.Replace(v)
}

// desktopExec quotes every argument as the spec's Exec key wants: inside
// double quotes `"`, "`", `$` and `\` are backslash-escaped, and then the
// whole value is escaped once more as a string value; `%` is doubled so no
// field code is expanded.
func desktopExec(exe string, args []string) string {
	q := strings.NewReplacer(`"`, `\"`, "`", "\\`", `$`, `\$`, `\`, `\\`)
	parts := make([]string, 0, len(args)+1)
	for _, a := range append([]string{exe}, args...) {
		parts = append(parts, `"`+strings.ReplaceAll(q.Replace(a), "%", "%%")+`"`)
	}
	return desktopString(strings.Join(parts, " "))
}

// launchAgent is a LaunchAgent property list that runs the program at login.
func launchAgent(s Spec) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + xmlEscape(s.ID) + `</string>
	<key>ProgramArguments</key>
	<array>
`)
	for _, a := range append([]string{s.Exe}, s.Args...) {
		b.WriteString("\t\t<string>" + xmlEscape(a) + "</string>\n")
	}
	b.WriteString(`	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
`)
	return b.String()
}

func xmlEscape(v string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(v)
}

// windowsCommandLine quotes each argument as CommandLineToArgvW reads it
// back (backslashes doubled only before a quote).
func windowsCommandLine(exe string, args []string) string {
	parts := make([]string, 0, len(args)+1)
	for _, a := range append([]string{exe}, args...) {
		parts = append(parts, windowsQuote(a))
	}
	return strings.Join(parts, " ")
}

func windowsQuote(a string) string {
	if a != "" && !strings.ContainsAny(a, " \t\"") {
		return a
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for _, c := range a {
		switch c {
		case '\\':
			slashes++
			continue
		case '"':
			b.WriteString(strings.Repeat(`\`, 2*slashes+1))
		default:
			b.WriteString(strings.Repeat(`\`, slashes))
		}
		slashes = 0
		b.WriteRune(c)
	}
	b.WriteString(strings.Repeat(`\`, 2*slashes))
	b.WriteByte('"')
	return b.String()
}

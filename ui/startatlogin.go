package ui

import (
	"os"
	"path/filepath"

	"github.com/credworkbench/credworkbench/internal/autostart"
)

// PrefStartAtLogin starts the workbench hidden in the tray when the user
// logs in (default off); turning it off removes the OS entry.
const PrefStartAtLogin = "agent.startAtLogin"

// HiddenFlag is the flag the start-at-login entry passes: start in the tray
// without showing the window (--tray means the same).
const HiddenFlag = "--hidden"

// StartAtLogin writes and removes the OS's start-at-login entry.
type StartAtLogin interface {
	Enable() (where string, err error)
	Disable() (where string, err error)
}

// NewStartAtLogin is the entry that starts exe (the running program when
// "") with HiddenFlag: an XDG autostart file, a LaunchAgent or a Run value.
func NewStartAtLogin(exe string) StartAtLogin { return osStartAtLogin{exe: exe} }

type osStartAtLogin struct{ exe string }

func (o osStartAtLogin) spec() (autostart.Env, autostart.Spec, error) {
	env, err := autostart.CurrentEnv()
	if err != nil {
		return env, autostart.Spec{}, err
	}
	exe := o.exe
	if exe == "" {
		if exe, err = os.Executable(); err != nil {
			return env, autostart.Spec{}, err
		}
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
	}
	return env, autostart.Spec{ID: "io.github.credworkbench", Name: Title,
		Comment: "Keeps credential tokens fresh in the background", Exe: exe, Args: []string{HiddenFlag}}, nil
}

func (o osStartAtLogin) Enable() (string, error) {
	env, s, err := o.spec()
	if err != nil {
		return "", err
	}
	loc, err := autostart.Enable(env, s)
	return loc.String(), err
}

func (o osStartAtLogin) Disable() (string, error) {
	env, s, err := o.spec()
	if err != nil {
		return "", err
	}
	loc, err := autostart.Disable(env, s)
	return loc.String(), err
}

// setStartAtLogin turns the preference on or off and writes or removes the
// entry; a failure leaves the preference as it was and says why.
func (a *Agent) setStartAtLogin(on bool) {
	var where string
	var err error
	if on {
		where, err = a.login.Enable()
	} else {
		where, err = a.login.Disable()
	}
	if err != nil {
		a.w.bar.set("Start at login: " + err.Error())
		a.notes.send(noteAction, "Start at login not changed", err.Error())
		return
	}
	a.w.app.Preferences().SetBool(PrefStartAtLogin, on)
	if on {
		a.w.bar.set("Starts at login, in the tray: " + where)
	} else {
		a.w.bar.set("No longer starts at login (removed " + where + ")")
	}
}

// syncStartAtLogin rewrites the entry at start while the preference is on,
// so it names the program as installed now (after a move or an update).
func (a *Agent) syncStartAtLogin() {
	if a.w.app.Preferences().BoolWithFallback(PrefStartAtLogin, false) {
		if _, err := a.login.Enable(); err != nil {
			a.w.bar.set("Start at login: " + err.Error())
		}
	}
}

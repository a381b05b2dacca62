package main

import (
	"context"
	"io"
	"log/slog"
	"os"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"golang.org/x/term"
)

// app is one credctl invocation: its streams and, opened on first use, the
// profile repository and the shared operations.
type app struct {
	ctx    context.Context
	stdin  *os.File
	stdout io.Writer
	stderr io.Writer

	svc *oauthflow.Service
	// log gets the events of the operations and what goes wrong without
	// stopping the command (a result that could not be recorded, a token
	// that could not be cached): in the log file, problems also on stderr
	// (logging.go). logFile closes the file.
	log     *slog.Logger
	logFile io.Closer
	// noRunDue: the command handles pending IdP steps itself (idp …).
	noRunDue bool
}

func (a *app) close() {
	if a.svc != nil {
		a.svc.Close()
	}
	_ = a.logFile.Close() // after the service: closing it may still log
}

// service opens the shared operations on first use: commands that do not
// need them (help, version, logs, completion scripts) never open the store.
func (a *app) service() (*oauthflow.Service, error) {
	if a.svc == nil {
		svc, err := oauthflow.Open(nil, nil)
		if err != nil {
			return nil, err
		}
		svc.Log = a.log
		svc.OneShot = true
		a.svc = svc
		if !a.noRunDue {
			a.runDue(svc) // #26: pending IdP steps (cmd_rotate_idp.go)
		}
	}
	return a.svc, nil
}

// serviceProfile is the prologue of the commands that act on one profile:
// the service and the profile NAME names.
func (a *app) serviceProfile(name string) (*oauthflow.Service, credentials.Profile, error) {
	svc, err := a.service()
	if err != nil {
		return nil, credentials.Profile{}, err
	}
	p, err := svc.Profile(name)
	return svc, p, err
}

// profile finds a profile by name (ignoring case) or ID.
func (a *app) profile(nameOrID string) (credentials.Profile, error) {
	svc, err := a.service()
	if err != nil {
		return credentials.Profile{}, err
	}
	return svc.Profile(nameOrID)
}

// profiles lists the stored profiles; it never touches the keyring.
func (a *app) profiles() ([]credentials.Profile, error) {
	svc, err := a.service()
	if err != nil {
		return nil, err
	}
	return svc.Profiles()
}

// profilesView is profiles without the copy, for commands that only read
// them (list, completion): shared with the store, they must not be changed.
func (a *app) profilesView() ([]credentials.Profile, error) {
	svc, err := a.service()
	if err != nil {
		return nil, err
	}
	return svc.View()
}

// transports are the saved API calls, through the service (which
// announces every change).
func (a *app) transports() (*oauthflow.Transports, error) {
	svc, err := a.service()
	if err != nil {
		return nil, err
	}
	return svc.Transports(), nil
}

// stdinIsTerminal reports whether prompts can be shown and answered.
func (a *app) stdinIsTerminal() bool {
	return a.stdin != nil && term.IsTerminal(int(a.stdin.Fd()))
}

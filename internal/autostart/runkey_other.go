//go:build !windows

package autostart

import "errors"

// The Run key exists only on Windows; entryFor never picks it elsewhere.
var errNoRegistry = errors.New("the Windows registry is not available on this system")

func setRunValue(string, string) error { return errNoRegistry }
func deleteRunValue(string) error      { return errNoRegistry }
func hasRunValue(string) (bool, error) { return false, errNoRegistry }

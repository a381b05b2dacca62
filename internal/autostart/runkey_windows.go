//go:build windows

package autostart

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// setRunValue writes the command line under HKCU\…\Run.
func setRunValue(name, cmdline string) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, RunKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf(`cannot open HKEY_CURRENT_USER\%s for the start-at-login entry: %w`, RunKey, err)
	}
	defer k.Close()
	if err := k.SetStringValue(name, cmdline); err != nil {
		return fmt.Errorf(`cannot write the start-at-login entry %q under HKEY_CURRENT_USER\%s: %w`, name, RunKey, err)
	}
	return nil
}

// deleteRunValue removes the value; a missing key or value is not an error.
func deleteRunValue(name string) error {
	k, err := registry.OpenKey(registry.CURRENT_USER, RunKey, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf(`cannot open HKEY_CURRENT_USER\%s to remove the start-at-login entry: %w`, RunKey, err)
	}
	defer k.Close()
	if err := k.DeleteValue(name); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf(`cannot remove the start-at-login entry %q under HKEY_CURRENT_USER\%s: %w`, name, RunKey, err)
	}
	return nil
}

func hasRunValue(name string) (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, RunKey, registry.QUERY_VALUE)
	if err != nil {
		return false, err
	}
	defer k.Close()
	_, _, err = k.GetStringValue(name)
	return err == nil, err
}

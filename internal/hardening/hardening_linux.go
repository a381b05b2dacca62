//go:build linux

package hardening

import (
	"errors"

	"golang.org/x/sys/unix"
)

func apply() error {
	var errs []error
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		errs = append(errs, err)
	}
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

//go:build unix && !linux

package hardening

import "golang.org/x/sys/unix"

// apply turns off core files (macOS and the BSDs have no PR_SET_DUMPABLE).
func apply() error {
	return unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0})
}

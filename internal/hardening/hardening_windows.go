//go:build windows

package hardening

// apply has nothing to do: Windows writes no core files by itself, and
// other users' processes cannot open ours.
func apply() error { return nil }

//go:build windows

package credentials

// syncDir is not needed on Windows: MoveFileEx replaces durably.
func syncDir(string) {}

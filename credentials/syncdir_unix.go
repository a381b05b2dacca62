//go:build !windows

package credentials

import "os"

// syncDir makes a rename durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil { // #nosec G304 -- the store's own directory
		_ = d.Sync()
		_ = d.Close()
	}
}

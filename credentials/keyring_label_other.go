//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package credentials

// SetLabeled is Set here: go-keyring names macOS Keychain and Windows
// Credential Manager entries itself.
func (k SystemKeyring) SetLabeled(service, user, _, secret string) error {
	return k.Set(service, user, secret)
}

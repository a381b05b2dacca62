//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package credentials

import "github.com/zalando/go-keyring"

// SystemKeyring is go-keyring here: the macOS Keychain or the Windows
// Credential Manager, which need no session to be kept.
func (SystemKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (SystemKeyring) Set(service, user, secret string) error {
	return keyring.Set(service, user, secret)
}
func (SystemKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }

// SetLabeled is Set here: go-keyring names Keychain and Credential Manager
// entries itself.
func (k SystemKeyring) SetLabeled(service, user, _, secret string) error {
	return k.Set(service, user, secret)
}

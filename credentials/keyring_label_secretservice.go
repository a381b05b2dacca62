//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package credentials

import (
	ss "github.com/zalando/go-keyring/secret_service"
)

// SetLabeled does what go-keyring's Set does on the Secret Service (the
// login collection, attributes "username" and "service", replacing an
// existing item) with the label given.
func (SystemKeyring) SetLabeled(service, user, label, secret string) error {
	svc, err := ss.NewSecretService()
	if err != nil {
		return err
	}
	session, err := svc.OpenSession()
	if err != nil {
		return err
	}
	defer func() { _ = svc.Close(session) }()
	collection := svc.GetLoginCollection()
	if err := svc.Unlock(collection.Path()); err != nil {
		return err
	}
	attrs := map[string]string{"username": user, "service": service}
	return svc.CreateItem(collection, label, attrs, ss.NewSecret(session.Path(), secret))
}

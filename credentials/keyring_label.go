package credentials

import (
	"fmt"
	"strings"
)

// Keyring entries carry the profile's name in their label, which is what
// Seahorse, GNOME Passwords and KWallet show. go-keyring labels an entry
// "Password for 'USER' on 'SERVICE'" (USER being PROFILE-ID/KIND); on the
// Secret Service (keyring_secretservice.go) the item gets the same
// attributes (service, username) and a readable label; lookups still go by
// the ID, and entries written before (with go-keyring's label) keep working.
// macOS and Windows keep go-keyring's naming: it does not let the label be set.

// LabeledKeyring is a Keyring that can set an entry's label.
type LabeledKeyring interface {
	SetLabeled(service, user, label, secret string) error
}

// EntryLabel is the label of a profile's keyring entry.
func EntryLabel(profileName string, kind SecretKind) string {
	name := strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, profileName)
	return fmt.Sprintf("Credential Workbench: %s (%s)", name, strings.ReplaceAll(string(kind), "-", " "))
}

// SetLabeled stores a secret like Set, labelled with the profile's name
// where the keyring allows (LabeledKeyring).
func (s *Secrets) SetLabeled(profileID, profileName string, kind SecretKind, value string) error {
	lk, ok := s.kr.(LabeledKeyring)
	if !ok || profileName == "" {
		return s.Set(profileID, kind, value)
	}
	if s.limit > 0 && len(value) > s.limit {
		return s.Set(profileID, kind, value) // the same refusal as Set
	}
	err := s.call(func() error {
		return lk.SetLabeled(KeyringService, entry(profileID, kind), EntryLabel(profileName, kind), value)
	})
	if err != nil {
		return classify("store", kind, err)
	}
	return nil
}

package oauthflow

import (
	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/tokens"
)

// The shared token store lives in oauthflow/tokens; these names keep the
// facade's API.
type (
	TokenStore  = tokens.Store
	StoredToken = tokens.Stored
)

// MinTokenValidity: a stored token with less life left than this is not
// handed out; see tokens.MinValidity.
const MinTokenValidity = tokens.MinValidity

// NewKeyringTokenStore is the token store every binary uses; see
// tokens.NewKeyringStore.
func NewKeyringTokenStore(secrets *credentials.Secrets, cacheDir string) TokenStore {
	return tokens.NewKeyringStore(secrets, cacheDir)
}

func profileFingerprint(p credentials.Profile) string { return tokens.Fingerprint(p) }

func loggedOut(p credentials.Profile) bool { return tokens.LoggedOut(p) }

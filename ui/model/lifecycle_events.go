package model

import "github.com/credworkbench/credworkbench/oauthflow"

// LifecycleChanged says whether an event of the IdP secret lifecycle (#26)
// changed what a profile records (its secret, key ID, expiry, pending
// step; a rotation elsewhere): the window then reads the profiles again, so a pending step shows
// and goes as it happens, here or in credctl.
func LifecycleChanged(k oauthflow.EventKind) bool {
	switch k {
	case oauthflow.EventSecretMinted, oauthflow.EventSecretSwitched, oauthflow.EventSecretRevoked,
		oauthflow.EventPendingChanged, oauthflow.EventExpiryRefreshed, oauthflow.EventRotated:
		return true
	}
	return false
}

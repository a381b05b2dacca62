package credentials

import "time"

// SecretExpiryFromIdP marks a SecretExpiresAt read from the IdP's
// management API (Bookkeeping.SecretExpirySource).
const SecretExpiryFromIdP = "idp"

// PendingAtIdP is a step of an IdP-side secret rotation (#26) still to be
// carried out: a new secret minted but not yet switched to, or an old secret
// to revoke when Due comes. It survives restarts in the profile file; the
// running workbench or the next credctl command carries it out.
type PendingAtIdP struct {
	// Step is "mint" (the IdP was asked for a new secret named NewName,
	// not yet kept here: a process stopped in between), "switch" (NewKeyID minted, its secret in the keyring as
	// NextClientSecret, not yet tested and switched to) or "revoke"
	// (OldKeyID to revoke at Due; zero Due = only by hand).
	Step     string    `json:"step,omitempty"`
	API      string    `json:"api,omitempty"`   // entra, okta, keycloak, rfc7592
	AppID    string    `json:"appId,omitempty"` // the app's ID at the IdP
	AppName  string    `json:"appName,omitempty"`
	NewKeyID string    `json:"newKeyId,omitempty"`
	OldKeyID string    `json:"oldKeyId,omitempty"`
	Since    time.Time `json:"since,omitzero"`
	Due      time.Time `json:"due,omitzero"`
	// For a "switch": the new secret's expiry and creation as the IdP
	// reported them, and when to revoke the old one after the switch
	// ("now", "never" or a duration such as "7d"), so a resumed rotation
	// does what the interrupted one would have.
	NewExpires time.Time `json:"newExpires,omitzero"`
	NewCreated time.Time `json:"newCreated,omitzero"`
	RevokeOld  string    `json:"revokeOld,omitempty"`
	// NewName is the new secret's display name at the IdP.
	NewName string `json:"newName,omitempty"`
	// Management names the connection used (for the audit log).
	Management string `json:"management,omitempty"`
	// LastError is why the step failed last (a test refused, a revocation
	// refused); a failed switch waits for the admin, a failed revoke is
	// retried.
	LastError string    `json:"lastError,omitempty"`
	Tries     int       `json:"tries,omitempty"`
	LastTry   time.Time `json:"lastTry,omitzero"`
}

// IsZero reports whether nothing is pending.
func (p PendingAtIdP) IsZero() bool { return p.Step == "" }

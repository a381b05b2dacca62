package credentials

import (
	"errors"
	"fmt"
	"time"
)

// Repository operations of the IdP secret lifecycle (#26). They change
// bookkeeping only (no Revision bump: an editor's open form still saves,
// and Save keeps the bookkeeping it finds), in the profile file, because
// a pending step must survive restarts and be seen by every process.

// UpdateLifecycle applies fn to the profile's bookkeeping in one write of
// the profile file. fn may refuse with an error (nothing is written).
func (r *Repository) UpdateLifecycle(id string, fn func(*Profile) error) error {
	return r.Store.Update(func(ps []Profile) ([]Profile, error) {
		for i := range ps {
			if ps[i].ID == id {
				if err := fn(&ps[i]); err != nil {
					return nil, err
				}
				return ps, nil
			}
		}
		return nil, fmt.Errorf("%w: it was deleted elsewhere", ErrNotFound)
	})
}

// StoreNextSecret keeps a secret just minted at the IdP in the keyring
// (NextClientSecret) and records the pending switch, in one step: the
// keyring is written under the file lock before the file, and taken out
// again if the file cannot be written.
func (r *Repository) StoreNextSecret(id, secret string, pending PendingAtIdP) error {
	if secret == "" {
		return errors.New("the new secret is empty")
	}
	wrote := false
	err := r.UpdateLifecycle(id, func(p *Profile) error {
		if err := r.Secrets.SetLabeled(id, p.Name, NextClientSecret, secret); err != nil {
			return err
		}
		wrote = true
		p.PendingAtIdP = pending
		return nil
	})
	if err != nil && wrote {
		_ = r.Secrets.Delete(id, NextClientSecret)
	}
	return err
}

// NextSecret is the minted secret waiting for its switch.
func (r *Repository) NextSecret(id string) (string, error) {
	return r.Secrets.Get(id, NextClientSecret)
}

// DropNextSecret removes the minted secret from the keyring.
func (r *Repository) DropNextSecret(id string) error { return r.Secrets.Delete(id, NextClientSecret) }

// SecretSwitch is what the switch to a minted secret records.
type SecretSwitch struct {
	NewKeyID     string // must be the pending switch's NewKeyID
	KeyID        string // recorded as SecretKeyID
	ExpiresAt    time.Time
	ExpirySource string
	CreatedAt    time.Time
	// Then is the step left after the switch (a revocation), or zero.
	Then PendingAtIdP
}

// ErrNoPendingSwitch: the profile has no pending switch to that key (another
// process finished or cancelled it).
var ErrNoPendingSwitch = errors.New("no pending switch to that secret: another process finished or cancelled it")

// SwitchToNext makes the minted secret the client secret, in one write:
// the keyring's client secret is replaced under the file lock, the
// profile records the new key ID, expiry, rotation time and the step left
// (Then); the NextClientSecret entry goes after the write. If the file
// cannot be written, the old secret is put back.
func (r *Repository) SwitchToNext(id string, sw SecretSwitch) error {
	next, err := r.NextSecret(id)
	if err != nil {
		return fmt.Errorf("the minted secret is not in the keyring: %w", err)
	}
	now := r.now()
	undo := func() {}
	err = r.UpdateLifecycle(id, func(p *Profile) error {
		if p.PendingAtIdP.Step != "switch" || p.PendingAtIdP.NewKeyID != sw.NewKeyID {
			return ErrNoPendingSwitch
		}
		u, _, err := r.applySecrets(id, p.Name, SecretChange{ClientSecret: &next})
		if err != nil {
			return err
		}
		undo = u
		p.HasSecret = true
		p.SecretSetAt, p.SecretRotatedAt = now, now
		p.SecretKeyID = sw.KeyID
		p.SecretExpiresAt, p.SecretExpirySource = sw.ExpiresAt, sw.ExpirySource
		if sw.ExpirySource != "" {
			p.SecretExpiryCheckedAt = now
		}
		p.SecretCreatedAt = sw.CreatedAt
		if p.SecretCreatedAt.IsZero() {
			p.SecretCreatedAt = now
		}
		p.PendingAtIdP = sw.Then
		return nil
	})
	if err != nil {
		undo()
		return err
	}
	_ = r.DropNextSecret(id) // an unused leftover entry at worst
	return nil
}

// SetManagementSecret stores (or, with "", removes) an Okta SSWS token or
// RFC 7592 registration access token of the profile.
func (r *Repository) SetManagementSecret(id string, kind SecretKind, value string) error {
	if kind != ManagementToken && kind != RegistrationToken {
		return fmt.Errorf("%s is not a management secret", kind)
	}
	p, err := r.Get(id)
	if err != nil {
		return err
	}
	if value == "" {
		return r.Secrets.Delete(p.ID, kind)
	}
	return r.Secrets.SetLabeled(p.ID, p.Name, kind, value)
}

package credentials

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Repository is the one place that saves, renames and deletes profiles. It
// keeps the metadata file and the keyring in step: a save or delete either
// happens in both or in neither.
type Repository struct {
	Store   *Store
	Secrets *Secrets
	Now     func() time.Time
}

// NewRepository opens the default store and the OS keyring.
func NewRepository() (*Repository, error) {
	path, err := DefaultStorePath()
	if err != nil {
		return nil, err
	}
	return &Repository{Store: NewStore(path), Secrets: NewSecrets(nil), Now: time.Now}, nil
}

func (r *Repository) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

// SecretChange says which secrets a save sets. nil leaves a secret as it is;
// a pointer to "" removes it.
type SecretChange struct {
	ClientSecret  *string
	ProxyPassword *string
	// PrivateKey is the private_key_jwt key in the form EncodePrivateKey
	// gives; it must belong to the profile's certificate.
	PrivateKey *string
	// CertificateLater saves a private_key_jwt profile that has no
	// certificate yet (credctl add, then credctl certificate new): it is
	// not tested until one is there, and no client secret is asked for.
	CertificateLater bool
}

// Secret returns a pointer for SecretChange fields.
func Secret(s string) *string { return &s }

// List returns all profiles. It never touches the keyring.
func (r *Repository) List() ([]Profile, error) { return r.Store.List() }

// View is List without the copy: the profiles are shared and read-only
// (see Store.View).
func (r *Repository) View() ([]Profile, error) { return r.Store.View() }

// Get finds a profile by name (case-insensitive) or ID.
func (r *Repository) Get(nameOrID string) (Profile, error) { return r.Store.Get(nameOrID) }

// Save validates p and stores it with the given secret changes. A new profile
// has an empty ID. An existing one must carry the Revision it was read at;
// if the file has moved on, ErrConflict is returned and nothing changes.
func (r *Repository) Save(p Profile, ch SecretChange) (Profile, error) {
	p.Normalize()
	all, err := r.Store.List()
	if err != nil {
		return Profile{}, err
	}
	var old *Profile
	if p.ID != "" {
		o, err := find(all, p.ID)
		if err != nil {
			return Profile{}, fmt.Errorf("%w (it may have been deleted elsewhere; reload)", err)
		}
		old = &o
	}
	if p.Proxy.Mode != ProxyURL {
		// No explicit proxy any more: its password must not linger in the
		// keyring, whichever front end saved the change.
		if ch.ProxyPassword != nil || (old != nil && old.HasProxyPass) {
			ch.ProxyPassword = Secret("")
		}
	}
	hasSecret := old != nil && old.HasSecret
	if ch.ClientSecret != nil {
		hasSecret = *ch.ClientSecret != ""
	}
	hasKey := old != nil && old.HasPrivateKey
	if ch.PrivateKey != nil {
		hasKey = *ch.PrivateKey != ""
	}
	if err := Validate(p, ValidateOptions{Others: all, HasSecret: hasSecret, HasPrivateKey: hasKey, CertificateLater: ch.CertificateLater}); err != nil {
		return Profile{}, err
	}
	if p.AuthMethod.UsesKey() && ch.PrivateKey != nil && *ch.PrivateKey != "" && ch.ClientSecret == nil && old != nil && old.HasSecret {
		// The profile becomes a certificate client now and never sends its
		// client secret again: it must not linger in the keyring.
		ch.ClientSecret = Secret("")
	}
	if err := checkKeyMatchesProfile(p, ch.PrivateKey); err != nil {
		return Profile{}, err
	}
	if old != nil && old.Revision != p.Revision {
		return Profile{}, ErrConflict
	}
	if p.ID == "" {
		p.ID = newID()
	}

	now := r.now()
	var saved Profile
	undo, removals := func() {}, []SecretKind(nil)
	err = r.Store.Update(func(ps []Profile) ([]Profile, error) {
		idx := -1
		for i, q := range ps {
			if q.ID == p.ID {
				idx = i
			} else if SameName(q.Name, p.Name) {
				return nil, &ValidationError{Fields: []FieldError{{FieldName,
					fmt.Sprintf("A profile named %q was just added elsewhere; choose another name.", q.Name)}}}
			}
		}
		next := p
		if idx >= 0 {
			cur := ps[idx]
			if cur.Revision != p.Revision {
				return nil, ErrConflict
			}
			next.Bookkeeping = cur.Bookkeeping
			if !p.SecretExpiresAt.Equal(cur.SecretExpiresAt) {
				next.SecretExpirySource = "" // #26: a date the admin typed
			}
			if !sameSettings(cur, p) || ch.ClientSecret != nil || ch.ProxyPassword != nil || ch.PrivateKey != nil {
				// New settings: the old test result no longer says anything.
				next.LastStatus, next.LastError, next.LastCategory = StatusUntested, "", ""
				next.TokenExpiry, next.LoggedInAs = time.Time{}, ""
				next.LoginMFA = ""
			}
		} else {
			if old != nil {
				return nil, fmt.Errorf("%w: %q was deleted elsewhere; reload", ErrNotFound, p.Name)
			}
			next.Bookkeeping = Bookkeeping{CreatedAt: now, LastStatus: StatusUntested}
		}
		// New secrets go to the keyring before the file is written, while
		// the file lock keeps another process's save of this profile out:
		// if the keyring fails, the file has not changed. Removed secrets go
		// after the write, so a crash in between never leaves a profile that
		// claims a secret the keyring lost.
		u, rm, err := r.applySecrets(p.ID, p.Name, ch)
		if err != nil {
			return nil, err // applySecrets has undone its own writes
		}
		undo, removals = u, rm
		next.Revision++
		next.UpdatedAt = now
		if ch.ClientSecret != nil {
			next.HasSecret = *ch.ClientSecret != ""
			next.SecretSetAt = now
		}
		if ch.ProxyPassword != nil {
			next.HasProxyPass = *ch.ProxyPassword != ""
		}
		if ch.PrivateKey != nil {
			next.HasPrivateKey = *ch.PrivateKey != ""
		}
		if idx >= 0 {
			ps[idx] = next
		} else {
			ps = append(ps, next)
		}
		saved = next
		return ps, nil
	})
	if err != nil {
		undo()
		return Profile{}, err
	}
	if err := r.removeSecrets(saved.ID, removals); err != nil {
		return saved, fmt.Errorf("the profile was saved, but %w", err)
	}
	return saved, nil
}

// removeSecrets deletes keyring entries whose profile no longer refers to
// them. A failure leaves an unused entry behind, never a missing one.
func (r *Repository) removeSecrets(id string, kinds []SecretKind) error {
	var errs []error
	for _, k := range kinds {
		if err := r.Secrets.Delete(id, k); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("some of its old keyring entries could not be removed (remove them with `secret-tool clear service %s username %s/KIND`): %w",
			KeyringService, id, errors.Join(errs...))
	}
	return nil
}

// applySecrets writes the secrets a save sets and returns a function that
// puts the previous values back, and the kinds the save removes (deleted by
// the caller once the file no longer refers to them).
func (r *Repository) applySecrets(id, name string, ch SecretChange) (undo func(), removals []SecretKind, err error) {
	type prev struct {
		kind   SecretKind
		value  string
		exists bool
	}
	var done []prev
	undo = func() {
		for i := len(done) - 1; i >= 0; i-- {
			d := done[i]
			if d.exists {
				_ = r.Secrets.SetLabeled(id, name, d.kind, d.value)
			} else {
				_ = r.Secrets.Delete(id, d.kind)
			}
		}
	}
	for _, c := range []struct {
		kind SecretKind
		v    *string
	}{{ClientSecret, ch.ClientSecret}, {ProxyPassword, ch.ProxyPassword}, {PrivateKey, ch.PrivateKey}} {
		if c.v == nil {
			continue
		}
		if *c.v == "" {
			removals = append(removals, c.kind)
			continue
		}
		old, err := r.Secrets.Get(id, c.kind)
		exists := err == nil
		if err != nil && !errors.Is(err, ErrSecretNotFound) {
			undo()
			return nil, nil, err
		}
		if err := r.Secrets.SetLabeled(id, name, c.kind, *c.v); err != nil { // keyring_label.go
			undo()
			return nil, nil, err
		}
		done = append(done, prev{c.kind, old, exists})
	}
	return undo, removals, nil
}

// Delete removes a profile and every keyring entry it has. The keyring is
// checked first, so a profile whose entries cannot be removed stays; the file
// is written before the entries go, so a crash in between leaves an unused
// entry behind rather than a profile without its secret.
func (r *Repository) Delete(nameOrID string) error {
	p, err := r.Store.Get(nameOrID)
	if err != nil {
		return err
	}
	var present []SecretKind
	for _, k := range AllSecretKinds {
		_, err := r.Secrets.Get(p.ID, k)
		if errors.Is(err, ErrSecretNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		present = append(present, k)
	}
	err = r.Store.Update(func(ps []Profile) ([]Profile, error) {
		out := ps[:0]
		for _, q := range ps {
			if q.ID != p.ID {
				out = append(out, q)
			}
		}
		return out, nil
	})
	if err != nil {
		return err
	}
	if err := r.removeSecrets(p.ID, present); err != nil {
		return fmt.Errorf("the profile %q was deleted, but %w", p.Name, err)
	}
	return nil
}

// Record updates a profile's outcome bookkeeping (status, last error and
// check, token expiry, logged-in user, login time) without touching its
// configuration or revision, so it never conflicts with an edit. It writes
// the small state file only (Store.UpdateState); changes fn makes to other
// bookkeeping fields are not kept. A profile deleted meanwhile is silently
// skipped.
func (r *Repository) Record(id string, fn func(*Bookkeeping)) error {
	return r.Store.UpdateState(func(ps []Profile) error {
		for i := range ps {
			if ps[i].ID == id {
				fn(&ps[i].Bookkeeping)
			}
		}
		return nil
	})
}

// ReplaceClientSecret stores a new client secret (after it was tested) and
// records the rotation time. If the file cannot be updated the old secret is
// put back.
func (r *Repository) ReplaceClientSecret(id, secret string) error {
	return r.RotateClientSecret(id, secret, time.Time{})
}

// RotateClientSecret is ReplaceClientSecret that records the new secret's
// expiry (zero: none known) in the same write, so the profile changes once.
func (r *Repository) RotateClientSecret(id, secret string, expiresAt time.Time) error {
	if secret == "" {
		return errors.New("the new secret is empty")
	}
	now := r.now()
	undo := func() {}
	err := r.Store.Update(func(ps []Profile) ([]Profile, error) {
		for i := range ps {
			if ps[i].ID == id {
				// Under the file lock, like Save: no other process's save of
				// this profile can interleave with the keyring write.
				u, _, err := r.applySecrets(id, ps[i].Name, SecretChange{ClientSecret: &secret})
				if err != nil {
					return nil, err
				}
				undo = u
				ps[i].HasSecret = true
				ps[i].SecretSetAt = now
				ps[i].SecretRotatedAt = now
				// The recorded expiry was the old secret's.
				ps[i].SecretExpiresAt = expiresAt
				// #26: typed by the admin; the IdP's key ID was the old secret's.
				ps[i].SecretExpirySource, ps[i].SecretKeyID = "", ""
				return ps, nil
			}
		}
		return nil, fmt.Errorf("%w: it was deleted elsewhere", ErrNotFound)
	})
	if err != nil {
		undo()
	}
	return err
}

// SetSecretExpiry records when the client secret expires (zero: unknown),
// leaving the profile's status as it is.
func (r *Repository) SetSecretExpiry(id string, at time.Time) error {
	return r.Store.Update(func(ps []Profile) ([]Profile, error) {
		for i := range ps {
			if ps[i].ID == id {
				ps[i].SecretExpiresAt = at
				ps[i].Revision++
				ps[i].UpdatedAt = r.now()
				return ps, nil
			}
		}
		return nil, fmt.Errorf("%w: it was deleted elsewhere", ErrNotFound)
	})
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

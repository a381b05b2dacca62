package oauthflow

import (
	"context"

	"github.com/credworkbench/credworkbench/credentials"
)

// Save stores a new or edited profile with its secret changes (see
// credentials.Repository.Save) and keeps the token manager in step: the
// token obtained with the old settings is dropped and the profile is
// Untested. If the manager was keeping an Application profile's token
// fresh, renewal restarts with the new settings at once (the outcome comes
// as an event); other profiles are tested when the caller calls Test.
func (s *Service) Save(p credentials.Profile, ch credentials.SecretChange) (credentials.Profile, error) {
	saved, err := s.repo.Save(p, ch)
	if err != nil {
		return saved, err
	}
	s.own.noteSaved(saved)
	if err := keepDPoPKey(s.repo.Secrets, saved); err != nil { // dpop.go; else made at the first token request
		logWarn(s.Log, "cannot keep the DPoP key in the keyring", "profile", saved.Name, "error", err.Error())
	}
	wasKept := s.mgr.Forget(saved.ID)
	// The stored token belongs to the old settings (its fingerprint already
	// keeps it from use); removing it keeps the keyring tidy.
	if err := deleteStoredToken(s.Tokens, saved.ID); err != nil {
		logWarn(s.Log, "cannot remove a stale cached token", "profile", saved.Name, "error", err.Error())
	}
	s.publish(Event{ProfileID: saved.ID, Name: saved.Name, Kind: EventSaved})
	if wasKept && saved.Type == credentials.TypeApplication {
		_, _ = s.mgr.start(saved, EventRenewed, fetchForce)
	}
	return saved, nil
}

// Delete removes a profile with its keyring entries, stops its renewal and
// drops its token. A profile that transports use is deleted only with
// opt.Force; without it the *InUseError says which (see InUse).
func (s *Service) Delete(nameOrID string, opt DeleteOptions) error {
	p, err := s.repo.Get(nameOrID)
	if err != nil {
		return err
	}
	if !opt.Force {
		inUse, err := s.InUse(p.ID)
		if err != nil {
			return err
		}
		if inUse != nil {
			return inUse
		}
	}
	// A login still waiting would store a refresh token for a profile that
	// no longer exists: end it, and delete under the session lock so a
	// refresh finishing now cannot write one either.
	s.logins.abort(p.ID)
	unlock, err := s.lockProfile(context.Background(), p.ID)
	if err != nil {
		return lockFailure(err)
	}
	s.own.noteDeleted(p.ID) // before the watcher can see it gone
	err = s.repo.Delete(p.ID)
	if err == nil {
		s.logins.forget(p.ID)
		// The keyring entry went with the profile; an oversize token's
		// sealed file goes too.
		if derr := deleteStoredToken(s.Tokens, p.ID); derr != nil {
			logWarn(s.Log, "cannot remove the cached token of a deleted profile", "profile", p.Name, "error", derr.Error())
		}
	}
	unlock()
	if err != nil {
		s.own.note(p.ID, func(m *ownMark) { m.deleted = false })
		return err
	}
	s.mgr.Forget(p.ID)
	s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventDeleted})
	return nil
}

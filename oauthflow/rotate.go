package oauthflow

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// RotateStep names the step of a secret rotation that failed.
type RotateStep string

const (
	RotateStepCheck RotateStep = "check" // the profile cannot rotate (type, empty secret)
	RotateStepTest  RotateStep = "test"  // the IdP did not accept the new secret
	RotateStepStore RotateStep = "store" // the keyring or the profile file could not be updated
)

// RotateError says which step of RotateSecret failed. In every case the
// stored secret is unchanged.
type RotateError struct {
	Step RotateStep
	Err  error
}

func (e *RotateError) Error() string {
	switch e.Step {
	case RotateStepTest:
		return fmt.Sprintf("the new secret was not accepted by the IdP, so it was not stored and the old secret stays in use: %v", e.Err)
	case RotateStepStore:
		return fmt.Sprintf("the new secret works but could not be stored; the old secret stays in use: %v", e.Err)
	}
	return fmt.Sprintf("cannot rotate the secret: %v", e.Err)
}

func (e *RotateError) Unwrap() error { return e.Err }

// RotateOptions say when the new secret expires. The old secret's date is
// never carried over nor silently dropped: when the profile records one,
// either SecretExpiresAt or NoSecretExpiry must be given.
type RotateOptions struct {
	// SecretExpiresAt is the new secret's expiry (credentials.ParseExpiryDate).
	SecretExpiresAt time.Time
	// NoSecretExpiry: the new secret does not expire (or its date is not
	// known); the old secret's date is cleared.
	NoSecretExpiry bool
}

// ExpiryChoiceNeeded reports whether rotating p needs a RotateOptions
// choice about the expiry: its old secret has a recorded date.
func ExpiryChoiceNeeded(p credentials.Profile, opt RotateOptions) bool {
	return !p.SecretExpiresAt.IsZero() && opt.SecretExpiresAt.IsZero() && !opt.NoSecretExpiry
}

// RotateSecret replaces an Application profile's client secret the safe way
// (for IdPs that accept two secrets during the change-over, like Okta):
// first a token is requested with the new secret, with the same client and
// settings; only when that succeeds are the new secret, its expiry and the
// rotation date stored, in one change of the profile, and the token the
// test obtained is shared with every process (it stays valid: nothing
// changes the profile after it). The Result is that of the test with the
// new secret; a failure is a *RotateError.
func (s *Service) RotateSecret(ctx context.Context, nameOrID, newSecret string, opt RotateOptions) (Result, error) {
	p, err := s.repo.Get(nameOrID)
	if err != nil {
		return Result{}, err
	}
	now := s.Clock.Now()
	if p.Type != credentials.TypeApplication {
		f := &Failure{Category: CatConfig, Message: "secret rotation tests the new secret with the client credentials grant, so it is for Application profiles; for a User profile edit the secret and log in again"}
		return failedResult(p, f, nil, now), &RotateError{Step: RotateStepCheck, Err: f}
	}
	if p.AuthMethod.UsesKey() {
		f := &Failure{Category: CatConfig, Message: "the profile authenticates with " + string(p.AuthMethod) + " and has no client secret: replace its certificate instead (credctl certificate new, or --certificate)"}
		return failedResult(p, f, nil, now), &RotateError{Step: RotateStepCheck, Err: f}
	}
	if strings.TrimSpace(newSecret) == "" {
		f := &Failure{Category: CatCredentials, Message: "the new secret is empty"}
		return failedResult(p, f, nil, now), &RotateError{Step: RotateStepCheck, Err: f}
	}
	if ExpiryChoiceNeeded(p, opt) {
		f := &Failure{Category: CatConfig, Message: fmt.Sprintf("the old secret was recorded to expire on %s: give the new "+
			"secret's expiry date, or say that it has none", p.SecretExpiresAt.UTC().Format("2006-01-02"))}
		return failedResult(p, f, nil, now), &RotateError{Step: RotateStepCheck, Err: f}
	}
	s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventTesting})
	tok, res, err := (protocol{s}).fetchClientCredentials(ctx, p, &newSecret)
	if err != nil {
		return res, &RotateError{Step: RotateStepTest, Err: err}
	}
	if err := s.repo.RotateClientSecret(p.ID, newSecret, opt.SecretExpiresAt); err != nil {
		f := failure.Classify(err)
		if f.Category == CatOther {
			f.Category = CatConfig
		}
		return failedResult(p, f, res.Warnings, res.CheckedAt), &RotateError{Step: RotateStepStore, Err: f}
	}
	// The rotation changed the profile (its secret's date): the token
	// belongs to the profile as it is now.
	if cur, err := s.repo.Get(p.ID); err == nil {
		p = cur
		s.own.noteRotated(p)
	}
	res = withRecordWarning(res, s.record(&recordReq{p: p, res: res}))
	if w := s.mgr.Share(p, tok, res); w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventRotated, Result: &res})
	return res, nil
}

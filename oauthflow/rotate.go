package oauthflow

import (
	"context"
	"fmt"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
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

// RotateSecret replaces an Application profile's client secret the safe way
// (for IdPs that accept two secrets during the change-over, like Okta):
// first a token is requested with the new secret, with the same client and
// settings; only when that succeeds is the new secret stored and the
// rotation date recorded. The Result is that of the test with the new
// secret; a failure is a *RotateError.
func (s *Service) RotateSecret(ctx context.Context, nameOrID, newSecret string) (Result, error) {
	p, err := s.Repo.Get(nameOrID)
	if err != nil {
		return Result{}, err
	}
	now := s.Clock.Now()
	if p.Type != credentials.TypeApplication {
		f := &Failure{Category: CatConfig, Message: "secret rotation tests the new secret with the client credentials grant, so it is for Application profiles; for a User profile edit the secret and log in again"}
		return failedResult(p, f, nil, now), &RotateError{Step: RotateStepCheck, Err: f}
	}
	if p.AuthMethod == credentials.AuthPrivateKeyJWT {
		f := &Failure{Category: CatConfig, Message: "the profile authenticates with private_key_jwt and has no client secret: replace its certificate instead (credctl certificate new, or --certificate)"}
		return failedResult(p, f, nil, now), &RotateError{Step: RotateStepCheck, Err: f}
	}
	if strings.TrimSpace(newSecret) == "" {
		f := &Failure{Category: CatCredentials, Message: "the new secret is empty"}
		return failedResult(p, f, nil, now), &RotateError{Step: RotateStepCheck, Err: f}
	}
	s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventTesting})
	tok, res, err := s.fetchClientCredentials(ctx, p, &newSecret)
	if err != nil {
		return res, &RotateError{Step: RotateStepTest, Err: err}
	}
	if err := s.Repo.ReplaceClientSecret(p.ID, newSecret); err != nil {
		f := classifyError(err)
		if f.Category == CatOther {
			f.Category = CatConfig
		}
		return failedResult(p, f, res.Warnings, res.CheckedAt), &RotateError{Step: RotateStepStore, Err: f}
	}
	// The rotation changed the profile (its secret's date): the token
	// belongs to the profile as it is now.
	if cur, err := s.Repo.Get(p.ID); err == nil {
		p = cur
	}
	res = withRecordWarning(res, s.record(p, res))
	if w := s.mgr.Share(p, tok, res); w != "" {
		res.Warnings = append(res.Warnings, w)
	}
	s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventRotated, Result: &res})
	return res, nil
}

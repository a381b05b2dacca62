package oauthflow

import (
	"context"
	"errors"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
)

var errNotYet = errors.New("not implemented yet")

// RotateAtIdP rotates a profile's client secret at its IdP: find the app,
// mint a new secret, keep it in the keyring (with a pending "switch"),
// test it at the token endpoint, switch the profile to it in one write,
// then revoke the old secret now, record a pending revocation, or leave it
// (o.RevokeOld). The rotation lock keeps a second process from rotating
// the same profile at once: it waits, then is told the rotation is done.
func (l *SecretLifecycle) RotateAtIdP(ctx context.Context, nameOrID string, o AtIdPOptions) (Rotation, error) {
	return Rotation{}, errNotYet
}

// RotateAll rotates each profile in turn (one Rotation each, in order).
// The error is only for a profile that could not be attempted at all
// (unknown name); the others are still rotated.
func (l *SecretLifecycle) RotateAll(ctx context.Context, namesOrIDs []string, o AtIdPOptions) ([]Rotation, error) {
	return nil, errNotYet
}

// Expiring lists the Application profiles whose client secret ends within
// the window (DueAt: the IdP's or admin's date, or Okta's max age).
func (l *SecretLifecycle) Expiring(within time.Duration) ([]credentials.Profile, error) {
	return nil, errNotYet
}

// RunDue carries out due revocations, resumes steps a killed process left
// (test and switch of a minted secret) and refreshes expiry dates older
// than a day. The workbench calls it on a ticker, credctl before each
// command; a failure is in the Rotation, never blocking.
func (l *SecretLifecycle) RunDue(ctx context.Context) ([]Rotation, error) {
	return nil, errNotYet
}

// Complete carries out a profile's pending step now: the switch (test and
// switch to the minted secret) or the revocation, whatever its due date.
func (l *SecretLifecycle) Complete(ctx context.Context, nameOrID string) (Rotation, error) {
	return Rotation{}, errNotYet
}

// Cancel drops a profile's pending step. A pending revocation: the old
// secret stays at the IdP. A pending switch: the minted secret is removed
// from the keyring and revoked at the IdP (it was never used).
func (l *SecretLifecycle) Cancel(ctx context.Context, nameOrID string) (Rotation, error) {
	return Rotation{}, errNotYet
}

// RefreshExpiry reads the secret's key ID, creation and expiry from the
// IdP and records them (SecretExpirySource "idp").
func (l *SecretLifecycle) RefreshExpiry(ctx context.Context, nameOrID string) (ExpiryInfo, error) {
	return ExpiryInfo{}, errNotYet
}

// Tenant lists every secret and certificate the management profile's
// connection sees, with the local profiles that use each.
func (l *SecretLifecycle) Tenant(ctx context.Context, managementProfile string) ([]TenantCredential, error) {
	return nil, errNotYet
}

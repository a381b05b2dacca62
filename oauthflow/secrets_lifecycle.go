package oauthflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// expiryRefreshEvery is how old a secret's IdP expiry may get before
// RunDue reads it again.
const expiryRefreshEvery = 24 * time.Hour

// RotateAll rotates each profile in turn (one Rotation each, in order).
// The error is only for a profile that could not be attempted at all
// (unknown name); the others are still rotated.
func (l *SecretLifecycle) RotateAll(ctx context.Context, namesOrIDs []string, o AtIdPOptions) ([]Rotation, error) {
	var out []Rotation
	var errs []error
	for _, n := range namesOrIDs {
		r, err := l.RotateAtIdP(ctx, n, o)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", n, err))
			continue
		}
		out = append(out, r)
	}
	return out, errors.Join(errs...)
}

// Expiring lists the Application profiles whose client secret ends within
// the window (DueAt: the IdP's or admin's date, or Okta's max age),
// expired ones included.
func (l *SecretLifecycle) Expiring(within time.Duration) ([]credentials.Profile, error) {
	ps, err := l.s.repo.List()
	if err != nil {
		return nil, err
	}
	limit := l.s.Clock.Now().Add(within)
	var out []credentials.Profile
	for _, p := range ps {
		if p.Type != credentials.TypeApplication || p.AuthMethod == credentials.AuthPrivateKeyJWT {
			continue
		}
		if d := DueAt(p); !d.IsZero() && d.Before(limit) {
			out = append(out, p)
		}
	}
	return out, nil
}

// RunDue carries out due revocations, resumes steps a killed process left
// (test and switch of a minted secret that was never tested) and
// refreshes IdP expiry dates older than a day. The workbench calls it on a
// ticker, credctl before each command; what failed is in the Rotations,
// never an error (an error: the profiles could not be read).
func (l *SecretLifecycle) RunDue(ctx context.Context) ([]Rotation, error) {
	// View: no copy of every profile on each credctl command.
	ps, err := l.s.repo.View()
	if err != nil {
		return nil, err
	}
	now := l.s.Clock.Now()
	var out []Rotation
	for _, p := range ps {
		pend := p.PendingAtIdP
		switch {
		case pend.Step == "switch" && pend.Tries == 0 && now.Sub(pend.Since) > time.Second:
			// Minted and kept, never tested: the process died. (A test
			// that failed waits for the admin: Complete or Cancel.)
		case pend.Step == "revoke" && !pend.Due.IsZero() && !pend.Due.After(now) && retryDue(pend, now):
		default:
			managed := p.ManagementProfile != "" || p.RegistrationClientURI != ""
			if managed && p.Type == credentials.TypeApplication && p.AuthMethod != credentials.AuthPrivateKeyJWT && now.Sub(p.SecretExpiryCheckedAt) > expiryRefreshEvery {
				// Info, not a warning: it is retried, and a warning would
				// print on every credctl command while the IdP is away.
				if _, err := l.RefreshExpiry(ctx, p.ID); err != nil && l.s.Log != nil {
					l.s.Log.Info("the secret expiry could not be read from the IdP", "profile", p.Name, "error", err.Error())
				}
			}
			continue
		}
		r, err := l.complete(ctx, p.ID, false)
		// Skipped: another process is at it (its rotation holds the lock).
		if err == nil && !r.Skipped && (len(r.Done) > 0 || r.Failure != nil) {
			out = append(out, r)
		}
	}
	return out, nil
}

// retryDue spaces out retries of a revocation the IdP refused: at most
// one a minute, then hourly after ten tries.
func retryDue(p credentials.PendingAtIdP, now time.Time) bool {
	switch {
	case p.Tries == 0:
		return true
	case p.Tries < 10:
		return now.Sub(p.LastTry) >= time.Minute
	}
	return now.Sub(p.LastTry) >= time.Hour
}

// Complete carries out a profile's pending step now: the switch (test and
// switch to the minted secret, then revoke as chosen) or the revocation,
// whatever its due date.
func (l *SecretLifecycle) Complete(ctx context.Context, nameOrID string) (Rotation, error) {
	return l.complete(ctx, nameOrID, true)
}

func (l *SecretLifecycle) complete(ctx context.Context, nameOrID string, byHand bool) (Rotation, error) {
	wait := time.Duration(0) // RunDue: skip what another process works on
	if byHand {
		wait = l.lockWait()
	}
	p, r, unlock, err := l.lockPending(ctx, nameOrID, wait)
	if err != nil || unlock == nil {
		if r.Failure != nil {
			r.Skipped = true // another process works on it
		}
		return r, err
	}
	defer unlock()
	s := l.s
	pend := p.PendingAtIdP
	conn, err := l.connect(p)
	if err != nil {
		return r.fail(Step(pend.Step), adminFailure(err), "the pending step stays"), nil
	}
	r.Management = conn.label
	app := idpadmin.App{ID: pend.AppID, ClientID: p.ClientID, Name: pend.AppName}
	switch pend.Step {
	case "revoke":
		return l.revokeOld(ctx, conn, app, p, pend, r), nil
	case "mint":
		return r.fail(StepMint, &Failure{Category: CatConfig, Message: mintInterrupted(p)},
			fmt.Sprintf("nothing can be completed: remove that secret at the IdP if it is there (credctl idp secrets), then credctl idp cancel %s", p.Name)), nil
	}
	secret, err := s.repo.NextSecret(p.ID)
	if err != nil {
		return r.fail(StepStore, adminFailure(err), fmt.Sprintf("the minted secret (key %s) is not in the keyring: cancel with credctl idp cancel %s (it removes the key at %s) and rotate again",
			orUnknown(pend.NewKeyID), p.Name, kindLabel(conn.kind))), nil
	}
	r.Done = []RotationStep{StepFind, StepMint, StepStore}
	return l.testAndSwitch(ctx, conn, app, p, pend, secret, r), nil
}

func (l *SecretLifecycle) lockWait() time.Duration {
	if l.s.LockTimeout > 0 {
		return l.s.LockTimeout
	}
	return credentials.DefaultProfileLockTimeout
}

// lockPending takes the profile's rotation lock (waiting up to wait) and
// reads its pending step afresh. With nothing to do — the lock is held
// elsewhere, or nothing is pending — unlock is nil and r says why.
func (l *SecretLifecycle) lockPending(ctx context.Context, nameOrID string, wait time.Duration) (credentials.Profile, Rotation, func(), error) {
	s := l.s
	p, err := s.repo.Get(nameOrID)
	if err != nil {
		return p, Rotation{}, nil, err
	}
	r := Rotation{Profile: p.Name, ProfileID: p.ID}
	unlock, err := l.lockRotation(ctx, p.ID, wait)
	if err != nil {
		return p, r.fail(StepFind, lockFailure(err), "another process is working on this rotation"), nil, nil
	}
	if p, err = s.repo.Get(p.ID); err != nil {
		unlock()
		return p, Rotation{}, nil, err
	}
	pend := p.PendingAtIdP
	r.Pending, r.API, r.App, r.NewKeyID, r.OldKeyID, r.Management = pend, pend.API, pend.AppName, pend.NewKeyID, pend.OldKeyID, pend.Management
	if pend.IsZero() {
		unlock()
		r.Skipped = true
		r.Left = fmt.Sprintf("nothing is pending for %q", p.Name)
		return p, r, nil, nil
	}
	return p, r, unlock, nil
}

// Step is the RotationStep of a pending step's name.
func Step(name string) RotationStep { return RotationStep(name) }

// Cancel drops a profile's pending step. A pending revocation: the old
// secret stays at the IdP. A pending switch: the minted secret is revoked
// at the IdP (it was never used) and removed from the keyring; if the IdP
// refuses, nothing changes and the Rotation says why.
func (l *SecretLifecycle) Cancel(ctx context.Context, nameOrID string) (Rotation, error) {
	s := l.s
	p, r, unlock, err := l.lockPending(ctx, nameOrID, l.lockWait())
	if err != nil || unlock == nil {
		return r, err
	}
	defer unlock()
	pend := p.PendingAtIdP
	if pend.Step == "switch" && pend.NewKeyID != "" {
		conn, err := l.connect(p)
		if err != nil {
			return r.fail(StepRevoke, adminFailure(err), "nothing was cancelled: the minted secret could not be removed at the IdP"), nil
		}
		app := idpadmin.App{ID: pend.AppID, ClientID: p.ClientID, Name: pend.AppName}
		if pend.OldKeyID == "" && pend.RevokeOld == "never" && replacesOld(ctx, conn, app) {
			// The IdP replaced the old secret when it minted this one:
			// dropping it would leave the profile without a working secret.
			return r.fail(StepSwitch, &Failure{Category: CatConfig, Message: fmt.Sprintf("%s replaced the old secret with the minted one (key %s): it is the only one that can work, so it is not dropped",
				kindLabel(conn.kind), orUnknown(pend.NewKeyID))}, fmt.Sprintf("complete it with credctl idp complete %s (or rotate again)", p.Name)), nil
		}
		if !conn.client.Limits().MintReplacesOld {
			if err := conn.client.Revoke(ctx, app, pend.NewKeyID); err != nil {
				return r.fail(StepRevoke, adminFailure(err), fmt.Sprintf("nothing was cancelled: the minted secret (key %s) is still at %s and in the keyring", pend.NewKeyID, kindLabel(conn.kind))), nil
			}
			r.Done = append(r.Done, StepRevoke)
			rr := r
			rr.OldKeyID = pend.NewKeyID
			l.audit(p, EventSecretRevoked, &rr, slog.LevelInfo, "revokedKeyId", pend.NewKeyID, "reason", "cancelled before the switch")
		}
	}
	err = s.repo.UpdateLifecycle(p.ID, func(q *credentials.Profile) error {
		q.PendingAtIdP = credentials.PendingAtIdP{}
		return nil
	})
	if err != nil {
		return r.fail(StepSwitch, adminFailure(err), "the pending step could not be dropped"), nil
	}
	switch pend.Step {
	case "switch":
		_ = s.repo.DropNextSecret(p.ID)
	case "revoke":
		r.Left = fmt.Sprintf("the old secret (key %s) stays at the IdP", orUnknown(pend.OldKeyID))
	}
	r.Pending = credentials.PendingAtIdP{}
	l.audit(p, EventPendingChanged, &r, slog.LevelInfo, "pending", "cancelled "+pend.Step)
	return r, nil
}

// replacesOld asks the IdP's limits (Keycloak learns its rotation policy
// from reading the app).
func replacesOld(ctx context.Context, conn *adminConn, app idpadmin.App) bool {
	_, _ = conn.client.Credentials(ctx, app)
	return conn.client.Limits().MintReplacesOld
}

// RefreshExpiry reads the secret's key ID, creation and expiry from the
// IdP and records them (SecretExpirySource "idp"). An error: the IdP could
// not be asked or does not list the secret.
func (l *SecretLifecycle) RefreshExpiry(ctx context.Context, nameOrID string) (ExpiryInfo, error) {
	s := l.s
	p, err := s.repo.Get(nameOrID)
	if err != nil {
		return ExpiryInfo{}, err
	}
	info := ExpiryInfo{Profile: p.Name}
	conn, err := l.connect(p)
	if err != nil {
		return info, err
	}
	info.API = string(conn.kind)
	app, err := conn.client.FindApp(ctx, p.ClientID)
	if err != nil {
		return info, adminFailure(err)
	}
	info.App = firstNonEmpty(app.Name, app.ClientID)
	creds, err := conn.client.Credentials(ctx, app)
	if err != nil {
		return info, adminFailure(err)
	}
	for _, c := range creds {
		if c.Kind == idpadmin.KindCertificate {
			info.Certificates = append(info.Certificates, c)
		}
	}
	info.KeyID = l.oldKey(ctx, conn, app, p, creds)
	info.CheckedAt = s.Clock.Now().UTC()
	var cur *idpadmin.Credential
	for i := range creds {
		if creds[i].KeyID == info.KeyID && info.KeyID != "" {
			cur = &creds[i]
		}
	}
	if cur == nil {
		return info, &Failure{Category: CatCredentials, Message: fmt.Sprintf("%s does not tell which of the %d secrets of %s is the one %q uses", kindLabel(conn.kind), activeSecrets(creds), info.App, p.Name)}
	}
	info.Created, info.Expires = cur.Created, cur.Expires
	err = s.repo.UpdateLifecycle(p.ID, func(q *credentials.Profile) error {
		q.SecretKeyID = info.KeyID
		q.SecretExpiresAt, q.SecretExpirySource, q.SecretExpiryCheckedAt = info.Expires, credentials.SecretExpiryFromIdP, info.CheckedAt
		if !info.Created.IsZero() {
			q.SecretCreatedAt = info.Created
		}
		if q.MaxSecretAge > 0 {
			info.MaxAgeDue = DueAt(*q)
		}
		return nil
	})
	if err != nil {
		return info, err
	}
	s.events.deliver(Event{ProfileID: p.ID, Name: p.Name, Kind: EventExpiryRefreshed, Time: s.Clock.Now()})
	return info, nil
}

// Tenant lists every secret and certificate the management profile's
// connection sees, with the local profiles that use each.
func (l *SecretLifecycle) Tenant(ctx context.Context, managementProfile string) ([]TenantCredential, error) {
	s := l.s
	m, err := s.repo.Get(managementProfile)
	if err != nil {
		return nil, err
	}
	all, err := s.repo.List()
	if err != nil {
		return nil, err
	}
	// The connection as a profile managed by m sees it (m's own settings
	// name the API and URL).
	probe := m
	probe.ID, probe.ManagementProfile = m.ID+"-tenant", m.ID
	probe.RegistrationClientURI = ""
	conn, err := l.connect(probe)
	if err != nil {
		return nil, err
	}
	apps, err := conn.client.Apps(ctx)
	if err != nil {
		return nil, adminFailure(err)
	}
	var out []TenantCredential
	for _, a := range apps {
		creds, err := conn.client.Credentials(ctx, a)
		if err != nil {
			return out, adminFailure(err)
		}
		for _, c := range creds {
			tc := TenantCredential{Credential: c}
			for _, p := range all {
				if p.ClientID == a.ClientID && (p.SecretKeyID == "" || p.SecretKeyID == c.KeyID || c.Kind == idpadmin.KindCertificate) {
					tc.UsedBy = append(tc.UsedBy, p.Name)
				}
			}
			out = append(out, tc)
		}
	}
	return out, nil
}

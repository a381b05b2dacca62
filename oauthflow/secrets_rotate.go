package oauthflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
	"golang.org/x/oauth2"
)

// Test retries of a new secret: IdPs (Entra above all) take a moment to
// accept a secret everywhere after minting it.
var (
	newSecretTries = 4
	newSecretDelay = 2 * time.Second
)

// rotationLockID is the lock of a profile's rotation: its own lock file,
// so token fetches (which take the profile lock) go on meanwhile with the
// old secret.
func rotationLockID(id string) string { return id + ".rotation" }

func (l *SecretLifecycle) lockRotation(ctx context.Context, id string, wait time.Duration) (func(), error) {
	if wait <= 0 {
		wait = time.Millisecond // try once
	}
	return l.s.repo.Store.LockProfile(ctx, rotationLockID(id), wait)
}

// rotatable says why p cannot be rotated at the IdP (nil: it can).
func rotatable(p credentials.Profile) *Failure {
	switch {
	case p.Type != credentials.TypeApplication:
		return &Failure{Category: CatConfig, Message: "rotation at the IdP tests the new secret with the client credentials grant, so it is for Application profiles"}
	case p.AuthMethod == credentials.AuthPrivateKeyJWT:
		return &Failure{Category: CatConfig, Message: "the profile authenticates with private_key_jwt and has no client secret: replace its certificate instead"}
	case !p.HasManagement():
		return &Failure{Category: CatConfig, Message: fmt.Sprintf("%q has no IdP management connection: set one with credctl edit %s --management-profile OTHER", p.Name, p.Name)}
	}
	return nil
}

// RotateAtIdP rotates a profile's client secret at its IdP: find the app,
// mint a new secret, keep it in the keyring (with a pending "switch"),
// test it at the token endpoint, switch the profile to it in one write,
// then revoke the old secret now, record a pending revocation, or leave it
// (o.RevokeOld). The rotation lock keeps a second process from rotating
// the same profile at once: it waits, then is told the rotation is done.
func (l *SecretLifecycle) RotateAtIdP(ctx context.Context, nameOrID string, o AtIdPOptions) (Rotation, error) {
	s := l.s
	p, err := s.repo.Get(nameOrID)
	if err != nil {
		return Rotation{}, err
	}
	started := s.Clock.Now()
	r := Rotation{Profile: p.Name, ProfileID: p.ID}
	if f := rotatable(p); f != nil {
		return r.fail(StepFind, f, "nothing was changed at the IdP"), nil
	}
	wait := s.LockTimeout
	if wait <= 0 {
		wait = credentials.DefaultProfileLockTimeout
	}
	unlock, err := l.lockRotation(ctx, p.ID, wait)
	if err != nil {
		if errors.Is(err, credentials.ErrProfileLocked) {
			r.Skipped = true
			return r.fail(StepFind, &Failure{Category: CatOther, Message: fmt.Sprintf("a rotation of %q is in progress in another process", p.Name)},
				"the other process is rotating it: look again when it is done (credctl show "+p.Name+")"), nil
		}
		return r.fail(StepFind, lockFailure(err), "nothing was changed at the IdP"), nil
	}
	defer unlock()
	if p, err = s.repo.Get(p.ID); err != nil {
		return Rotation{}, err
	}
	r.Pending = p.PendingAtIdP
	if p.SecretRotatedAt.After(started) || (!p.SecretRotatedAt.IsZero() && p.SecretRotatedAt.Equal(started)) {
		r.Skipped = true
		r.NewKeyID = p.SecretKeyID
		r.Left = fmt.Sprintf("another process rotated the secret of %q just now (key %s): nothing more was done", p.Name, orUnknown(p.SecretKeyID))
		return r, nil
	}
	switch p.PendingAtIdP.Step {
	case "switch":
		return r.fail(StepFind, &Failure{Category: CatConfig, Message: "an earlier rotation is unfinished: a new secret (key " + orUnknown(p.PendingAtIdP.NewKeyID) + ") waits for its test and switch"},
			fmt.Sprintf("finish it with credctl idp complete %s, or drop it with credctl idp cancel %s", p.Name, p.Name)), nil
	case "mint":
		return r.fail(StepFind, &Failure{Category: CatConfig, Message: mintInterrupted(p)},
			fmt.Sprintf("look for it with credctl idp secrets and remove it at the IdP, then credctl idp cancel %s and rotate again", p.Name)), nil
	case "revoke":
		return r.fail(StepFind, &Failure{Category: CatConfig, Message: "the previous rotation's old secret (key " + orUnknown(p.PendingAtIdP.OldKeyID) + ") is still to be revoked"},
			fmt.Sprintf("revoke it now with credctl idp complete %s, or keep it with credctl idp cancel %s; then rotate", p.Name, p.Name)), nil
	}
	return l.rotate(ctx, p, o, r), nil
}

func (l *SecretLifecycle) rotate(ctx context.Context, p credentials.Profile, o AtIdPOptions, r Rotation) Rotation {
	s := l.s
	conn, err := l.connect(p)
	if err != nil {
		return r.fail(StepFind, failure.Classify(err), "nothing was changed at the IdP")
	}
	r.API, r.Management = string(conn.kind), conn.label
	idp := kindLabel(conn.kind)
	app, err := conn.client.FindApp(ctx, p.ClientID)
	if err != nil {
		return r.fail(StepFind, adminFailure(err), "nothing was changed at "+idp)
	}
	r.App = firstNonEmpty(app.Name, app.ClientID)
	creds, err := conn.client.Credentials(ctx, app)
	if err != nil {
		return r.fail(StepFind, adminFailure(err), "nothing was changed at "+idp)
	}
	lim := conn.client.Limits()
	r.OldKeyID = l.oldKey(ctx, conn, app, p, creds)
	if r.OldKeyID == "" && !o.RevokeOld.Never && !lim.MintReplacesOld && conn.kind != idpadmin.Keycloak {
		return r.fail(StepFind, &Failure{Category: CatCredentials, Message: fmt.Sprintf("cannot tell which secret of %s at %s is the one %q uses, so it could not be revoked after the rotation", r.App, idp, p.Name)},
			"nothing was changed at "+idp+"; rotate with --revoke-old-after never and remove the old secret by hand, or refresh the expiry (credctl idp refresh) once the secret is identified")
	}
	if n := activeSecrets(creds); lim.MaxSecrets > 0 && n >= lim.MaxSecrets && !lim.MintReplacesOld {
		return r.fail(StepMint, &Failure{Category: CatConfig, Message: fmt.Sprintf("%s allows %d secrets per app and %s has %d already (%s): revoke the one not in use first",
			idp, lim.MaxSecrets, r.App, n, secretKeys(creds))}, "nothing was created at "+idp)
	}
	r.Done = append(r.Done, StepFind)

	name := o.DisplayName
	if name == "" {
		name = "credworkbench " + p.Name + " " + s.Clock.Now().UTC().Format("2006-01-02")
	}
	// A "mint" step on record until the secret is kept: a process killed
	// in between leaves a secret at the IdP that only this explains.
	intent := credentials.PendingAtIdP{Step: "mint", API: r.API, AppID: app.ID, AppName: r.App, OldKeyID: r.OldKeyID,
		Since: s.Clock.Now().UTC(), Management: r.Management, NewName: name}
	if err := s.repo.UpdateLifecycle(p.ID, func(q *credentials.Profile) error { q.PendingAtIdP = intent; return nil }); err != nil {
		return r.fail(StepMint, failure.Classify(err), "nothing was created at "+idp)
	}
	m, err := conn.client.Mint(ctx, app, idpadmin.MintOptions{DisplayName: name, Expires: o.Expires})
	if err != nil && m.Value != "" {
		// RFC 7592: the secret was issued (the old one no longer works) but
		// the rotated registration token could not be kept. The secret must
		// not be lost: keep it and say what else is wrong.
		r.Warnings = append(r.Warnings, adminFailure(err).Error())
		l.audit(p, EventFailed, &r, slog.LevelWarn, "step", string(StepMint), "error", adminFailure(err).Error())
		err = nil
	}
	if err != nil {
		_ = s.repo.UpdateLifecycle(p.ID, func(q *credentials.Profile) error {
			if q.PendingAtIdP == intent {
				q.PendingAtIdP = credentials.PendingAtIdP{}
			}
			return nil
		})
		r = r.fail(StepMint, adminFailure(err), "nothing was created at "+idp+"; the old secret stays in use")
		l.audit(p, EventFailed, &r, slog.LevelWarn, "step", string(StepMint), "error", r.Failure.Error())
		return r
	}
	r.NewKeyID = m.KeyID
	r.Done = append(r.Done, StepMint)
	l.audit(p, EventSecretMinted, &r, slog.LevelInfo, "expires", timeAttr(m.Expires))
	if conn.kind == idpadmin.Keycloak && !lim.MintReplacesOld {
		r.OldKeyID = idpadmin.StatusRotated // Keycloak keeps the previous secret as "rotated"
	}

	pending := credentials.PendingAtIdP{Step: "switch", API: r.API, AppID: app.ID, AppName: r.App, NewKeyID: m.KeyID, OldKeyID: r.OldKeyID,
		Since: s.Clock.Now().UTC(), NewExpires: m.Expires, NewCreated: m.Created, RevokeOld: o.RevokeOld.String(), Management: r.Management}
	if lim.MintReplacesOld {
		pending.OldKeyID, pending.RevokeOld = "", "never" // the old one is gone already
	}
	if err := s.repo.StoreNextSecret(p.ID, m.Value, pending); err != nil {
		left := fmt.Sprintf("the new secret (key %s) could not be kept in the keyring", m.KeyID)
		if lim.MintReplacesOld {
			left += fmt.Sprintf("; %s replaced the old secret with it, so the profile's secret no longer works: fix the keyring and rotate again", idp)
		} else if rerr := conn.client.Revoke(ctx, app, m.KeyID); rerr != nil {
			left += fmt.Sprintf(" and could not be removed at %s either (%v): it is still there, unused; remove it there", idp, rerr)
		} else {
			left += fmt.Sprintf(", so it was removed at %s again; the old secret stays in use", idp)
		}
		return r.fail(StepStore, failure.Classify(err), left)
	}
	r.Done = append(r.Done, StepStore)
	r.Pending = pending
	l.audit(p, EventPendingChanged, &r, slog.LevelInfo, "pending", "switch")
	return l.testAndSwitch(ctx, conn, app, p, pending, m.Value, r)
}

// testAndSwitch tests the minted secret and switches to it (then revokes
// per the pending's RevokeOld). It is the second half of a rotation, and
// what RunDue and Complete resume.
func (l *SecretLifecycle) testAndSwitch(ctx context.Context, conn *adminConn, app idpadmin.App, p credentials.Profile, pending credentials.PendingAtIdP, secret string, r Rotation) Rotation {
	s := l.s
	idp := kindLabel(conn.kind)
	var tok *oauth2.Token
	var res Result
	var err error
	for try := 1; ; try++ {
		tok, res, err = (protocol{s}).fetchClientCredentials(ctx, p, &secret)
		f, _ := failure.As(err)
		if err == nil || try >= newSecretTries || f == nil || f.Category != CatCredentials || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(newSecretDelay):
		}
	}
	r.Result = res
	if err != nil {
		l.audit(p, EventSecretTested, &r, slog.LevelWarn, "status", "refused", "error", failure.Classify(err).Error())
		now := s.Clock.Now().UTC()
		_ = s.repo.UpdateLifecycle(p.ID, func(q *credentials.Profile) error {
			if q.PendingAtIdP.Step == "switch" && q.PendingAtIdP.NewKeyID == pending.NewKeyID {
				q.PendingAtIdP.LastError, q.PendingAtIdP.LastTry = failure.Classify(err).Error(), now
				q.PendingAtIdP.Tries++
				r.Pending = q.PendingAtIdP
			}
			return nil
		})
		left := fmt.Sprintf("a new secret was created at %s (key %s) but failed its test: it is still there, and in the keyring as the next secret; the profile keeps its old secret. "+
			"Retry with credctl idp complete %s, or remove it with credctl idp cancel %s", idp, orUnknown(pending.NewKeyID), p.Name, p.Name)
		if pending.RevokeOld == "never" && pending.OldKeyID == "" && conn.client.Limits().MintReplacesOld {
			left = fmt.Sprintf("%s replaced the secret (key %s), but the new one failed its test: the old one no longer works there. The new one is in the keyring as the next secret: "+
				"retry with credctl idp complete %s", idp, orUnknown(pending.NewKeyID), p.Name)
		}
		return r.fail(StepTest, failure.Classify(err), left)
	}
	r.Done = append(r.Done, StepTest)
	l.audit(p, EventSecretTested, &r, slog.LevelInfo, "status", "accepted")

	now := s.Clock.Now().UTC()
	then := credentials.PendingAtIdP{}
	ra, _ := ParseRevokeAfter(pending.RevokeOld)
	if !ra.Never && pending.OldKeyID != "" {
		then = credentials.PendingAtIdP{Step: "revoke", API: pending.API, AppID: pending.AppID, AppName: pending.AppName, NewKeyID: pending.NewKeyID,
			OldKeyID: pending.OldKeyID, Since: now, Due: now.Add(ra.After), Management: pending.Management}
	}
	source := ""
	if !pending.NewExpires.IsZero() || conn.kind == idpadmin.Okta {
		source = credentials.SecretExpiryFromIdP
	}
	err = s.repo.SwitchToNext(p.ID, credentials.SecretSwitch{NewKeyID: pending.NewKeyID, KeyID: pending.NewKeyID, ExpiresAt: pending.NewExpires,
		ExpirySource: source, CreatedAt: pending.NewCreated, Then: then})
	if err != nil {
		if errors.Is(err, credentials.ErrNoPendingSwitch) {
			r.Skipped = true
			r.Left = "another process finished or cancelled this rotation meanwhile: nothing more was done"
			return r
		}
		return r.fail(StepSwitch, failure.Classify(err), fmt.Sprintf("the new secret (key %s) works and is in the keyring as the next secret; the profile still uses the old one. "+
			"Switch with credctl idp complete %s", orUnknown(pending.NewKeyID), p.Name))
	}
	r.Done = append(r.Done, StepSwitch)
	r.Pending = then
	cur, err := s.repo.Get(p.ID)
	if err == nil {
		s.own.noteRotated(cur)
		res = withRecordWarning(res, s.record(&recordReq{p: cur, res: res}))
		if w := s.mgr.Share(cur, tok, res); w != "" {
			res.Warnings = append(res.Warnings, w)
		}
		r.Result = res
		p = cur
	}
	l.audit(p, EventSecretSwitched, &r, slog.LevelInfo)
	s.publish(Event{ProfileID: p.ID, Name: p.Name, Kind: EventRotated, Result: &res})
	if then.Step == "revoke" && !then.Due.After(now) {
		return l.revokeOld(ctx, conn, app, p, then, r)
	}
	if then.Step == "revoke" {
		r.Left = fmt.Sprintf("the old secret (key %s) stays at %s until %s, then it is revoked (credctl idp complete %s does it now)",
			then.OldKeyID, idp, then.Due.Local().Format("2006-01-02 15:04"), p.Name)
	} else if pending.OldKeyID != "" {
		r.Left = fmt.Sprintf("the old secret (key %s) stays at %s (you chose not to revoke it)", pending.OldKeyID, idp)
	}
	return r
}

// revokeOld removes the old secret at the IdP and drops the pending step;
// a failure keeps the pending step (retried by RunDue) and says so.
func (l *SecretLifecycle) revokeOld(ctx context.Context, conn *adminConn, app idpadmin.App, p credentials.Profile, pend credentials.PendingAtIdP, r Rotation) Rotation {
	s := l.s
	idp := kindLabel(conn.kind)
	r.OldKeyID = pend.OldKeyID
	if err := conn.client.Revoke(ctx, app, pend.OldKeyID); err != nil {
		f := adminFailure(err)
		now := s.Clock.Now().UTC()
		_ = s.repo.UpdateLifecycle(p.ID, func(q *credentials.Profile) error {
			if q.PendingAtIdP.Step == "revoke" && q.PendingAtIdP.OldKeyID == pend.OldKeyID {
				q.PendingAtIdP.LastError, q.PendingAtIdP.LastTry = f.Error(), now
				q.PendingAtIdP.Tries++
				r.Pending = q.PendingAtIdP
			}
			return nil
		})
		r = r.fail(StepRevoke, f, fmt.Sprintf("the old secret (key %s) is still at %s; the profile uses the new one. The revocation stays pending: the workbench and the next credctl command retry it, credctl idp complete %s does it now",
			pend.OldKeyID, idp, p.Name))
		l.audit(p, EventFailed, &r, slog.LevelWarn, "step", string(StepRevoke), "error", f.Error())
		return r
	}
	_ = s.repo.UpdateLifecycle(p.ID, func(q *credentials.Profile) error {
		if q.PendingAtIdP.Step == "revoke" && q.PendingAtIdP.OldKeyID == pend.OldKeyID {
			q.PendingAtIdP = credentials.PendingAtIdP{}
		}
		return nil
	})
	r.Done = append(r.Done, StepRevoke)
	r.Pending = credentials.PendingAtIdP{}
	r.Left = ""
	l.audit(p, EventSecretRevoked, &r, slog.LevelInfo, "revokedKeyId", pend.OldKeyID)
	return r
}

// oldKey is the key ID of the secret p uses: the recorded one while the
// IdP still lists it, else what the IdP identifies from the secret.
func (l *SecretLifecycle) oldKey(ctx context.Context, conn *adminConn, app idpadmin.App, p credentials.Profile, creds []idpadmin.Credential) string {
	if p.SecretKeyID != "" {
		for _, c := range creds {
			if c.KeyID == p.SecretKeyID {
				return c.KeyID
			}
		}
	}
	secret, err := l.s.repo.Secrets.Get(p.ID, credentials.ClientSecret)
	if err != nil {
		return ""
	}
	id, err := conn.client.Identify(ctx, app, secret)
	if err != nil {
		return ""
	}
	return id
}

func activeSecrets(creds []idpadmin.Credential) int {
	n := 0
	for _, c := range creds {
		if c.Kind == idpadmin.KindSecret && c.Status != idpadmin.StatusInactive {
			n++
		}
	}
	return n
}

func secretKeys(creds []idpadmin.Credential) string {
	var ks []string
	for _, c := range creds {
		if c.Kind == idpadmin.KindSecret {
			ks = append(ks, "key "+c.KeyID)
		}
	}
	return strings.Join(ks, ", ")
}

// adminFailure is an idpadmin error in our words: the step, the IdP's
// error code and message, and the advice.
func adminFailure(err error) *Failure {
	var e *idpadmin.Error
	if errors.As(err, &e) {
		cat := CatOther
		switch {
		case e.Status == 401 || e.Status == 403:
			cat = CatScope
		case e.Code == idpadmin.CodeNetwork:
			cat = CatNetwork
		case idpadmin.IsNotFound(err):
			cat = CatConfig
		}
		if e.Op == "token" && e.Err != nil {
			if f, ok := failure.As(e.Err); ok {
				return &Failure{Category: f.Category, Message: "the management token could not be had: " + f.Error(), Err: err}
			}
		}
		return &Failure{Category: cat, Message: e.Error(), Err: err}
	}
	return failure.Classify(err)
}

// fail records the failed step and what it left.
func (r Rotation) fail(step RotationStep, f *Failure, left string) Rotation {
	r.Failed, r.Failure, r.Left = step, f, left
	return r
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func timeAttr(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format(time.RFC3339)
}

// mintInterrupted explains a "mint" step left on record: the process
// stopped while the IdP created a secret it never kept.
func mintInterrupted(p credentials.Profile) string {
	return fmt.Sprintf("an earlier rotation stopped while %s created a new secret (named %q, %s): if it was created, it is at the IdP but not here",
		orWord(p.PendingAtIdP.API, "the IdP"), p.PendingAtIdP.NewName, p.PendingAtIdP.Since.UTC().Format(time.RFC3339))
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

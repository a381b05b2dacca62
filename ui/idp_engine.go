package ui

import (
	"context"
	"errors"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
	"github.com/credworkbench/credworkbench/ui/model"
)

// The window's view of the engine's IdP secret lifecycle (#26): what the
// form infers and defaults, where the form's token goes.

// inferManagementAPI is the management API the issuer names ("" = unknown):
// a stored registration URI is RFC 7592.
func inferManagementAPI(p credentials.Profile) string {
	if k := idpadmin.InferKind(firstNonEmpty(p.IssuerURL, p.TokenURL)); k != "" {
		return string(k)
	}
	if p.RegistrationClientURI != "" {
		return model.APIRFC7592
	}
	return ""
}

// defaultManagementURL is the base URL used when the form's is empty ("" = none).
func defaultManagementURL(p credentials.Profile, kind string) string {
	if kind == "" || kind == model.APIRFC7592 {
		return ""
	}
	u, err := idpadmin.DefaultBaseURL(idpadmin.Kind(kind), firstNonEmpty(p.IssuerURL, p.TokenURL))
	if err != nil {
		return ""
	}
	return u
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// SecretOperations is what the IdP secret views ask of oauthflow.Service
// beyond Operations. A workbench whose Operations lack it (a test fake)
// offers no rotation at the IdP.
type SecretOperations interface {
	Secrets() *oauthflow.SecretLifecycle
}

var _ SecretOperations = (*oauthflow.Service)(nil)

// errNoLifecycle: the service cannot manage secrets at the IdP.
var errNoLifecycle = errors.New("this workbench cannot reach IdP management APIs")

func lifecycleOf(svc Operations) (*oauthflow.SecretLifecycle, error) {
	if s, ok := svc.(SecretOperations); ok {
		return s.Secrets(), nil
	}
	return nil, errNoLifecycle
}

// idpRevokeNow carries out the profile's pending step now.
func idpRevokeNow(ctx context.Context, svc Operations, id string) (string, error) {
	l, err := lifecycleOf(svc)
	if err != nil {
		return "", err
	}
	r, err := l.Complete(ctx, id)
	if err != nil {
		return "", err
	}
	return model.RotationLine(r), nil
}

// idpCancelPending drops the profile's pending step.
func idpCancelPending(ctx context.Context, svc Operations, id string) (string, error) {
	l, err := lifecycleOf(svc)
	if err != nil {
		return "", err
	}
	r, err := l.Cancel(ctx, id)
	if err != nil {
		return "", err
	}
	if !r.OK() {
		return model.RotationLine(r), nil
	}
	msg := r.Profile + ": pending step cancelled"
	if r.Left != "" {
		msg += " (" + r.Left + ")"
	}
	return msg, nil
}

// idpRefreshExpiry reads the secret's expiry from the IdP again.
func idpRefreshExpiry(ctx context.Context, svc Operations, id string) (string, error) {
	l, err := lifecycleOf(svc)
	if err != nil {
		return "", err
	}
	info, err := l.RefreshExpiry(ctx, id)
	if err != nil {
		return "", err
	}
	s := info.Profile + ": " + model.APILabel(info.API) + " says the secret "
	switch {
	case !info.Expires.IsZero():
		s += "expires on " + info.Expires.UTC().Format("2006-01-02")
	case !info.MaxAgeDue.IsZero():
		s += "has no expiry; its maximum age ends on " + info.MaxAgeDue.UTC().Format("2006-01-02")
	default:
		s += "has no expiry"
	}
	return s, nil
}

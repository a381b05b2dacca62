package main

import (
	"fmt"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/pflag"
)

// managementFlags are the IdP management settings of a profile (#26, add
// and edit). The Okta SSWS token and the RFC 7592 registration access
// token are read from standard input like the client secret, never argv.
type managementFlags struct {
	profile, api, url, regURI, maxAge string
	tokenStdin, regTokenStdin         bool
	token, regToken                   string // read from stdin
}

func (m *managementFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&m.profile, "management-profile", "", "the `profile` whose token manages this app at its IdP (rotate-secret --at-idp, idp secrets); none clears")
	fs.StringVar(&m.api, "management-api", "", "management `API`: entra, okta, keycloak or rfc7592 (default: inferred from the issuer); none clears")
	fs.StringVar(&m.url, "management-url", "", "management API base `URL` (default: Microsoft Graph for Entra, the issuer's origin for Okta and Keycloak); none clears")
	fs.StringVar(&m.regURI, "registration-uri", "", "RFC 7592 registration_client_uri of this client (`URL`); none clears")
	fs.StringVar(&m.maxAge, "max-secret-age", "", "maximum client secret `age` for IdPs that set no expiry (Okta), e.g. 90d; 0 clears")
	fs.BoolVar(&m.tokenStdin, "management-token-stdin", false, "read an Okta API token (SSWS) from standard input (after the other secrets); kept in the keyring")
	fs.BoolVar(&m.regTokenStdin, "registration-token-stdin", false, "read the RFC 7592 registration access token from standard input (after the other secrets); kept in the keyring")
}

// apply copies the given management flags onto p (the profile name stays
// a name here; resolve turns it into the ID).
func (m *managementFlags) apply(cmd string, given func(string) bool, p *credentials.Profile) error {
	if given("management-profile") {
		p.ManagementProfile = strings.TrimSpace(noneClears(m.profile))
	}
	if given("management-api") {
		p.ManagementAPI = strings.ToLower(strings.TrimSpace(noneClears(m.api)))
	}
	if given("management-url") {
		p.ManagementURL = strings.TrimSpace(noneClears(m.url))
	}
	if given("registration-uri") {
		p.RegistrationClientURI = strings.TrimSpace(noneClears(m.regURI))
		if p.RegistrationClientURI != "" && p.ManagementAPI == "" {
			p.ManagementAPI = "rfc7592"
		}
	}
	if given("max-secret-age") {
		v := strings.TrimSpace(m.maxAge)
		if v == "0" || strings.EqualFold(v, "none") || v == "" {
			p.MaxSecretAge = 0
		} else {
			d, err := oauthflow.ParseDays(v)
			if err != nil {
				return &usageError{cmd: cmd, msg: "--max-secret-age: " + err.Error()}
			}
			p.MaxSecretAge = credentials.Duration(d)
		}
	}
	return nil
}

// resolve turns --management-profile NAME into the profile's ID (so a
// rename keeps the link).
func (m *managementFlags) resolve(svc *oauthflow.Service, p *credentials.Profile) error {
	if p.ManagementProfile == "" {
		return nil
	}
	mp, err := svc.Profile(p.ManagementProfile)
	if err != nil {
		return &credentials.ValidationError{Fields: []credentials.FieldError{{Field: credentials.FieldManagementProfile,
			Message: fmt.Sprintf("Management profile %q does not exist: add it first (a profile with the IdP's management rights).", p.ManagementProfile)}}}
	}
	p.ManagementProfile = mp.ID
	return nil
}

// prompts are the secrets to read after the others.
func (m *managementFlags) prompts() []secretPrompt {
	var out []secretPrompt
	if m.tokenStdin {
		out = append(out, secretPrompt{"Okta API token (SSWS)", credentials.FieldManagementProfile})
	}
	if m.regTokenStdin {
		out = append(out, secretPrompt{"registration access token", credentials.FieldRegistrationClientURI})
	}
	return out
}

// take keeps what was read for prompts().
func (m *managementFlags) take(vals []string) {
	if m.tokenStdin && len(vals) > 0 {
		m.token, vals = vals[0], vals[1:]
	}
	if m.regTokenStdin && len(vals) > 0 {
		m.regToken = vals[0]
	}
}

// store keeps the tokens read in the keyring, once the profile is saved.
func (m *managementFlags) store(svc *oauthflow.Service, p credentials.Profile) error {
	for _, t := range []struct {
		v    string
		kind credentials.SecretKind
	}{{m.token, credentials.ManagementToken}, {m.regToken, credentials.RegistrationToken}} {
		if t.v == "" {
			continue
		}
		if err := svc.Secrets().SetManagementToken(p.ID, t.kind, t.v); err != nil {
			return fmt.Errorf("the profile was saved, but its %s could not be stored: %w", t.kind, err)
		}
	}
	return nil
}

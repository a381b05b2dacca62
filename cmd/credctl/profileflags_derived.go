package main

import (
	"fmt"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// derivedFlags are the settings of derived profiles (#28): token exchange
// of another profile's token, and the JWT bearer grant.
type derivedFlags struct {
	a                                 *app
	subject, actor, requested, assSub string
}

func (d *derivedFlags) register(a *app, cmd *cobra.Command, fs *pflag.FlagSet) {
	d.a = a
	fs.StringVar(&d.subject, "subject-profile", "", "--grant token-exchange: the `profile` whose current access token is exchanged")
	fs.StringVar(&d.actor, "actor-profile", "", "--grant token-exchange: the `profile` whose token is sent as actor token (none clears)")
	fs.StringVar(&d.requested, "requested-token-type", "", "--grant token-exchange: requested token `type`: access_token (default), jwt, id_token or a URI (none clears)")
	fs.StringVar(&d.assSub, "assertion-subject", "", "--grant jwt-bearer: the `subject` (sub) of the assertion signed with the --certificate key")
	_ = cmd.RegisterFlagCompletionFunc("subject-profile", a.completeProfileFlag)
	_ = cmd.RegisterFlagCompletionFunc("actor-profile", a.completeProfileFlag)
	a.completeWords(cmd, "requested-token-type", "access_token", "jwt", "id_token")
}

// parseGrant reads --grant: the names credctl shows (token-exchange) or
// the OAuth grant_type values.
func parseGrant(s string) credentials.GrantType {
	v := strings.ToLower(strings.TrimSpace(s))
	for _, g := range []credentials.GrantType{credentials.GrantClientCredentials, credentials.GrantAuthorizationCode,
		credentials.GrantTokenExchange, credentials.GrantJWTBearer} {
		if v == credentials.GrantShortName(g) || v == string(g) {
			return g
		}
	}
	return credentials.GrantType(v)
}

// derivedGrantGiven says --grant names a derived grant (add then needs no
// --type: both are Application grants).
func (f *profileFlags) derivedGrantGiven() bool {
	g := parseGrant(f.grant)
	return f.given("grant") && (g == credentials.GrantTokenExchange || g == credentials.GrantJWTBearer)
}

// apply copies the derived-profile flags onto p; profile names become IDs
// (a rename of the subject keeps the reference).
func (d *derivedFlags) apply(cmd string, f *profileFlags, p *credentials.Profile) error {
	if f.derivedGrantGiven() && !f.given("type") && p.Type == "" {
		p.Type = credentials.TypeApplication
	}
	for _, ref := range []struct {
		flag string
		dst  *string
		val  string
	}{{"subject-profile", &p.SubjectProfile, d.subject}, {"actor-profile", &p.ActorProfile, d.actor}} {
		if !f.given(ref.flag) {
			continue
		}
		id, err := d.resolve(cmd, ref.flag, ref.val)
		if err != nil {
			return err
		}
		*ref.dst = id
	}
	if f.given("requested-token-type") {
		p.RequestedTokenType = credentials.TokenTypeURN(noneClears(d.requested))
	}
	if f.given("assertion-subject") {
		p.AssertionSubject = strings.TrimSpace(d.assSub)
	}
	return nil
}

// resolve turns a profile name (or ID) into the ID the profile stores.
func (d *derivedFlags) resolve(cmd, flag, name string) (string, error) {
	name = noneClears(strings.TrimSpace(name))
	if name == "" {
		return "", nil
	}
	svc, err := d.a.service()
	if err != nil {
		return "", err
	}
	p, err := svc.Profile(name)
	if err != nil {
		return "", &usageError{cmd: cmd, msg: fmt.Sprintf("--%s: there is no profile %q (credctl list shows them)", flag, name)}
	}
	return p.ID, nil
}

// showDerived prints what a derived profile's token comes from.
func showDerived(a *app, p credentials.Profile, row func(k, v string)) {
	switch p.GrantType {
	case credentials.GrantTokenExchange:
		row("Exchanges the token of", "'"+derivedSourceName(a, p.SubjectProfile)+"'")
		if p.ActorProfile != "" {
			row("Actor", "'"+derivedSourceName(a, p.ActorProfile)+"'")
		}
		row("Requested token type", credentials.ShortTokenType(orWord(p.RequestedTokenType, credentials.TokenTypeAccessToken)))
	case credentials.GrantJWTBearer:
		row("Assertion subject", p.AssertionSubject)
	}
}

// derivedSourceName is the name of the profile id, or says it is gone.
func derivedSourceName(a *app, id string) string {
	if svc, err := a.service(); err == nil {
		if p, err := svc.Profile(id); err == nil {
			return p.Name
		}
	}
	return "(deleted profile " + id + ")"
}

// derivedJSON is a derived profile's source in JSON output.
type derivedJSON struct {
	SubjectProfileID   string `json:"subjectProfileId,omitempty"`
	ActorProfileID     string `json:"actorProfileId,omitempty"`
	RequestedTokenType string `json:"requestedTokenType,omitempty"`
	AssertionSubject   string `json:"assertionSubject,omitempty"`
}

func toDerivedJSON(p credentials.Profile) *derivedJSON {
	switch p.GrantType {
	case credentials.GrantTokenExchange:
		return &derivedJSON{SubjectProfileID: p.SubjectProfile, ActorProfileID: p.ActorProfile, RequestedTokenType: p.RequestedTokenType}
	case credentials.GrantJWTBearer:
		return &derivedJSON{AssertionSubject: p.AssertionSubject}
	}
	return nil
}

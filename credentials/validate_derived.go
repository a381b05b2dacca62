package credentials

import (
	"net/url"
	"strings"
	"unicode"
)

// Derived profiles (#28): a token obtained by exchanging another profile's
// token (RFC 8693) or by a JWT bearer assertion for a subject (RFC 7523 §2.1).

// Fields of the derived-profile settings in validation errors.
const (
	FieldSubjectProfile     = "subjectProfile"
	FieldActorProfile       = "actorProfile"
	FieldRequestedTokenType = "requestedTokenType"
	FieldAssertionSubject   = "assertionSubject"
)

// Token type identifiers of RFC 8693 §3 (names, not credentials).
const (
	TokenTypeAccessToken  = "urn:ietf:params:oauth:token-type:access_token"  // #nosec G101 -- a token type name
	TokenTypeRefreshToken = "urn:ietf:params:oauth:token-type:refresh_token" // #nosec G101 -- a token type name
	TokenTypeIDToken      = "urn:ietf:params:oauth:token-type:id_token"      // #nosec G101 -- a token type name
	TokenTypeJWT          = "urn:ietf:params:oauth:token-type:jwt"           // #nosec G101 -- a token type name
)

// TokenTypeURN expands the short names people type (access_token, jwt,
// id_token, refresh_token) to their RFC 8693 URN; anything else is kept.
func TokenTypeURN(s string) string {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "access_token", "access-token":
		return TokenTypeAccessToken
	case "refresh_token", "refresh-token":
		return TokenTypeRefreshToken
	case "id_token", "id-token":
		return TokenTypeIDToken
	case "jwt":
		return TokenTypeJWT
	}
	return s
}

// ShortTokenType is the last part of an RFC 8693 token type URN
// ("access_token"), for display; other URIs are returned whole.
func ShortTokenType(s string) string {
	if rest, ok := strings.CutPrefix(s, "urn:ietf:params:oauth:token-type:"); ok {
		return rest
	}
	return s
}

// IsDerived reports whether p's token is derived from another profile's
// token or from an assertion it signs for a subject.
func (p Profile) IsDerived() bool {
	return p.GrantType == GrantTokenExchange || p.GrantType == GrantJWTBearer
}

// GrantShortName is the name credctl's --grant flag takes.
func GrantShortName(g GrantType) string {
	switch g {
	case GrantClientCredentials:
		return "client-credentials"
	case GrantAuthorizationCode:
		return "authorization-code"
	case GrantTokenExchange:
		return "token-exchange"
	case GrantJWTBearer:
		return "jwt-bearer"
	}
	return string(g)
}

// DerivedFrom lists the IDs of the profiles whose tokens p's token is
// exchanged from (subject first, then actor).
func (p Profile) DerivedFrom() []string {
	if p.GrantType != GrantTokenExchange {
		return nil
	}
	var ids []string
	for _, id := range []string{p.SubjectProfile, p.ActorProfile} {
		if id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// derivedPublicOK says a derived profile may go without a client secret:
// a token exchange by a public client (where the IdP allows it) and a JWT
// bearer grant, whose assertion authenticates the client (RFC 7523 §3.1).
func derivedPublicOK(p Profile) bool { return p.IsDerived() }

// validateDerived checks the derived-profile settings; grant-type rules of
// Application profiles (validate.go) let both derived grants through.
func validateDerived(p Profile, opt ValidateOptions, add func(field, format string, args ...any)) {
	if !p.IsDerived() {
		return // the settings of another grant are kept but not used
	}
	if p.Type != TypeApplication {
		add(FieldGrantType, "Token exchange and JWT bearer are grants of Application profiles.")
	}
	switch p.GrantType {
	case GrantTokenExchange:
		checkReference(p, opt, FieldSubjectProfile, "subject", p.SubjectProfile, true, add)
		checkReference(p, opt, FieldActorProfile, "actor", p.ActorProfile, false, add)
		if p.ActorProfile != "" && p.ActorProfile == p.SubjectProfile {
			add(FieldActorProfile, "The actor profile must differ from the subject profile.")
		}
		if t := p.RequestedTokenType; t != "" {
			if u, err := url.Parse(t); err != nil || !u.IsAbs() || strings.ContainsFunc(t, unicode.IsSpace) {
				add(FieldRequestedTokenType, "Requested token type %q is not a token type: use access_token, jwt, id_token or a token type URI (RFC 8693 §3).", t)
			}
		}
	case GrantJWTBearer:
		switch {
		case p.AssertionSubject == "":
			add(FieldAssertionSubject, "The JWT bearer grant needs the assertion subject: the user or service the token is for (--assertion-subject).")
		case strings.ContainsFunc(p.AssertionSubject, unicode.IsControl):
			add(FieldAssertionSubject, "The assertion subject holds control characters.")
		}
		if p.Certificate == "" && !opt.CertificateLater && !opt.SecretOptional {
			add(FieldCertificate, "The JWT bearer grant signs its assertion with a certificate's key: import one with its key (--certificate FILE), or generate one.")
		}
		if p.AuthMethod != AuthPrivateKeyJWT { // else validateAssertion ran already
			validateAssertion(p, opt.CertificateLater, add)
		}
		if p.Certificate != "" && !opt.HasPrivateKey && !opt.SecretOptional {
			add(FieldPrivateKey, "The JWT bearer grant signs its assertion with the certificate's private key: import the certificate with its key, or generate one.")
		}
	}
}

// checkReference checks that a derived profile's subject or actor names
// another stored profile (by ID; an import's entries name it by name).
func checkReference(p Profile, opt ValidateOptions, field, role, ref string, required bool, add func(field, format string, args ...any)) {
	if ref == "" {
		if required {
			add(field, "Token exchange needs the subject profile whose token it exchanges (--subject-profile NAME).")
		}
		return
	}
	if ref == p.ID || (p.ID == "" && SameName(ref, p.Name)) {
		add(field, "A profile cannot exchange its own token: choose another %s profile.", role)
		return
	}
	if opt.Others == nil && opt.Names == nil {
		return // a stored profile checked on its own (CheckStored)
	}
	for _, o := range opt.Others {
		if o.ID == ref {
			return
		}
	}
	for _, o := range opt.Names {
		if o.ID == ref || SameName(o.Name, ref) {
			return
		}
	}
	if opt.Names != nil && opt.Others == nil {
		add(field, "The %s profile %q is neither in the file nor among your profiles: import it too, or edit the profile after the import.", role, ref)
		return
	}
	add(field, "The %s profile no longer exists: choose another one (it was deleted).", role)
}

package credentials

// Rules of the modern browser login (#28): pushed authorization requests
// (RFC 9126) and signed request objects (RFC 9101) change how the browser
// login's authorization request travels, so only User profiles have them.
// Whether the profile has a key to sign request objects with is checked
// when the login starts (the key may come later: credctl certificate new).

// FieldLogin is the field of the PAR and request-object settings.
const FieldLogin = "login"

func validateLogin(p Profile, add func(field, format string, args ...any)) {
	if p.Type == TypeUser {
		return
	}
	switch {
	case p.PAR && p.RequestObject:
		add(FieldLogin, "Pushed authorization requests and signed request objects are for the browser login of User profiles; clear --par and --request-object for an %s profile.", p.Type.Label())
	case p.PAR:
		add(FieldLogin, "Pushed authorization requests (--par) are for the browser login of User profiles; clear it for an %s profile.", p.Type.Label())
	case p.RequestObject:
		add(FieldLogin, "Signed request objects (--request-object) are for the browser login of User profiles; clear it for an %s profile.", p.Type.Label())
	}
}

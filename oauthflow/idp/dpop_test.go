package idp

import (
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

func TestCheckTokenTypeAndBinding(t *testing.T) {
	for _, c := range []struct {
		typ  string
		dpop bool
		want string // "" = accepted
	}{
		{"Bearer", false, ""}, {"", false, ""}, {"DPoP", true, ""}, {"dpop", true, ""},
		{"Bearer", true, MsgBearerForDPoP}, {"", true, MsgBearerForDPoP}, {"DPoP", false, MsgDPoPForBearer},
		{"mac", false, "only Bearer and DPoP"},
	} {
		tok := &oauth2.Token{AccessToken: "x", TokenType: c.typ}
		f := CheckTokenResponse(tok)
		if f == nil {
			f = CheckTokenBinding(tok, c.dpop)
		}
		switch {
		case c.want == "" && f != nil:
			t.Errorf("%q (dpop %t) refused: %v", c.typ, c.dpop, f)
		case c.want != "" && (f == nil || !strings.Contains(f.Message, c.want)):
			t.Errorf("%q (dpop %t): %v, want %q", c.typ, c.dpop, f, c.want)
		}
	}
}

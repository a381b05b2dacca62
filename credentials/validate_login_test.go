package credentials

import (
	"strings"
	"testing"
)

// PAR and request objects are for the browser login: an Application
// profile with them is refused on the field, a User profile keeps them.
func TestValidateLogin(t *testing.T) {
	app := Profile{Name: "Batch", Type: TypeApplication, TokenURL: "https://idp.example.com/token", ClientID: "c", PAR: true}
	app.Normalize()
	err := Validate(app, ValidateOptions{HasSecret: true})
	if v, ok := err.(*ValidationError); !ok || !strings.Contains(v.For(FieldLogin), "--par") {
		t.Fatalf("an Application profile with PAR: %v", err)
	}
	user := Profile{Name: "Portal", Type: TypeUser, IssuerURL: "https://idp.example.com", ClientID: "c", PAR: true, RequestObject: true}
	user.Normalize()
	if err := Validate(user, ValidateOptions{}); err != nil {
		t.Fatalf("a User profile with PAR and a request object: %v", err)
	}
}

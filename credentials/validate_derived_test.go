package credentials

import (
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

func exchangeProfile(name, subject string) Profile {
	p := appProfile(name)
	p.GrantType, p.SubjectProfile = GrantTokenExchange, subject
	return p
}

func TestValidateDerived(t *testing.T) {
	subject := appProfile("alice-portal")
	subject.ID = "00000000000000aa"
	others := []Profile{subject}
	for _, c := range []struct {
		name   string
		p      func() Profile
		opt    ValidateOptions
		field  string // "" = valid
		substr string
	}{
		{"public token exchange", func() Profile { return exchangeProfile("orders", subject.ID) }, ValidateOptions{Others: others}, "", ""},
		{"no subject", func() Profile { return exchangeProfile("orders", "") }, ValidateOptions{Others: others}, FieldSubjectProfile, "--subject-profile"},
		{"subject gone", func() Profile { return exchangeProfile("orders", "00000000000000bb") }, ValidateOptions{Others: others}, FieldSubjectProfile, "no longer exists"},
		{"own token", func() Profile {
			p := exchangeProfile("orders", "00000000000000cc")
			p.ID = "00000000000000cc"
			return p
		}, ValidateOptions{Others: others}, FieldSubjectProfile, "its own token"},
		{"actor is subject", func() Profile { p := exchangeProfile("orders", subject.ID); p.ActorProfile = subject.ID; return p }, ValidateOptions{Others: others}, FieldActorProfile, "differ"},
		{"bad token type", func() Profile {
			p := exchangeProfile("orders", subject.ID)
			p.RequestedTokenType = "jwt please"
			return p
		}, ValidateOptions{Others: others}, FieldRequestedTokenType, "token type"},
		{"user type", func() Profile { p := exchangeProfile("orders", subject.ID); p.Type = TypeUser; return p }, ValidateOptions{Others: others}, FieldGrantType, ""},
		{"subject kept on client credentials", func() Profile { p := appProfile("x"); p.SubjectProfile = "gone"; return p }, ValidateOptions{Others: others, HasSecret: true}, "", ""},
		{"jwt bearer without subject", func() Profile { p := appProfile("jb"); p.GrantType = GrantJWTBearer; return p }, ValidateOptions{CertificateLater: true}, FieldAssertionSubject, "--assertion-subject"},
		{"jwt bearer without certificate", func() Profile {
			p := appProfile("jb")
			p.GrantType, p.AssertionSubject = GrantJWTBearer, "bob"
			return p
		}, ValidateOptions{}, FieldCertificate, "--certificate FILE"},
		{"import names the subject", func() Profile { return exchangeProfile("orders", "Alice-Portal") }, ValidateOptions{Names: map[string]Profile{NameKey(subject.Name): subject}, SecretOptional: true}, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := validate(c.p(), c.opt)
			if c.field == "" {
				if err != nil {
					t.Fatalf("want valid: %v", err)
				}
				return
			}
			ve, _ := err.(*ValidationError)
			msg := ve.For(c.field)
			if msg == "" || !strings.Contains(msg, c.substr) {
				t.Fatalf("field %s: %q (all: %v); want it to say %q", c.field, msg, err, c.substr)
			}
			checkHumanMessage(t, c.field, msg)
		})
	}
	if got := TokenTypeURN("jwt"); got != TokenTypeJWT {
		t.Errorf("TokenTypeURN(jwt) = %q", got)
	}
}

// An export names the subject; the import finds it by name and stores its ID.
func TestDerivedExportImportByName(t *testing.T) {
	repo := newRepo(t, testenv.NewMemKeyring())
	subject, err := repo.Save(appProfile("alice-portal"), SecretChange{ClientSecret: Secret("s")})
	if err != nil {
		t.Fatal(err)
	}
	derived, err := repo.Save(exchangeProfile("orders", subject.ID), SecretChange{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := Export([]Profile{subject, derived})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), subject.ID) || !strings.Contains(string(data), `"subjectProfile": "alice-portal"`) {
		t.Fatalf("the export does not name the subject:\n%s", data)
	}
	other := newRepo(t, testenv.NewMemKeyring())
	entries, err := ParseImport(data, nil, ImportDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Import(entries, false); err != nil {
		t.Fatal(err)
	}
	s2, err := other.Get("alice-portal")
	if err != nil {
		t.Fatal(err)
	}
	d2, err := other.Get("orders")
	if err != nil {
		t.Fatal(err)
	}
	if d2.SubjectProfile != s2.ID {
		t.Fatalf("imported subject reference %q, want the ID %q", d2.SubjectProfile, s2.ID)
	}
}

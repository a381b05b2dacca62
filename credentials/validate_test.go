package credentials

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
)

// validate normalizes p like every caller does and validates it.
func validate(p Profile, opt ValidateOptions) error {
	p.Normalize()
	return Validate(p, opt)
}

// checkHumanMessage fails unless msg reads like a sentence for a person.
func checkHumanMessage(t *testing.T, field, msg string) {
	t.Helper()
	r := []rune(msg)
	if len(r) < 10 || !unicode.IsUpper(r[0]) || !strings.HasSuffix(msg, ".") || strings.Contains(msg, "%!") {
		t.Errorf("message for %s is not a readable sentence: %q", field, msg)
	}
}

func TestValidateRules(t *testing.T) {
	withSecret := ValidateOptions{HasSecret: true}
	caDir := t.TempDir()

	type tc struct {
		name   string
		base   func(string) Profile
		edit   func(*Profile)
		opt    *ValidateOptions // nil: withSecret
		field  string           // "" means valid
		substr string           // must appear in the field's message
	}
	app, user := appProfile, userProfile
	cases := []tc{
		{"valid application", app, func(*Profile) {}, nil, "", ""},
		{"valid user with issuer only", user, func(*Profile) {}, nil, "", ""},
		{"valid user with endpoints, no issuer", user, func(p *Profile) {
			p.IssuerURL, p.AuthURL, p.TokenURL = "", "https://idp.example.com/auth", "https://idp.example.com/token"
		}, nil, "", ""},

		// Name.
		{"name required", app, func(p *Profile) { p.Name = "   " }, nil, FieldName, "required"},
		{"name 64 runes ok", app, func(p *Profile) { p.Name = strings.Repeat("é", 64) }, nil, "", ""},
		{"name too long", app, func(p *Profile) { p.Name = strings.Repeat("a", 65) }, nil, FieldName, "longer than 64"},
		{"name non-ASCII letters ok", app, func(p *Profile) { p.Name = "Ärger & Co. _-1 日本語" }, nil, "", ""},
		{"name slash", app, func(p *Profile) { p.Name = "a/b" }, nil, FieldName, `'/'`},
		{"name at", app, func(p *Profile) { p.Name = "ops@corp" }, nil, FieldName, "letters, digits"},
		{"name colon", app, func(p *Profile) { p.Name = "a:b" }, nil, FieldName, "letters, digits"},
		{"name tab", app, func(p *Profile) { p.Name = "a\tb" }, nil, FieldName, "letters, digits"},
		{"name emoji", app, func(p *Profile) { p.Name = "api 🔑" }, nil, FieldName, "letters, digits"},
		{"name duplicate ignoring case", app, func(p *Profile) { p.Name = "my API" },
			&ValidateOptions{HasSecret: true, Others: []Profile{{ID: "other", Name: "My api"}}}, FieldName, `"My api" already exists`},
		{"name same profile may keep its name", app, func(p *Profile) { p.ID, p.Name = "me", "MY API" },
			&ValidateOptions{HasSecret: true, Others: []Profile{{ID: "me", Name: "my api"}}}, "", ""},

		// Endpoint URLs.
		{"token url http remote", app, func(p *Profile) { p.TokenURL = "http://idp.example.com/token" }, nil, FieldTokenURL, "must use https"},
		{"token url http 127.0.0.1", app, func(p *Profile) { p.TokenURL = "http://127.0.0.1:8080/token" }, nil, "", ""},
		{"token url http ::1", app, func(p *Profile) { p.TokenURL = "http://[::1]:8080/token" }, nil, "", ""},
		{"token url http localhost", app, func(p *Profile) { p.TokenURL = "http://localhost:9000/token" }, nil, "", ""},
		{"token url http LOCALHOST", app, func(p *Profile) { p.TokenURL = "http://LOCALHOST/token" }, nil, "", ""},
		{"token url localhost lookalike", app, func(p *Profile) { p.TokenURL = "http://localhost.example.com/token" }, nil, FieldTokenURL, "must use https"},
		{"token url ftp", app, func(p *Profile) { p.TokenURL = "ftp://idp.example.com/token" }, nil, FieldTokenURL, "https://"},
		{"token url no scheme", app, func(p *Profile) { p.TokenURL = "idp.example.com/token" }, nil, FieldTokenURL, "https://"},
		{"token url no host", app, func(p *Profile) { p.TokenURL = "https:///token" }, nil, FieldTokenURL, "no host"},
		{"token url unparsable", app, func(p *Profile) { p.TokenURL = "https://idp example.com/%zz" }, nil, FieldTokenURL, "not a valid URL"},
		{"token url with password", app, func(p *Profile) { p.TokenURL = "https://u:pw@idp.example.com/token" }, nil, FieldTokenURL, "user or password"},
		{"token url fragment", app, func(p *Profile) { p.TokenURL = "https://idp.example.com/token#x" }, nil, FieldTokenURL, "fragment"},
		{"issuer http", user, func(p *Profile) { p.IssuerURL = "http://idp.example.com" }, nil, FieldIssuerURL, "Issuer URL must use https"},
		{"auth url http", user, func(p *Profile) { p.AuthURL = "http://idp.example.com/auth" }, nil, FieldAuthURL, "Authorization endpoint URL must use https"},
		{"revocation url http", user, func(p *Profile) { p.RevocationURL = "http://idp.example.com/revoke" }, nil, FieldRevocationURL, "Revocation endpoint URL must use https"},

		// Type and grant.
		{"type missing", app, func(p *Profile) { p.Type, p.GrantType = "", GrantClientCredentials }, nil, FieldType, "Application or User"},
		{"type unknown", app, func(p *Profile) { p.Type = "robot" }, nil, FieldType, `"robot"`},
		{"application needs client credentials", app, func(p *Profile) { p.GrantType = GrantAuthorizationCode }, nil, FieldGrantType, "Client Credentials"},
		{"application needs a secret", app, func(*Profile) {}, &ValidateOptions{}, FieldClientSecret, "client secret"},
		{"application secret optional on import", app, func(*Profile) {}, &ValidateOptions{SecretOptional: true}, "", ""},
		{"application needs token url or issuer", app, func(p *Profile) { p.TokenURL = "" }, nil, FieldTokenURL, "Token endpoint URL is required"},
		{"application with issuer only", app, func(p *Profile) { p.TokenURL, p.IssuerURL = "", "https://idp.example.com" }, nil, "", ""},
		{"user needs authorization code", user, func(p *Profile) { p.GrantType = GrantClientCredentials }, nil, FieldGrantType, "Authorization Code"},
		{"user needs auth endpoint or issuer", user, func(p *Profile) { p.IssuerURL, p.TokenURL = "", "https://idp.example.com/token" }, nil, FieldAuthURL, "Authorization endpoint URL is required"},
		{"user needs token endpoint or issuer", user, func(p *Profile) { p.IssuerURL, p.AuthURL = "", "https://idp.example.com/auth" }, nil, FieldTokenURL, "Token endpoint URL is required"},
		{"user without secret is fine", user, func(*Profile) {}, &ValidateOptions{}, "", ""},

		// Client.
		{"client id required", app, func(p *Profile) { p.ClientID = "" }, nil, FieldClientID, "required"},
		{"client id control char", app, func(p *Profile) { p.ClientID = "a\x00b" }, nil, FieldClientID, "control"},
		{"auth method unknown", app, func(p *Profile) { p.AuthMethod = "client_secret_jwt" }, nil, FieldAuthMethod, "client_secret_basic"},
		{"auth method post", app, func(p *Profile) { p.AuthMethod = AuthPost }, nil, "", ""},
		{"scope with quote", app, func(p *Profile) { p.Scope = `openid read"write` }, nil, FieldScope, `holds '"'`},
		{"scope with backslash", app, func(p *Profile) { p.Scope = `a\b` }, nil, FieldScope, "may not contain"},
		{"scope non-ASCII", app, func(p *Profile) { p.Scope = "lesen schreiben größe" }, nil, FieldScope, "größe"},
		{"scope uri and default", app, func(p *Profile) { p.Scope = "openid api://x-y/.default https://graph.microsoft.com/User.Read" }, nil, "", ""},
		{"audience control char", app, func(p *Profile) { p.Audience = "a\nb" }, nil, FieldAudience, "control"},
		{"resource relative", app, func(p *Profile) { p.Resource = "api/v1" }, nil, FieldResource, "absolute URI"},
		{"resource fragment", app, func(p *Profile) { p.Resource = "https://api.example.com/#x" }, nil, FieldResource, "fragment"},

		// Refresh interval.
		{"refresh 29s", app, func(p *Profile) { p.RefreshInterval = Duration(29 * time.Second) }, nil, FieldRefreshInterval, "at least 30s"},
		{"refresh negative", app, func(p *Profile) { p.RefreshInterval = Duration(-time.Minute) }, nil, FieldRefreshInterval, "at least 30s"},
		{"refresh 30s", app, func(p *Profile) { p.RefreshInterval = Duration(30 * time.Second) }, nil, "", ""},

		// Redirect port.
		{"port 0", user, func(p *Profile) { p.RedirectPort = 0 }, nil, "", ""},
		{"port 1023", user, func(p *Profile) { p.RedirectPort = 1023 }, nil, FieldRedirectPort, "between 1024 and 65535"},
		{"port 1024", user, func(p *Profile) { p.RedirectPort = 1024 }, nil, "", ""},
		{"port 65535", user, func(p *Profile) { p.RedirectPort = 65535 }, nil, "", ""},
		{"port 65536", user, func(p *Profile) { p.RedirectPort = 65536 }, nil, FieldRedirectPort, "between 1024 and 65535"},
		{"port negative", user, func(p *Profile) { p.RedirectPort = -1 }, nil, FieldRedirectPort, "0 (any free port)"},

		// Proxy.
		{"proxy system", app, func(p *Profile) { p.Proxy.Mode = ProxySystem }, nil, "", ""},
		{"proxy http url", app, func(p *Profile) { p.Proxy = Proxy{Mode: ProxyURL, URL: "http://proxy:3128", Username: "bob"} }, nil, "", ""},
		{"proxy https url", app, func(p *Profile) { p.Proxy = Proxy{URL: "https://proxy:3128"} }, nil, "", ""},
		{"proxy socks5 url", app, func(p *Profile) { p.Proxy = Proxy{URL: "socks5://proxy:1080"} }, nil, "", ""},
		{"proxy user without password in url", app, func(p *Profile) { p.Proxy = Proxy{URL: "http://bob@proxy:3128"} }, nil, "", ""},
		{"proxy ftp", app, func(p *Profile) { p.Proxy = Proxy{URL: "ftp://proxy:21"} }, nil, FieldProxy, "socks5://"},
		{"proxy password in url", app, func(p *Profile) { p.Proxy = Proxy{URL: "http://bob:hunter2@proxy:3128"} }, nil, FieldProxy, "proxy password field"},
		{"proxy url missing", app, func(p *Profile) { p.Proxy = Proxy{Mode: ProxyURL} }, nil, FieldProxy, "required"},
		{"proxy no host", app, func(p *Profile) { p.Proxy = Proxy{URL: "http://:3128"} }, nil, FieldProxy, "no host"},
		{"proxy mode unknown", app, func(p *Profile) { p.Proxy.Mode = "pac" }, nil, FieldProxy, "none, system or a URL"},

		// TLS.
		{"ca file missing", app, func(p *Profile) { p.TLS.CAFile = filepath.Join(caDir, "nope.pem") }, nil, FieldCAFile, "cannot be read"},
		{"ca file is a directory", app, func(p *Profile) { p.TLS.CAFile = caDir }, nil, FieldCAFile, "directory"},

		// Tenant header.
		{"tenant header default", app, func(p *Profile) { p.TenantHeader = "" }, nil, "", ""},
		{"tenant header custom", app, func(p *Profile) { p.TenantHeader = "X-Tenant_ID.v2" }, nil, "", ""},
		{"tenant header space", app, func(p *Profile) { p.TenantHeader = "X TENANT" }, nil, FieldTenantHeader, "not a valid HTTP header name"},
		{"tenant header colon", app, func(p *Profile) { p.TenantHeader = "X-Tenant:" }, nil, FieldTenantHeader, "not a valid HTTP header name"},
		{"tenant header non-ASCII", app, func(p *Profile) { p.TenantHeader = "X-Mandant-Größe" }, nil, FieldTenantHeader, "not a valid HTTP header name"},
	}

	// Claim paths, in each of the three claim fields.
	good := []string{"preferred_username", "realm_access.roles", "$.TenantID", `["https://x/roles"]`, "resource_access['app'].roles"}
	bad := []string{"a..b", ".a", "a.", "$", "a b", "[x]"}
	claimFields := []struct {
		field string
		set   func(*Profile, string)
	}{
		{FieldUsernameClaim, func(p *Profile, v string) { p.UsernameClaim = v }},
		{FieldRolesClaim, func(p *Profile, v string) { p.RolesClaim = v }},
		{FieldTenantClaim, func(p *Profile, v string) { p.TenantClaim = v }},
	}
	for _, cf := range claimFields {
		for _, v := range good {
			cases = append(cases, tc{cf.field + " " + v, user, func(p *Profile) { cf.set(p, v) }, nil, "", ""})
		}
		for _, v := range bad {
			cases = append(cases, tc{cf.field + " " + v, user, func(p *Profile) { cf.set(p, v) }, nil, cf.field, "claim"})
		}
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.base("api")
			c.edit(&p)
			opt := withSecret
			if c.opt != nil {
				opt = *c.opt
			}
			err := validate(p, opt)
			if c.field == "" {
				if err != nil {
					t.Fatalf("valid profile rejected: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want a *ValidationError for %s, got %v", c.field, err)
			}
			if !IsValidation(err) {
				t.Fatal("IsValidation is false for a *ValidationError")
			}
			if len(ve.Fields) != 1 {
				t.Fatalf("want exactly one problem (%s), got %+v", c.field, ve.Fields)
			}
			msg := ve.For(c.field)
			if msg == "" {
				t.Fatalf("no message for %s; got %+v", c.field, ve.Fields)
			}
			if !strings.Contains(msg, c.substr) {
				t.Errorf("message for %s = %q, want it to mention %q", c.field, msg, c.substr)
			}
			checkHumanMessage(t, c.field, msg)
			if !strings.Contains(err.Error(), msg) {
				t.Errorf("Error() %q does not carry the message %q", err.Error(), msg)
			}
		})
	}
}

// Several problems at once: every field gets exactly one message, the first
// problem found (the one to fix first).
func TestValidateOneErrorPerField(t *testing.T) {
	p := Profile{
		Name:            "bad/name " + strings.Repeat("x", 70), // too long (checked first) and bad characters
		Type:            TypeApplication,
		GrantType:       GrantAuthorizationCode,
		TokenURL:        "http://u:pw@idp.example.com/token#frag", // http, password and fragment
		AuthURL:         "ftp://x",
		ClientID:        "",
		AuthMethod:      "none",
		Scope:           `a"b c\d é`,
		RefreshInterval: Duration(time.Second),
		Proxy:           Proxy{URL: "ftp://u:pw@proxy"},
		RolesClaim:      "a..b",
		TenantHeader:    "bad header",
		RedirectPort:    80,
	}
	others := []Profile{{ID: "x", Name: p.Name}, {ID: "y", Name: strings.ToUpper(p.Name)}}
	err := validate(p, ValidateOptions{Others: others})
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want *ValidationError, got %v", err)
	}
	want := map[string]string{
		FieldName:            "longer than 64",
		FieldGrantType:       "Client Credentials",
		FieldClientSecret:    "client secret",
		FieldTokenURL:        "user or password",
		FieldAuthURL:         "https://",
		FieldClientID:        "required",
		FieldAuthMethod:      "client_secret_post",
		FieldScope:           `holds '"'`,
		FieldRefreshInterval: "30s",
		FieldProxy:           "socks5://",
		FieldRolesClaim:      "a..b",
		FieldTenantHeader:    "bad header",
		FieldRedirectPort:    "1024",
	}
	seen := map[string]int{}
	for _, f := range ve.Fields {
		seen[f.Field]++
		checkHumanMessage(t, f.Field, f.Message)
		if f.Error() != f.Field+": "+f.Message {
			t.Errorf("FieldError.Error() = %q", f.Error())
		}
	}
	for field, n := range seen {
		if n != 1 {
			t.Errorf("field %s has %d messages, want 1", field, n)
		}
		if _, ok := want[field]; !ok {
			t.Errorf("unexpected problem for %s: %s", field, ve.For(field))
		}
	}
	for field, sub := range want {
		if msg := ve.For(field); !strings.Contains(msg, sub) {
			t.Errorf("message for %s = %q, want it to mention %q", field, msg, sub)
		}
	}
	var nilVE *ValidationError
	if nilVE.For(FieldName) != "" {
		t.Error("For on a nil *ValidationError must be empty")
	}
	if IsValidation(errors.New("x")) {
		t.Error("IsValidation true for a plain error")
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "::1": true, "localhost": true, "LocalHost": true, "127.1.2.3": true,
		"localhost.example.com": false, "10.0.0.1": false, "example.com": false, "": false, "::": false,
	} {
		if got := IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

package credentials

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
)

func TestParseClaimPathValid(t *testing.T) {
	for path, want := range map[string][]string{
		"preferred_username":                  {"preferred_username"},
		"roles":                               {"roles"},
		"realm_access.roles":                  {"realm_access", "roles"},
		"$.TenantID":                          {"TenantID"},
		`$["TenantID"]`:                       {"TenantID"},
		`["https://x/roles"]`:                 {"https://x/roles"},
		"resource_access['app'].roles":        {"resource_access", "app", "roles"},
		`resource_access["my.app"]["roles"]`:  {"resource_access", "my.app", "roles"},
		"  a.b  ":                             {"a", "b"},
		`["it's"]`:                            {"it's"},
		`['say "hi"']`:                        {`say "hi"`},
		"ünïcode.ключ":                        {"ünïcode", "ключ"},
		`$.realm_access["roles"].extra_claim`: {"realm_access", "roles", "extra_claim"},
	} {
		got, err := ParseClaimPath(path)
		if err != nil {
			t.Errorf("ParseClaimPath(%q): %v", path, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParseClaimPath(%q) = %q, want %q", path, got, want)
		}
		// Re-joined, it parses to the same keys.
		if again, err := ParseClaimPath(joinClaimPath(got)); err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("re-joined %q → %q, %v", joinClaimPath(got), again, err)
		}
	}
}

func TestParseClaimPathInvalid(t *testing.T) {
	for path, want := range map[string]string{
		"":                    "empty",
		"   ":                 "empty",
		"a..b":                "empty key",
		".a":                  "empty key",
		"a.":                  "ends with a dot",
		"$":                   "names no claim",
		"$.":                  "names no claim",
		"$x":                  "$ must be followed",
		"a b":                 `put it in brackets like ["a b"]`,
		"[x]":                 "must be quoted",
		"[":                   "must be quoted",
		`["x"`:                "unterminated",
		`["x]`:                "unterminated",
		`['']`:                "empty bracketed key",
		`a["b"]c`:             `expected . or [ after "b"`,
		"a.$b":                "holds a space, quote or bracket",
		`a]b`:                 "holds a space, quote or bracket",
		"realm_access.ro'les": "holds a space, quote or bracket",
	} {
		keys, err := ParseClaimPath(path)
		if err == nil {
			t.Errorf("ParseClaimPath(%q) accepted: %q", path, keys)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("ParseClaimPath(%q) error %q does not say %q", path, err, want)
		}
	}
}

// joinClaimPath writes keys back as a claim path, bracketing keys that need it.
func joinClaimPath(keys []string) string {
	var b strings.Builder
	for i, k := range keys {
		plain := k != "" && !strings.ContainsFunc(k, func(r rune) bool {
			return unicode.IsSpace(r) || strings.ContainsRune(`.[]'"$`, r)
		})
		switch {
		case plain && i > 0:
			b.WriteString("." + k)
		case plain:
			b.WriteString(k)
		case strings.Contains(k, `"`):
			b.WriteString("['" + k + "']")
		default:
			b.WriteString(`["` + k + `"]`)
		}
	}
	return b.String()
}

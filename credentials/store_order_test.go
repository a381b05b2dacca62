package credentials

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// CompareNames must order exactly as comparing strings.ToLower of both
// names did, for ASCII, non-ASCII and invalid UTF-8 names alike.
func TestCompareNamesIsLowerCaseOrder(t *testing.T) {
	names := []string{"", "a", "A", "ab", "aB", "Ab", "b", "B", "a b", "a-b", "a_b", "Z", "[", "`", "_", "@",
		"Ärger", "ärger", "arger", "Éclair", "eclair", "İstanbul", "istanbul", "ǅemal", "ǆemal",
		"a\xff", "A\xff", "a\xffb", "ΣΑΣ", "σας", "profile 1", "Profile 10", "PROFILE 2", "a\u0130", "a\u212a", "ak"}
	want := func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }
	for _, a := range names {
		for _, b := range names {
			if got, w := CompareNames(a, b), want(a, b); got != w {
				t.Errorf("CompareNames(%q, %q) = %d, want %d", a, b, got, w)
			}
		}
	}
}

// The profile list is sized from a count of "name" keys; a count that is
// wrong (escaped keys, "username" keys, names that look like keys) only
// changes the capacity, never what is read.
func TestParseWithMisleadingCountHint(t *testing.T) {
	content := `{"schemaVersion": 1, "profiles": [
	 {"id": "1", "n\u0061me": "escaped key", "type": "application", "clientId": "c1", "proxy": {"mode": "url", "url": "http://p:3128", "username": "u"}},
	 {"id": "2", "name": "name\":", "type": "application", "clientId": "c2"},
	 {"id": "3", "name": "plain", "type": "user", "clientId": "c3"}]}`
	path := filepath.Join(t.TempDir(), "profiles.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	ps, err := NewStore(path).List()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.ID+"="+p.Name)
	}
	if strings.Join(got, ",") != `1=escaped key,2=name":,3=plain` {
		t.Fatalf("read %v", got)
	}
}

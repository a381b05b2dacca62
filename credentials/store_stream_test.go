//go:build go1.27 && goexperiment.jsonv2

package credentials

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// streamingCases are profile files the streaming decoder must read exactly
// as decodeProfiles does (ok) or leave to it (!ok).
var streamingCases = []struct {
	name, content string
	ok            bool
}{
	{"written by the app", "{\n  \"schemaVersion\": 1,\n  \"profiles\": [\n    {\n      \"id\": \"a\",\n      \"name\": \"One\",\n      \"type\": \"user\",\n      \"clientId\": \"c\",\n      \"refreshInterval\": \"5m0s\",\n      \"proxy\": {\"mode\": \"none\"},\n      \"tls\": {},\n      \"lastChecked\": \"2026-11-30T08:00:00Z\"\n    }\n  ]\n}\n", true},
	{"empty list", `{"schemaVersion": 1, "profiles": []}`, true},
	{"no list", `{"schemaVersion": 1}`, true},
	{"null list", `{"schemaVersion": 1, "profiles": null}`, true},
	{"unknown fields kept out", `{"schemaVersion": 1, "extra": {"a": [1, 2, {"b": null}]}, "profiles": [{"id": "a", "name": "x", "future": true}]}`, true},
	{"keys in another case", `{"SchemaVersion": 1, "PROFILES": [{"ID": "a", "Name": "x", "clientID": "c"}]}`, true},
	{"duplicate keys", `{"schemaVersion": 1, "profiles": [{"id": "a", "name": "x", "name": "y"}]}`, true},
	{"escapes and unicode", `{"schemaVersion": 1, "profiles": [{"id": "a", "n\u0061me": "\u00c4rger \"quoted\" \\ \ud83d\ude00", "scope": "a\tb"}]}`, true},
	{"invalid UTF-8", "{\"schemaVersion\": 1, \"profiles\": [{\"id\": \"a\", \"name\": \"x\xffy\"}]}", true},
	{"duration as seconds", `{"schemaVersion": 1, "profiles": [{"id": "a", "name": "x", "refreshInterval": 90}]}`, true},
	{"duration escaped", `{"schemaVersion": 1, "profiles": [{"id": "a", "name": "x", "refreshInterval": "1\u006d"}]}`, true},
	{"nulls", `{"schemaVersion": 1, "profiles": [{"id": null, "name": "x", "proxy": null, "createdAt": null, "refreshInterval": null}]}`, true},
	{"whitespace around", " \n\t{\"schemaVersion\": 1, \"profiles\": []}\n\n", true},

	{"garbage", "garbage\n", false},
	{"empty", "", false},
	{"truncated", `{"schemaVersion": 1, "profiles": [{"id": "a", "name": "x"`, false},
	{"trailing data", `{"schemaVersion": 1, "profiles": []} {"schemaVersion": 1}`, false},
	{"profiles not a list", `{"schemaVersion": 1, "profiles": {"id": 3}}`, false},
	{"name not a string", `{"schemaVersion": 1, "profiles": [{"name": 12345}]}`, false},
	{"bad duration", `{"schemaVersion": 1, "profiles": [{"refreshInterval": true}]}`, false},
	{"bad time", `{"schemaVersion": 1, "profiles": [{"createdAt": "yesterday"}]}`, false},
	{"no schema", `{"profiles": []}`, false},
	{"schema from the future", `{"schemaVersion": 99, "profiles": []}`, false},
	{"not an object", `[1, 2]`, false},
	{"type error then syntax error", `{"schemaVersion": 1, "profiles": [{"name": 1}], x}`, false},
}

func TestStreamingReadsWhatParseWholeReads(t *testing.T) {
	for _, c := range streamingCases {
		t.Run(c.name, func(t *testing.T) {
			ok := checkStreamingMatches(t, []byte(c.content))
			if ok != c.ok {
				t.Fatalf("streaming ok = %v, want %v", ok, c.ok)
			}
		})
	}
}

// A list of many profiles spans many read chunks: every "name" key is
// counted (one cut by a chunk boundary too), and the list is read whole.
func TestStreamingManyProfiles(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"schemaVersion": 1, "profiles": [`)
	const n = 3000
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(`{"id": "` + strings.Repeat("i", i%97) + `", "name": "p` + strings.Repeat("x", i%61) + `", "clientId": "c"}`)
	}
	b.WriteString("]}")
	content := []byte(b.String())
	if len(content) < 2*streamChunk {
		t.Fatalf("the file (%d bytes) does not span several chunks", len(content))
	}
	if !checkStreamingMatches(t, content) {
		t.Fatal("the streaming decoder refused a valid file")
	}
	f, err := os.Open(writeProfileFile(t, content))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := countNameKeysIn(f, make([]byte, 100)) // small chunks: many boundaries
	if err != nil || got != n {
		t.Fatalf("counted %d name keys (%v), want %d", got, err, n)
	}
}

func FuzzStreamingReadsWhatParseWholeReads(f *testing.F) {
	for _, c := range streamingCases {
		f.Add([]byte(c.content))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		checkStreamingMatches(t, content)
	})
}

// checkStreamingMatches fails t when the streaming decoder accepts content
// that decodeProfiles refuses or reads differently; it returns whether the
// streaming decoder accepted it.
func checkStreamingMatches(t *testing.T, content []byte) bool {
	t.Helper()
	s := NewStore(writeProfileFile(t, content))
	fast, ok := s.parseStreaming()
	whole, err := s.profiles.readRaw(false) // decodeProfiles on the whole file
	if !ok {
		return false
	}
	if err != nil {
		t.Fatalf("the streaming decoder accepted a file decodeProfiles refuses (%v):\n%q", err, content)
	}
	if !reflect.DeepEqual(fast, whole) && (len(fast) != 0 || len(whole) != 0) {
		t.Fatalf("the streaming decoder read\n%+v\ndecodeProfiles read\n%+v\nfrom %q", fast, whole, content)
	}
	return true
}

func writeProfileFile(t *testing.T, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "profiles.json")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

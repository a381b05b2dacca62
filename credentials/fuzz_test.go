package credentials

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/; `go test` runs every
// seed as a normal test, `go test -fuzz=FuzzName` explores from them.

func FuzzParseClaimPath(f *testing.F) {
	f.Fuzz(func(t *testing.T, path string) {
		keys, err := ParseClaimPath(path)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if len(keys) == 0 {
			t.Fatalf("ParseClaimPath(%q) accepted a path with no keys", path)
		}
		for _, k := range keys {
			if k == "" {
				t.Fatalf("ParseClaimPath(%q) returned an empty key: %q", path, keys)
			}
		}
		joined := joinClaimPath(keys)
		again, err := ParseClaimPath(joined)
		if err != nil || !reflect.DeepEqual(again, keys) {
			t.Fatalf("%q → %q → re-joined %q → %q, %v", path, keys, joined, again, err)
		}
	})
}

func FuzzParseImport(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		def := ImportDefaults{TokenURL: "https://idp.example.com/token", AuthURL: "https://idp.example.com/auth"}
		entries, err := ParseImport(data, nil, def)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		var valid []Profile
		for i, e := range entries {
			if e.Index != i {
				t.Fatalf("entry %d has index %d", i, e.Index)
			}
			if e.Profile.ID != "" || e.Profile.Bookkeeping != (Bookkeeping{LastStatus: StatusUntested}) {
				t.Fatalf("entry %d carries an ID or bookkeeping from the file: %+v", i, e.Profile)
			}
			if e.Err != nil {
				if !IsValidation(e.Err) {
					t.Fatalf("entry %d: error is not a validation error: %v", i, e.Err)
				}
				continue
			}
			for _, v := range valid {
				if SameName(v.Name, e.Profile.Name) {
					t.Fatalf("two valid entries named %q and %q", v.Name, e.Profile.Name)
				}
			}
			if err := Validate(e.Profile, ValidateOptions{SecretOptional: true}); err != nil {
				t.Fatalf("entry %d marked valid but fails validation: %v", i, err)
			}
			valid = append(valid, e.Profile)
		}
		// The valid entries survive export and import unchanged.
		out, err := Export(valid)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseImport(out, nil, ImportDefaults{})
		if err != nil {
			t.Fatalf("re-import of an export: %v\n%s", err, out)
		}
		if len(back) != len(valid) {
			t.Fatalf("%d profiles exported, %d came back", len(valid), len(back))
		}
		for i, e := range back {
			if e.Err != nil || e.Profile.Config() != valid[i].Config() {
				t.Fatalf("round trip changed entry %d:\ngot  %+v (%v)\nwant %+v", i, e.Profile, e.Err, valid[i])
			}
		}
	})
}

func FuzzValidate(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, otherName string) {
		var p Profile
		if json.Unmarshal(data, &p) != nil {
			return
		}
		p.TLS.CAFile = "" // keep the fuzzer off the file system
		p.Normalize()
		once := p
		p.Normalize()
		if !reflect.DeepEqual(once, p) {
			t.Fatalf("Normalize is not idempotent:\n%+v\n%+v", once, p)
		}
		opt := ValidateOptions{Others: []Profile{{ID: "other", Name: otherName}}, HasSecret: len(data)%2 == 0}
		err := Validate(p, opt)
		if err2 := Validate(p, opt); (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("Validate is not deterministic: %v / %v", err, err2)
		}
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) == 0 {
				t.Fatalf("Validate returned %T %v", err, err)
			}
			seen := map[string]bool{}
			for _, fe := range ve.Fields {
				if seen[fe.Field] {
					t.Fatalf("two messages for %s: %v", fe.Field, err)
				}
				seen[fe.Field] = true
				if strings.TrimSpace(fe.Message) == "" || fe.Field == "" {
					t.Fatalf("empty field or message: %+v", fe)
				}
			}
			return
		}
		if SameName(p.Name, otherName) {
			t.Fatalf("accepted %q although %q exists", p.Name, otherName)
		}
		// A valid profile's settings survive the JSON the store writes.
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var q Profile
		if err := json.Unmarshal(b, &q); err != nil {
			t.Fatalf("own JSON does not read back: %v\n%s", err, b)
		}
		q.Normalize()
		if q.Config() != p.Config() {
			t.Fatalf("JSON round trip changed the settings:\ngot  %+v\nwant %+v", q.Config(), p.Config())
		}
	})
}

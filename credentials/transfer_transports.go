package credentials

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// exportTransports turns the links by ID into links by profile name, since
// an imported profile gets a new ID. A link to a deleted profile is dropped.
func exportTransports(ps []Profile, ts []Transport) []Transport {
	if len(ts) == 0 {
		return nil
	}
	out := make([]Transport, 0, len(ts))
	for _, t := range ts {
		c := t.Config()
		c.ID = ""
		if c.Authorization == AuthCredential {
			if p, err := find(ps, c.ProfileID); err == nil && p.ID == c.ProfileID {
				c.ProfileName = p.Name
			}
		}
		c.ProfileID = ""
		out = append(out, c)
	}
	return out
}

// TransportImportEntry is one transport found in an import file, with its problems.
type TransportImportEntry struct {
	Index     int
	Transport Transport
	Err       error
}

// ParseTransportImport reads the transports of an export file (a
// client-registration array has none) and resolves each one's profile by
// name among profiles, which should include the profiles being imported.
func ParseTransportImport(data []byte, existing []Transport, profiles []Profile) ([]TransportImportEntry, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, nil
	}
	var f exportFile
	if err := json.Unmarshal(trimmed, &f); err != nil {
		return nil, describeJSONError(trimmed, err)
	}
	if f.Format != ExportFormat {
		return nil, fmt.Errorf("this is not a Credential Workbench export (format %q)", f.Format)
	}
	seen := append([]Transport(nil), existing...)
	entries := make([]TransportImportEntry, 0, len(f.Transports))
	for i, t := range f.Transports {
		t.ID, t.TransportBookkeeping = "", TransportBookkeeping{}
		t.Normalize()
		var err error
		if t.Authorization == AuthCredential {
			t.ProfileID = ""
			if t.ProfileName != "" {
				p, ferr := find(profiles, t.ProfileName)
				if ferr != nil {
					err = &ValidationError{Fields: []FieldError{{FieldCredential,
						fmt.Sprintf("Its credential %q is neither in the file nor among the profiles; import or add that profile first.", t.ProfileName)}}}
				} else {
					t.ProfileID = p.ID
				}
			}
		}
		if err == nil {
			err = ValidateTransport(t, TransportValidateOptions{Others: seen})
		}
		if err == nil {
			t.ID = "import-" + strconv.Itoa(i)
			seen = append(seen, t)
			t.ID = ""
		}
		entries = append(entries, TransportImportEntry{Index: i, Transport: t, Err: err})
	}
	return entries, nil
}

// ImportTransports saves the valid entries in one write. If any is invalid
// and skipInvalid is false, nothing is saved.
func (s *TransportStore) ImportTransports(entries []TransportImportEntry, skipInvalid bool) (ImportSummary, error) {
	var sum ImportSummary
	var bad []string
	for _, e := range entries {
		if e.Err != nil {
			name := e.Transport.Name
			if name == "" {
				name = "transport " + strconv.Itoa(e.Index+1)
			}
			bad = append(bad, fmt.Sprintf("%s: %v", name, e.Err))
		}
	}
	if len(bad) > 0 && !skipInvalid {
		return sum, fmt.Errorf("no transport was imported: %d of %d are invalid (choose to skip them to import the rest):\n  %s",
			len(bad), len(entries), strings.Join(bad, "\n  "))
	}
	now := s.clock()
	err := s.Update(func(ts []Transport) ([]Transport, error) {
		sum = ImportSummary{}
		for _, e := range entries {
			if e.Err != nil {
				sum.Skipped = append(sum.Skipped, e.Transport.Name)
				continue
			}
			if err := ValidateTransport(e.Transport, TransportValidateOptions{Others: ts}); err != nil {
				if !skipInvalid {
					return nil, fmt.Errorf("no transport was imported: %s: %w", e.Transport.Name, err)
				}
				sum.Skipped = append(sum.Skipped, e.Transport.Name)
				continue
			}
			t := e.Transport
			t.ID, t.ProfileName = newID(), ""
			t.TransportBookkeeping = TransportBookkeeping{Revision: 1, CreatedAt: now, UpdatedAt: now}
			ts = append(ts, t)
			sum.Added = append(sum.Added, t.Name)
		}
		return ts, nil
	})
	return sum, err
}

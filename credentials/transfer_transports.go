package credentials

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
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

// TransportImportEntry is one transport found in an import file, with its
// problems and what the preview must show about it.
type TransportImportEntry struct {
	Index     int
	Transport Transport
	Err       error
	// BodyFile is the bodyFile the file named. It is never imported: the
	// file's author must not choose a local file to be sent at each run.
	BodyFile string
	// ForeignCredential: the credential is a profile already here, not one
	// this file defines and this import adds, so its token would go
	// wherever the file says.
	ForeignCredential bool
	// ForeignHost: the URL's host is none of the file's profiles' endpoint
	// hosts (issuer, token, authorization, revocation, audience, resource).
	ForeignHost bool
}

// NeedsConfirmation reports a valid transport that may send an existing
// profile's token, or anything, to a host the file's author chose:
// importing it needs the user's explicit yes.
func (e TransportImportEntry) NeedsConfirmation() bool {
	return e.Err == nil && (e.ForeignCredential || e.ForeignHost)
}

// TransportImportContext is what imported transports are resolved against.
type TransportImportContext struct {
	Existing []Transport // the transports stored now
	Profiles []Profile   // the profiles stored now
	// FromFile maps the name of each of the file's profiles that this
	// import adds (NameKey of the name in the file) to the name it is
	// stored under (a renamed conflict gets another). A transport's
	// credential found here is the file's own; anything else is foreign.
	FromFile map[string]string
}

// ImportedFromFile is the FromFile map of an import: the file's entries as
// parsed, the entries imported (the GUI may have renamed some; same Index)
// and the names the import added (ImportSummary.Added); added nil means
// every valid imported entry, for a preview.
func ImportedFromFile(parsed, imported []ImportEntry, added []string) map[string]string {
	orig := make(map[int]string, len(parsed))
	for _, e := range parsed {
		orig[e.Index] = e.Profile.Name
	}
	ok := map[string]bool{}
	for _, n := range added {
		ok[NameKey(n)] = true
	}
	out := map[string]string{}
	for _, e := range imported {
		if e.Err != nil || (added != nil && !ok[NameKey(e.Profile.Name)]) {
			continue
		}
		if name, found := orig[e.Index]; found {
			out[NameKey(name)] = e.Profile.Name
		}
	}
	return out
}

// ParseTransportImport reads the transports of an export file (a
// client-registration array has none), drops their bodyFile, resolves each
// one's credential by name (the file's own profiles first) and marks what
// needs confirmation.
func ParseTransportImport(data []byte, ic TransportImportContext) ([]TransportImportEntry, error) {
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
	if len(f.Transports) > MaxImportEntries {
		return nil, fmt.Errorf("the file holds %d transports; at most %d are imported at once: split the file", len(f.Transports), MaxImportEntries)
	}
	hosts := profileHosts(f.Profiles)
	seen := append([]Transport(nil), ic.Existing...)
	entries := make([]TransportImportEntry, 0, len(f.Transports))
	for i, t := range f.Transports {
		t.ID, t.TransportBookkeeping = "", TransportBookkeeping{}
		t.Normalize()
		e := TransportImportEntry{Index: i, BodyFile: t.BodyFile}
		t.BodyFile = ""
		e.ForeignHost = !hosts[urlHost(t.URL)]
		if t.Authorization == AuthCredential {
			t.ProfileID = ""
			e.ForeignCredential, e.Err = resolveImportCredential(&t, ic)
		}
		if e.Err == nil {
			e.Err = ValidateTransport(t, TransportValidateOptions{Others: seen})
		}
		if e.Err == nil {
			t.ID = "import-" + strconv.Itoa(i)
			seen = append(seen, t)
			t.ID = ""
		}
		e.Transport = t
		entries = append(entries, e)
	}
	return entries, nil
}

// resolveImportCredential links t to its profile: one of the file's own
// that this import adds (not stored yet during a preview: the link is made
// at the import), else a profile already here, which is foreign.
func resolveImportCredential(t *Transport, ic TransportImportContext) (foreign bool, err error) {
	if t.ProfileName == "" {
		return false, nil
	}
	if stored, own := ic.FromFile[NameKey(t.ProfileName)]; own {
		if p, ferr := find(ic.Profiles, stored); ferr == nil {
			t.ProfileID = p.ID
		}
		t.ProfileName = stored
		return false, nil
	}
	p, ferr := find(ic.Profiles, t.ProfileName)
	if ferr != nil {
		return false, &ValidationError{Fields: []FieldError{{FieldCredential,
			fmt.Sprintf("Its credential %q is neither in the file nor among the profiles; import or add that profile first.", t.ProfileName)}}}
	}
	t.ProfileID, t.ProfileName = p.ID, p.Name
	return true, nil
}

// profileHosts are the hosts of the profiles' endpoints and of their
// audience and resource when those are URLs.
func profileHosts(ps []Profile) map[string]bool {
	out := map[string]bool{}
	for _, p := range ps {
		for _, raw := range []string{p.IssuerURL, p.TokenURL, p.AuthURL, p.RevocationURL} {
			if h := urlHost(raw); h != "" {
				out[h] = true
			}
		}
		for _, h := range AudienceHosts(p) {
			out[h] = true
		}
	}
	return out
}

// AudienceHosts are the hosts of a profile's audience and resource values
// that are URLs (several may be given, separated by spaces or commas).
func AudienceHosts(p Profile) []string {
	var out []string
	for _, v := range strings.FieldsFunc(p.Audience+" "+p.Resource, func(r rune) bool { return r == ' ' || r == ',' }) {
		if h := urlHost(v); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// urlHost is the host of an http(s) URL, lower case, without port or
// trailing dot; "" for anything else.
func urlHost(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

// URLHost is urlHost for other packages: the host a transport sends to.
func URLHost(raw string) string { return urlHost(raw) }

// TransportImportOptions say what an import of transports may do.
type TransportImportOptions struct {
	SkipInvalid bool // import the valid entries and skip the invalid ones
	// Accept is the user's explicit yes to the entries that need it
	// (NeedsConfirmation); without it nothing is imported when one does.
	Accept bool
}

// ErrTransportsNeedConfirmation is returned (wrapped) when transports that
// need the user's yes were to be imported without it.
var ErrTransportsNeedConfirmation = errors.New("transports need confirmation")

// NeedingConfirmation lists the entries that need the user's yes, each
// with why, for a refusal message.
func NeedingConfirmation(entries []TransportImportEntry) []string {
	var out []string
	for _, e := range entries {
		if e.NeedsConfirmation() {
			out = append(out, fmt.Sprintf("%q %s", e.Transport.Name, e.Why()))
		}
	}
	return out
}

// ImportTransports saves the valid entries in one write. If any is invalid
// and SkipInvalid is false, or any needs confirmation and Accept is false,
// nothing is saved.
func (s *TransportStore) ImportTransports(entries []TransportImportEntry, opt TransportImportOptions) (ImportSummary, error) {
	var sum ImportSummary
	bad := invalidEntries(entries, func(e TransportImportEntry) (string, int, error) { return e.Transport.Name, e.Index, e.Err }, "transport")
	if len(bad) > 0 && !opt.SkipInvalid {
		return sum, fmt.Errorf("no transport was imported: %d of %d are invalid (choose to skip them to import the rest):\n  %s",
			len(bad), len(entries), strings.Join(bad, "\n  "))
	}
	if risky := NeedingConfirmation(entries); len(risky) > 0 && !opt.Accept {
		return sum, fmt.Errorf("%w: no transport was imported: %s", ErrTransportsNeedConfirmation, strings.Join(risky, "; "))
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
				if !opt.SkipInvalid {
					return nil, fmt.Errorf("no transport was imported: %s: %w", e.Transport.Name, err)
				}
				sum.Skipped = append(sum.Skipped, e.Transport.Name)
				continue
			}
			t := e.Transport
			t.ID, t.ProfileName, t.BodyFile = newID(), "", ""
			t.TransportBookkeeping = TransportBookkeeping{Revision: 1, CreatedAt: now, UpdatedAt: now}
			ts = append(ts, t)
			sum.Added = append(sum.Added, t.Name)
		}
		return ts, nil
	})
	return sum, err
}

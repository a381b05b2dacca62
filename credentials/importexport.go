package credentials

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ExportFormat names the export file shape.
const ExportFormat = "credworkbench-profiles"

// exportFile is what Export writes: configuration only, never a secret and
// never bookkeeping.
type exportFile struct {
	Format     string      `json:"format"`
	Version    int         `json:"version"`
	Profiles   []Profile   `json:"profiles"`
	Transports []Transport `json:"transports,omitempty"` // see transfer_transports.go
}

// Export returns the profiles as JSON without secrets or bookkeeping.
// The Profile type has no secret fields at all, so none can slip in.
func Export(ps []Profile) ([]byte, error) { return ExportAll(ps, nil) }

// ExportAll is Export with the transports, which refer to their profile by
// name in the file.
func ExportAll(ps []Profile, ts []Transport) ([]byte, error) {
	out := exportFile{Format: ExportFormat, Version: SchemaVersion, Profiles: make([]Profile, 0, len(ps))}
	for _, p := range ps {
		c := exportDerivedRefs(p.Config(), ps) // derived_transfer.go
		c.ID = ""
		c.ManagementProfile = exportManagementRef(ps, c.ManagementProfile) // by name (#26)
		out.Profiles = append(out.Profiles, c)
	}
	out.Transports = exportTransports(ps, ts)
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// ImportDefaults fills what the client-registration shape does not carry.
type ImportDefaults struct {
	IssuerURL string
	TokenURL  string
	AuthURL   string
}

// ImportEntry is one profile found in an import file, with its problems.
type ImportEntry struct {
	Index   int // position in the file, from 0
	Profile Profile
	Err     error // nil when the entry can be imported
}

// ParseImport reads either an Export file or a client-registration array and
// validates each entry against the existing profiles and the other entries.
// Secrets are never in an import file; Application profiles come in without
// one and need it set before they can be tested.
func ParseImport(data []byte, existing []Profile, def ImportDefaults) ([]ImportEntry, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("the file is empty")
	}
	var profiles []Profile
	switch trimmed[0] {
	case '{':
		var f exportFile
		if err := json.Unmarshal(trimmed, &f); err != nil {
			return nil, describeJSONError(trimmed, err)
		}
		if f.Format != ExportFormat {
			return nil, fmt.Errorf("this is not a Credential Workbench export (format %q) nor a client-registration array", f.Format)
		}
		profiles = f.Profiles
	case '[':
		var regs []registration
		if err := json.Unmarshal(trimmed, &regs); err != nil {
			return nil, describeJSONError(trimmed, err)
		}
		for _, r := range regs {
			profiles = append(profiles, r.profile(def))
		}
	default:
		return nil, errors.New("the file is not JSON: it should start with { (an export) or [ (client registrations)")
	}

	if len(profiles) > MaxImportEntries {
		return nil, fmt.Errorf("the file holds %d profiles; at most %d are imported at once: split the file", len(profiles), MaxImportEntries)
	}
	// Names in a map: checking each entry against all others would be
	// quadratic (40,000 entries took half a minute).
	names := nameIndex(existing)
	entries := make([]ImportEntry, 0, len(profiles))
	for i, p := range profiles {
		p.ID = ""
		p.Bookkeeping = Bookkeeping{}
		p.Normalize()
		err := Validate(p, ValidateOptions{Names: names, SecretOptional: true})
		if err == nil {
			// A provisional ID so later entries see the name as taken.
			names[NameKey(p.Name)] = Profile{ID: fmt.Sprintf("import-%d", i), Name: p.Name}
		}
		entries = append(entries, ImportEntry{Index: i, Profile: p, Err: err})
	}
	return entries, nil
}

// ImportRisks lists the settings of an imported profile that decide where
// its secrets and tokens go or how they are protected, for the preview:
// a proxy, a CA file, TLS verification off.
func ImportRisks(p Profile) []string {
	var out []string
	if p.TLS.InsecureSkipVerify {
		out = append(out, "TLS verification OFF")
	}
	switch p.Proxy.Mode {
	case ProxyURL:
		out = append(out, "proxy "+p.Proxy.URL)
	case ProxySystem:
		out = append(out, "system proxy")
	}
	if p.TLS.CAFile != "" {
		out = append(out, "CA file "+p.TLS.CAFile)
	}
	return out
}

// NeedsConfirmation reports an imported profile that turns TLS
// verification off or names its own proxy: importing it needs the user's
// explicit yes. The system proxy is the user's own environment, not the
// file's choice, so it is shown but not asked about.
func NeedsConfirmation(p Profile) bool {
	return p.TLS.InsecureSkipVerify || p.Proxy.Mode == ProxyURL
}

// MaxImportEntries caps one import.
const MaxImportEntries = 10000

func nameIndex(ps []Profile) map[string]Profile {
	m := make(map[string]Profile, len(ps))
	for _, p := range ps {
		m[NameKey(p.Name)] = Profile{ID: p.ID, Name: p.Name}
	}
	return m
}

// ImportSummary says what an import did.
type ImportSummary struct {
	Added   []string
	Skipped []string
}

// Import saves the valid entries in one write. If any entry is invalid and
// skipInvalid is false, nothing is saved.
func (r *Repository) Import(entries []ImportEntry, skipInvalid bool) (ImportSummary, error) {
	var sum ImportSummary
	bad := invalidEntries(entries, func(e ImportEntry) (string, int, error) { return e.Profile.Name, e.Index, e.Err }, "entry")
	if len(bad) > 0 && !skipInvalid {
		return sum, fmt.Errorf("nothing was imported: %d of %d entries are invalid (choose to skip them to import the rest):\n  %s",
			len(bad), len(entries), strings.Join(bad, "\n  "))
	}
	now := r.now()
	err := r.Store.Update(func(ps []Profile) ([]Profile, error) {
		sum = ImportSummary{}
		start := len(ps)
		names := nameIndex(ps)
		for _, e := range entries {
			if e.Err != nil {
				sum.Skipped = append(sum.Skipped, e.Profile.Name)
				continue
			}
			// The file may have changed since the preview: re-check names.
			if err := Validate(e.Profile, ValidateOptions{Names: names, SecretOptional: true}); err != nil {
				if !skipInvalid {
					return nil, fmt.Errorf("nothing was imported: %s: %w", e.Profile.Name, err)
				}
				sum.Skipped = append(sum.Skipped, e.Profile.Name)
				continue
			}
			p := e.Profile
			p.ID = newID()
			p.Bookkeeping = Bookkeeping{Revision: 1, CreatedAt: now, UpdatedAt: now, LastStatus: StatusUntested}
			ps = append(ps, p)
			names[NameKey(p.Name)] = Profile{ID: p.ID, Name: p.Name}
			sum.Added = append(sum.Added, p.Name)
		}
		resolveDerivedRefs(ps[len(ps)-len(sum.Added):], names) // derived_transfer.go
		resolveManagementRefs(ps, start)                       // names to IDs (#26)
		return ps, nil
	})
	return sum, err
}

// registration is one client of the client-registration JSON shape.
// Unknown fields are ignored.
type registration struct {
	ClientID                    string          `json:"clientId"`
	Scope                       json.RawMessage `json:"scope"`
	AuthorizedGrantTypes        []string        `json:"authorizedGrantTypes"`
	RedirectURI                 json.RawMessage `json:"redirectUri"`
	AccessTokenValidity         *float64        `json:"accessTokenValidity"`
	ClientAuthenticationMethods []string        `json:"clientAuthenticationMethods"`
}

func (r registration) profile(def ImportDefaults) Profile {
	p := Profile{Name: r.ClientID, ClientID: r.ClientID, IssuerURL: def.IssuerURL, TokenURL: def.TokenURL}
	p.Type = TypeApplication
	for _, g := range r.AuthorizedGrantTypes {
		if g == string(GrantAuthorizationCode) {
			p.Type = TypeUser
		}
	}
	for _, g := range r.AuthorizedGrantTypes {
		if g == string(GrantClientCredentials) {
			p.Type = TypeApplication // a client that can do both is tested as an application
		}
	}
	p.GrantType = p.Type.DefaultGrant()
	if p.Type == TypeUser {
		p.AuthURL = def.AuthURL
	}
	for _, m := range r.ClientAuthenticationMethods {
		if m == string(AuthBasic) || m == string(AuthPost) {
			p.AuthMethod = AuthMethod(m)
			break
		}
	}
	p.Scope = strings.Join(stringOrList(r.Scope), " ")
	if r.AccessTokenValidity != nil && *r.AccessTokenValidity > 0 {
		// Renew at 80% of the token's life, but never more often than allowed.
		d := time.Duration(*r.AccessTokenValidity*0.8) * time.Second
		p.RefreshInterval = Duration(max(d, MinRefreshInterval))
	}
	for _, raw := range stringOrList(r.RedirectURI) {
		if u, err := url.Parse(raw); err == nil && IsLoopbackHost(u.Hostname()) && u.Port() != "" {
			p.RedirectPort, _ = strconv.Atoi(u.Port())
			break
		}
	}
	return p
}

// stringOrList accepts "a b", ["a","b"], null or [].
func stringOrList(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.Fields(s)
	}
	return nil
}

// invalidEntries names the invalid entries of an import ("NAME: error"; one
// without a name by noun and number) for the all-or-nothing refusal.
func invalidEntries[E any](entries []E, of func(E) (name string, index int, err error), noun string) []string {
	var bad []string
	for _, e := range entries {
		name, index, err := of(e)
		if err == nil {
			continue
		}
		if name == "" {
			name = noun + " " + strconv.Itoa(index+1)
		}
		bad = append(bad, fmt.Sprintf("%s: %v", name, err))
	}
	return bad
}

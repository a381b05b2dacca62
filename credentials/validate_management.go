package credentials

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Fields of the IdP management connection (#26).
const (
	FieldManagementProfile     = "managementProfile"
	FieldManagementAPI         = "managementApi"
	FieldManagementURL         = "managementUrl"
	FieldRegistrationClientURI = "registrationClientUri"
	FieldMaxSecretAge          = "maxSecretAge"
)

// ManagementAPIs are the management APIs a profile may name
// (oauthflow/idpadmin.Kinds; credentials cannot import it).
var ManagementAPIs = []string{"entra", "okta", "keycloak", "rfc7592"}

// HasManagement reports whether p names a way to manage its secret at the IdP.
func (p Profile) HasManagement() bool {
	return p.ManagementProfile != "" || p.ManagementAPI != "" || p.RegistrationClientURI != ""
}

// ResolveManagement finds p's management profile among all (by ID, or by
// name as an import file has it).
func ResolveManagement(p Profile, all []Profile) (Profile, bool) {
	if p.ManagementProfile == "" {
		return Profile{}, false
	}
	for _, o := range all {
		if o.ID == p.ManagementProfile {
			return o, true
		}
	}
	for _, o := range all {
		if SameName(o.Name, p.ManagementProfile) {
			return o, true
		}
	}
	return Profile{}, false
}

// validateManagement checks the management settings: the management
// profile exists (when the others are known), is not p itself, does not
// lead back to p; the API is one we speak; the URLs are http(s).
func validateManagement(p Profile, others []Profile, add func(field, format string, args ...any)) {
	if p.ManagementProfile != "" {
		if p.ManagementProfile == p.ID || SameName(p.ManagementProfile, p.Name) {
			add(FieldManagementProfile, "A profile cannot manage itself: name another profile (with the IdP's management rights) as its management profile.")
		} else if others != nil {
			m, ok := ResolveManagement(p, others)
			switch {
			case !ok:
				add(FieldManagementProfile, "Management profile %q does not exist: add it first (an Application profile with the IdP's management scope), or clear it (--management-profile none).", p.ManagementProfile)
			case managementCycle(p, m, others):
				add(FieldManagementProfile, "Management profile %q is managed, through others, by this profile: that is a cycle; choose a profile outside it.", m.Name)
			}
		}
	}
	if p.ManagementAPI != "" {
		known := false
		for _, k := range ManagementAPIs {
			known = known || p.ManagementAPI == k
		}
		if !known {
			add(FieldManagementAPI, "Management API must be one of %s, not %q.", strings.Join(ManagementAPIs, ", "), p.ManagementAPI)
		}
	}
	for _, u := range []struct{ field, label, value string }{
		{FieldManagementURL, "Management URL", p.ManagementURL},
		{FieldRegistrationClientURI, "Registration client URI", p.RegistrationClientURI},
	} {
		if u.value == "" {
			continue
		}
		if pu, err := url.Parse(u.value); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" || pu.User != nil {
			add(u.field, "%s must be an http(s) URL without user info, not %q.", u.label, u.value)
		}
	}
	if p.ManagementAPI == "rfc7592" && p.RegistrationClientURI == "" && p.ManagementURL == "" {
		add(FieldRegistrationClientURI, "RFC 7592 management needs the client's registration_client_uri (--registration-uri).")
	}
	if d := p.MaxSecretAge.D(); d < 0 || (d > 0 && d < 24*time.Hour) {
		add(FieldMaxSecretAge, "Maximum secret age must be at least a day (e.g. 90d), or 0 for none.")
	}
}

// managementCycle follows m's management chain and reports whether it
// reaches p.
func managementCycle(p, m Profile, all []Profile) bool {
	seen := map[string]bool{}
	for cur := m; ; {
		if cur.ID == p.ID || SameName(cur.Name, p.Name) {
			return true
		}
		if seen[cur.ID] {
			return false // a cycle, but not through p (reported on its own members)
		}
		seen[cur.ID] = true
		next, ok := ResolveManagement(cur, all)
		if !ok {
			return false
		}
		cur = next
	}
}

// Export and import: the file names the management profile by name (a
// local ID means nothing elsewhere).

// exportManagementRef is the name of the management profile id among ps;
// "" (dropped) when it is not exported with it.
func exportManagementRef(ps []Profile, ref string) string {
	if ref == "" {
		return ""
	}
	if m, ok := ResolveManagement(Profile{ManagementProfile: ref}, ps); ok {
		return m.Name
	}
	return ""
}

// ExportDropsManagement lists the profiles of ps whose management profile
// is not among ps: the export leaves that reference out.
func ExportDropsManagement(ps []Profile) []string {
	var out []string
	for _, p := range ps {
		if p.ManagementProfile != "" && exportManagementRef(ps, p.ManagementProfile) == "" {
			out = append(out, p.Name)
		}
	}
	return out
}

// resolveManagementRefs turns the imported profiles' management names
// (ps[from:]) into IDs among all of ps; an unknown name is dropped.
func resolveManagementRefs(ps []Profile, from int) {
	for i := from; i < len(ps) && i >= 0; i++ {
		if ps[i].ManagementProfile == "" {
			continue
		}
		m, ok := ResolveManagement(ps[i], ps)
		if ok && m.ID != ps[i].ID {
			ps[i].ManagementProfile = m.ID
		} else {
			ps[i].ManagementProfile = ""
		}
	}
}

// ManagementLabel is how p's management settings read in `credctl show`.
func ManagementLabel(p Profile, all []Profile) string {
	if !p.HasManagement() {
		return ""
	}
	var parts []string
	if p.ManagementProfile != "" {
		name := p.ManagementProfile
		if m, ok := ResolveManagement(p, all); ok {
			name = m.Name
		} else {
			name += " (missing)"
		}
		parts = append(parts, "profile "+name)
	}
	if p.ManagementAPI != "" {
		parts = append(parts, "API "+p.ManagementAPI)
	}
	if p.ManagementURL != "" {
		parts = append(parts, "URL "+p.ManagementURL)
	}
	if p.RegistrationClientURI != "" {
		parts = append(parts, "registration URI "+p.RegistrationClientURI)
	}
	return fmt.Sprint(strings.Join(parts, ", "))
}

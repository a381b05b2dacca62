package model

import (
	"sort"
	"strings"
	"time"
)

// IdPSecret is one client secret or certificate a management connection
// sees at its IdP (the "IdP secrets" view's row): never the secret itself.
type IdPSecret struct {
	App, ClientID string
	Kind          string // "secret" or "certificate"
	KeyID, Hint   string // the IdP's key ID; the hint is the secret's first characters, where the IdP shows them
	Status        string // "active", "inactive", "rotated" ("" = active)
	Created       time.Time
	Expires       time.Time // zero: the IdP gives none (Okta)
	UsedBy        []string  // the local profiles that use this app (their names)
}

// IdPSecretColumns are the view's columns.
var IdPSecretColumns = []string{"App", "Client ID", "Key", "Created", "Expires", "Used by"}

// SecretsTable is the "IdP secrets" view's list: sorted by expiry (the
// soonest first, those without a date last), filtered by "within".
type SecretsTable struct {
	all    []IdPSecret
	view   []IdPSecret
	within time.Duration // 0 = all
	now    func() time.Time
}

// NewSecretsTable is an empty table on the clock now.
func NewSecretsTable(now func() time.Time) *SecretsTable { return &SecretsTable{now: now} }

// Load replaces the rows.
func (t *SecretsTable) Load(rows []IdPSecret) {
	t.all = append([]IdPSecret(nil), rows...)
	sort.SliceStable(t.all, func(i, j int) bool {
		a, b := t.all[i], t.all[j]
		switch {
		case a.Expires.IsZero() != b.Expires.IsZero():
			return !a.Expires.IsZero()
		case !a.Expires.Equal(b.Expires):
			return a.Expires.Before(b.Expires)
		}
		return strings.ToLower(a.App) < strings.ToLower(b.App)
	})
	t.refilter()
}

// SetWithin shows only what expires within d (0: everything).
func (t *SecretsTable) SetWithin(d time.Duration) {
	t.within = d
	t.refilter()
}

func (t *SecretsTable) refilter() {
	t.view = t.view[:0]
	for _, r := range t.all {
		if t.within == 0 || t.expiresWithin(r, t.within) {
			t.view = append(t.view, r)
		}
	}
}

func (t *SecretsTable) expiresWithin(r IdPSecret, d time.Duration) bool {
	return !r.Expires.IsZero() && r.Expires.Before(t.now().Add(d))
}

// View is the rows shown.
func (t *SecretsTable) View() []IdPSecret { return t.view }

// Total is how many rows there are, shown or not.
func (t *SecretsTable) Total() int { return len(t.all) }

// Expiring says whether a row is marked: expired, or expiring within the
// warning window (30 days, as the credentials table warns).
func (t *SecretsTable) Expiring(r IdPSecret) bool { return t.expiresWithin(r, 30*24*time.Hour) }

// CountExpiring is how many shown rows are marked.
func (t *SecretsTable) CountExpiring() int {
	n := 0
	for _, r := range t.view {
		if t.Expiring(r) {
			n++
		}
	}
	return n
}

// Cell is the text of column col of row r.
func (t *SecretsTable) Cell(r IdPSecret, col int) string {
	switch col {
	case 0:
		if r.Kind == "certificate" {
			return r.App + " (certificate)"
		}
		return r.App
	case 1:
		return r.ClientID
	case 2:
		k := shortKey(r.KeyID)
		if r.Hint != "" {
			k += " (" + r.Hint + "…)"
		}
		if r.Status != "" && r.Status != "active" {
			k += " " + r.Status
		}
		return k
	case 3:
		return dateOr(r.Created, "—")
	case 4:
		if r.Expires.IsZero() {
			return "no expiry"
		}
		s := r.Expires.UTC().Format("2006-01-02")
		if !r.Expires.After(t.now()) {
			return "⚠ expired " + s
		}
		if t.Expiring(r) {
			return "⚠ " + s
		}
		return s
	case 5:
		if len(r.UsedBy) == 0 {
			return "none here"
		}
		return strings.Join(r.UsedBy, ", ")
	}
	return ""
}

func dateOr(t time.Time, none string) string {
	if t.IsZero() {
		return none
	}
	return t.UTC().Format("2006-01-02")
}

// ParseWithin reads the "within" filter: "" or "all" (everything), "30d",
// "2w", "12h", or a bare number of days.
func ParseWithin(s string) (time.Duration, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || s == "all" {
		return 0, true
	}
	mult := 24 * time.Hour
	switch {
	case strings.HasSuffix(s, "d"):
		s = strings.TrimSuffix(s, "d")
	case strings.HasSuffix(s, "w"):
		s, mult = strings.TrimSuffix(s, "w"), 7*24*time.Hour
	case strings.HasSuffix(s, "h") || strings.HasSuffix(s, "m"):
		d, err := time.ParseDuration(s)
		return d, err == nil && d > 0
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n > 100000 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return time.Duration(n) * mult, s != "" && n > 0
}

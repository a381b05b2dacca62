package model

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
)

// Columns of the credentials table, in their default order.
const (
	ColName = iota
	ColType
	ColGrant
	ColEndpoint
	ColClientID
	ColStatus
	ColExpires
	ColSecretExpires
	ColChecked
	NumCols
)

// StatusFilter is the choice beside the text filter.
type StatusFilter int

// The status filter's choices.
const (
	AllStatuses StatusFilter = iota
	OnlyFailed
	OnlyNeedsSecret
	OnlyExpiring // the token expires within ExpiringWithin
	OnlyActive
	OnlySecretExpiring // the client secret or certificate expires within ExpiryWarnDays, or has
)

// ExpiringWithin is how close to its expiry a token counts as Expiring.
const ExpiringWithin = 10 * time.Minute

// ExpiryWarnDays is how many days before its expiry a client secret or
// certificate is warned about.
const ExpiryWarnDays = 30

// Text is what a plain column shows for p (Name, Type, Grant type,
// Endpoint, Client ID); "" for the others, which depend on the time.
func Text(p *credentials.Profile, col int) string {
	switch col {
	case ColName:
		return p.Name
	case ColType:
		return p.Type.Label()
	case ColGrant:
		return p.GrantType.Label()
	case ColEndpoint:
		return EndpointText(*p)
	case ColClientID:
		return p.ClientID
	}
	return ""
}

// EndpointText says which endpoint the Endpoint column shows: "token: …",
// "issuer: …" (discovery finds the token endpoint) or "authorize: …".
func EndpointText(p credentials.Profile) string {
	switch {
	case p.TokenURL != "":
		return "token: " + p.TokenURL
	case p.IssuerURL != "":
		return "issuer: " + p.IssuerURL
	case p.AuthURL != "":
		return "authorize: " + p.AuthURL
	}
	return ""
}

// ExpirySortKey orders by the credential's expiry date; unknown first.
func ExpirySortKey(p credentials.Profile) string {
	at, _ := p.CredentialExpiry()
	return timeKey(at)
}

func timeKey(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// SetFilter sets the text and status filters and rebuilds the view.
func (l *List) SetFilter(query string, status StatusFilter) {
	l.query, l.status = strings.ToLower(strings.TrimSpace(query)), status
	l.Refilter()
}

// Refilter rebuilds the view from the rows: filtered, then sorted. A
// selected profile the filter hides (or that is gone) is no longer
// selected: it must not stay the target of Edit, Delete or Test.
func (l *List) Refilter() {
	view := make([]*Row, 0, len(l.rows))
	for _, r := range l.rows {
		if (l.query == "" || strings.Contains(r.searchKey(), l.query)) && l.matches(r) {
			view = append(view, r)
		}
	}
	l.view = view
	l.sortView()
	if l.ViewIndex(l.Sel.selected) < 0 {
		l.Sel.selected = ""
	}
}

// matches says whether r passes the status filter.
func (l *List) matches(r *Row) bool {
	switch l.status {
	case AllStatuses:
		return true // without asking every row for its status (10,000 clock reads at load)
	case OnlySecretExpiring:
		at, _ := r.P.CredentialExpiry()
		return !at.IsZero() && at.Sub(l.now()) <= ExpiryWarnDays*24*time.Hour
	case OnlyFailed: // a failing renewal too, while its token still works
		return l.Effective(r) == credentials.StatusFailed && !NeedsSecret(r.P)
	case OnlyNeedsSecret:
		return NeedsSecret(r.P)
	case OnlyExpiring:
		sd := l.Standing(r)
		return sd.Status == credentials.StatusActive && !sd.Expiry.IsZero() && sd.Left < ExpiringWithin
	case OnlyActive: // a failing renewal too: its token is still handed out
		return l.Standing(r).Status == credentials.StatusActive && !NeedsSecret(r.P)
	}
	return true
}

// Sort is the sort column and direction.
func (l *List) Sort() (col int, desc bool) { return l.sortCol, l.sortDesc }

// SetSort sorts by col (as remembered); it does not rebuild the view.
func (l *List) SetSort(col int, desc bool) {
	if col >= 0 && col < NumCols {
		l.sortCol = col
	}
	l.sortDesc = desc
}

// SortBy is what clicking a header does: sort by it, or reverse the order
// when it already is the sort column.
func (l *List) SortBy(col int) {
	if col == l.sortCol {
		l.sortDesc = !l.sortDesc
	} else {
		l.sortCol, l.sortDesc = col, false
	}
	l.Refilter()
}

// sortView orders the view by the sort column; ties keep name order.
func (l *List) sortView() {
	col, desc := l.sortCol, l.sortDesc
	if col == ColName {
		// By name, the order the store keeps (case-insensitive), compared
		// in place: no lower-cased keys for 10,000 rows, and a view already
		// in order (as loaded) is only checked.
		byName := func(a, b *Row) int {
			if desc {
				return -credentials.CompareNames(a.P.Name, b.P.Name)
			}
			return credentials.CompareNames(a.P.Name, b.P.Name)
		}
		if !slices.IsSortedFunc(l.view, byName) {
			slices.SortStableFunc(l.view, byName)
		}
		return
	}
	key := func(r *Row) string {
		switch col {
		case ColStatus:
			s, _ := l.Status(r)
			return strings.ToLower(s)
		case ColExpires:
			return timeKey(r.P.TokenExpiry)
		case ColSecretExpires:
			return ExpirySortKey(*r.P)
		case ColChecked:
			return timeKey(r.P.LastChecked)
		}
		return strings.ToLower(Text(r.P, col))
	}
	// Keys are computed once per row, not once per comparison.
	type keyed struct {
		key, name string
		r         *Row
	}
	ks := make([]keyed, len(l.view))
	for i, r := range l.view {
		ks[i] = keyed{key(r), strings.ToLower(r.P.Name), r}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		c := cmp.Compare(a.key, b.key)
		if c == 0 {
			c = cmp.Compare(a.name, b.name)
		}
		if desc {
			return -c
		}
		return c
	})
	for i := range ks {
		l.view[i] = ks[i].r
	}
}

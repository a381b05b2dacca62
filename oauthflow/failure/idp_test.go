package failure

import (
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
)

// A recorded expiry goes next to an answer that may mean an expired secret,
// and first when it has passed.
func TestExpiryNextToSecretProblems(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	p := credentials.Profile{Type: credentials.TypeApplication, Bookkeeping: credentials.Bookkeeping{HasSecret: true}}
	_, d := diagnoseBody([]byte(`{"error":"unauthorized_client","error_description":"Invalid client or Invalid client credentials"}`))
	for _, c := range []struct {
		exp    time.Time
		prefix bool
		note   bool
	}{{time.Time{}, false, false}, {now.AddDate(0, 0, 5), false, true}, {now.AddDate(0, 0, -5), true, false}} {
		f := &Failure{}
		d.apply(f)
		p.SecretExpiresAt = c.exp
		ExpiredFirst(f, p, now)
		if strings.HasPrefix(f.Message, "the client secret expired on") != c.prefix || strings.Contains(f.Message, "recorded expiry is") != c.note {
			t.Errorf("expiry %v: %q", c.exp, f.Message)
		}
	}
}

func TestIdPTablesComplete(t *testing.T) {
	seen := map[int]bool{}
	for _, r := range entraTable {
		for _, c := range r.Codes {
			if seen[c] {
				t.Errorf("AADSTS%d twice", c)
			}
			seen[c] = true
		}
	}
	if len(seen) < 35 {
		t.Errorf("%d Entra codes, want at least 35", len(seen))
	}
	for _, tab := range [][]idpRow{entraTable, oktaTable, keycloakTable} {
		for _, r := range tab {
			if r.Category == "" || r.Cause == "" || r.Fix == "" || r.Source == "" || r.Category.Advice() == "" {
				t.Errorf("incomplete row %+v", r)
			}
			for _, sub := range r.Contains {
				if sub != strings.ToLower(sub) || sub == "" {
					t.Errorf("row %q: match strings must be lower case and not empty", r.Cause)
				}
			}
		}
	}
	for _, c := range []Category{CatMFA, CatConsent, CatTenant} {
		if c.Label() == "" || c.Advice() == "" {
			t.Errorf("category %s without label or advice", c)
		}
	}
	if CatMFA.Label() != "MFA / conditional access" {
		t.Error(CatMFA.Label())
	}
}

func TestDefaultScopeProposal(t *testing.T) {
	for in, want := range map[string]string{
		"api://orders/read":                       "api://orders/.default",
		"api://orders/read api://orders/write":    "api://orders/.default",
		"https://graph.microsoft.com/User.Read":   "https://graph.microsoft.com/.default",
		"api://orders/read api://billing/read":    "", // two resources: no single proposal
		"api://orders/.default":                   "",
		"orders":                                  "",
		"https://graph.microsoft.com":             "",
		"openid https://graph.microsoft.com/Mail": "https://graph.microsoft.com/.default",
	} {
		if got := DefaultScopeProposal(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

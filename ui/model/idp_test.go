package model

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

var idpNow = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

func TestExpirySourceSaysWhereTheDateCameFrom(t *testing.T) {
	p := credentials.Profile{}
	if got := ExpirySource(p, APIEntra, idpNow); got != "" {
		t.Errorf("no date: %q, want nothing", got)
	}
	p.SecretExpiresAt = idpNow.Add(40 * 24 * time.Hour)
	if got := ExpirySource(p, APIEntra, idpNow); got != "entered by you" {
		t.Errorf("admin's date: %q", got)
	}
	p.SecretExpirySource = credentials.SecretExpiryFromIdP
	p.SecretExpiryCheckedAt = idpNow.Add(-2 * time.Hour)
	if got := ExpirySource(p, APIEntra, idpNow); got != "from Entra, checked 2 h ago" {
		t.Errorf("IdP's date: %q", got)
	}
	p.SecretExpiryCheckedAt = idpNow.Add(-3 * 24 * time.Hour)
	if got := ExpirySource(p, APIKeycloak, idpNow); got != "from Keycloak, checked 3 days ago" {
		t.Errorf("IdP's date: %q", got)
	}
}

func TestSecretAgeAgainstMaxAge(t *testing.T) {
	p := credentials.Profile{}
	if got, _ := SecretAge(p, idpNow); got != "" {
		t.Errorf("no creation date: %q", got)
	}
	p.SecretCreatedAt = idpNow.Add(-67 * 24 * time.Hour)
	got, over := SecretAge(p, idpNow)
	if got != "created 2026-10-01, 67 days old" || over {
		t.Errorf("no max: %q %v", got, over)
	}
	p.MaxSecretAge = credentials.Duration(60 * 24 * time.Hour)
	got, over = SecretAge(p, idpNow)
	if !over || !strings.Contains(got, "(max 60 days): past the maximum age") {
		t.Errorf("over max: %q %v", got, over)
	}
}

func TestPendingLine(t *testing.T) {
	p := credentials.Profile{}
	if PendingLine(p, idpNow) != "" {
		t.Error("nothing pending must say nothing")
	}
	p.PendingAtIdP = credentials.PendingAtIdP{Step: "revoke", API: APIEntra, OldKeyID: "0f1e2d3c-aaaa-bbbb-cccc-000000000001",
		Due: idpNow.Add(7 * 24 * time.Hour)}
	got := PendingLine(p, idpNow)
	want := "Old secret (keyId 0f1e2d3c…) will be revoked at Entra on " + p.PendingAtIdP.Due.Local().Format("2006-01-02 15:04") + "."
	if got != want {
		t.Errorf("revoke later:\n got %q\nwant %q", got, want)
	}
	if got := PendingLine(p, p.PendingAtIdP.Due); !strings.Contains(got, "due to be revoked at Entra now") {
		t.Errorf("due: %q", got)
	}
	p.PendingAtIdP.Due, p.PendingAtIdP.LastError = time.Time{}, "HTTP 503"
	if got := PendingLine(p, idpNow); !strings.Contains(got, "still valid at Entra") || !strings.HasSuffix(got, "Last try failed: HTTP 503") {
		t.Errorf("by hand: %q", got)
	}
	p.PendingAtIdP = credentials.PendingAtIdP{Step: "switch", API: APIOkta, NewKeyID: "ocs1"}
	if got := PendingLine(p, idpNow); !strings.Contains(got, "(keyId ocs1) was created at Okta") {
		t.Errorf("switch: %q", got)
	}
}

func TestManagementChoicesNeverOffersItself(t *testing.T) {
	all := []*credentials.Profile{{ID: "a", Name: "Graph admin"}, {ID: "b", Name: "Billing"}}
	got := ManagementChoices(all, "b")
	if len(got) != 1 || got[0].Name != "Graph admin" {
		t.Errorf("choices for b: %v", got)
	}
	if got := ManagementChoices(all, ""); len(got) != 2 {
		t.Errorf("a new profile may use any: %v", got)
	}
}

func TestSecretsTableSortsFiltersAndMarks(t *testing.T) {
	tbl := NewSecretsTable(func() time.Time { return idpNow })
	day := 24 * time.Hour
	tbl.Load([]IdPSecret{
		{App: "NoExpiry", ClientID: "c3", KeyID: "k3"},
		{App: "Later", ClientID: "c2", KeyID: "k2", Expires: idpNow.Add(200 * day), UsedBy: []string{"Billing"}},
		{App: "Soon", ClientID: "c1", KeyID: "abcdefghijklmnop", Hint: "Xy1", Expires: idpNow.Add(10 * day)},
		{App: "Gone", ClientID: "c0", KeyID: "k0", Expires: idpNow.Add(-day), Kind: "certificate"},
	})
	var order []string
	for _, r := range tbl.View() {
		order = append(order, r.App)
	}
	if strings.Join(order, ",") != "Gone,Soon,Later,NoExpiry" {
		t.Errorf("order: %v", order)
	}
	v := tbl.View()
	if got := tbl.Cell(v[0], 4); got != "⚠ expired 2026-12-06" {
		t.Errorf("expired cell: %q", got)
	}
	if got := tbl.Cell(v[0], 0); got != "Gone (certificate)" {
		t.Errorf("certificate app cell: %q", got)
	}
	if got := tbl.Cell(v[1], 2); got != "abcdefgh… (Xy1…)" {
		t.Errorf("key cell: %q", got)
	}
	if got := tbl.Cell(v[1], 5); got != "none here" {
		t.Errorf("unused app: %q", got)
	}
	if got := tbl.Cell(v[2], 5); got != "Billing" {
		t.Errorf("used by: %q", got)
	}
	if tbl.Expiring(v[2]) || !tbl.Expiring(v[1]) || tbl.CountExpiring() != 2 {
		t.Errorf("marks: later %v soon %v count %d", tbl.Expiring(v[2]), tbl.Expiring(v[1]), tbl.CountExpiring())
	}
	d, ok := ParseWithin("30d")
	if !ok || d != 30*day {
		t.Fatalf("30d: %v %v", d, ok)
	}
	tbl.SetWithin(d)
	if len(tbl.View()) != 2 || tbl.Total() != 4 {
		t.Errorf("within 30d: %d of %d", len(tbl.View()), tbl.Total())
	}
	for _, bad := range []string{"soon", "-3d", "0"} {
		if _, ok := ParseWithin(bad); ok {
			t.Errorf("ParseWithin(%q) accepted", bad)
		}
	}
	if d, ok := ParseWithin("All"); !ok || d != 0 {
		t.Errorf("All: %v %v", d, ok)
	}
}

func TestRotationReportNamesStepsFailureAndWhatIsLeft(t *testing.T) {
	ok := oauthflow.Rotation{Profile: "Billing", API: APIEntra, App: "billing-app", NewKeyID: "new1", OldKeyID: "old1",
		Done: []oauthflow.RotationStep{oauthflow.StepFind, oauthflow.StepMint, oauthflow.StepStore, oauthflow.StepTest,
			oauthflow.StepSwitch, oauthflow.StepRevoke}}
	got := RotationReport(ok, idpNow)
	for _, want := range []string{"✓ Found billing-app at Entra", "✓ Created a new secret at Entra (keyId new1)",
		"✓ The token endpoint accepted the new secret", "✓ The profile uses the new secret now", "✓ Revoked the old secret at Entra (keyId old1)"} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	failed := oauthflow.Rotation{Profile: "Billing", API: APIEntra, NewKeyID: "new2", OldKeyID: "old1",
		Done:    []oauthflow.RotationStep{oauthflow.StepFind, oauthflow.StepMint, oauthflow.StepStore},
		Failed:  oauthflow.StepTest,
		Failure: &oauthflow.Failure{Category: oauthflow.CatCredentials, Message: "invalid_client", Err: errors.New("x")},
		Left:    "a new secret was created at Entra (keyId new2) but failed its test: it is still there; remove it or retry"}
	got = RotationReport(failed, idpNow)
	for _, want := range []string{"✓ Created a new secret at Entra (keyId new2)", "✗ The new secret failed its test at the token endpoint",
		"Left at the IdP: a new secret was created at Entra (keyId new2)"} {
		if !strings.Contains(got, want) {
			t.Errorf("failure report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "✓ The profile uses") {
		t.Errorf("a failed rotation must not claim the switch:\n%s", got)
	}
	pending := ok
	pending.Done = pending.Done[:5]
	pending.Pending = credentials.PendingAtIdP{Step: "revoke", API: APIEntra, OldKeyID: "old1", Due: idpNow.Add(24 * time.Hour)}
	if got := RotationReport(pending, idpNow); !strings.Contains(got, "Old secret (keyId old1) will be revoked at Entra on") {
		t.Errorf("pending report:\n%s", got)
	}
}

func TestBulkSummary(t *testing.T) {
	done := []oauthflow.RotationStep{oauthflow.StepFind, oauthflow.StepMint, oauthflow.StepStore, oauthflow.StepTest, oauthflow.StepSwitch}
	rs := []oauthflow.Rotation{
		{Profile: "A", API: APIOkta, NewKeyID: "n1", Done: done,
			Pending: credentials.PendingAtIdP{Step: "revoke", API: APIOkta, OldKeyID: "o1", Due: idpNow.Add(time.Hour)}},
		{Profile: "B", API: APIOkta, Done: done[:1], Failed: oauthflow.StepMint,
			Failure: &oauthflow.Failure{Category: oauthflow.CatCredentials, Message: "E0000006 You do not have permission"}},
		{Profile: "C", API: APIOkta, NewKeyID: "n3", Done: append(done, oauthflow.StepRevoke)},
	}
	got := BulkSummary(rs, idpNow)
	for _, want := range []string{"Rotated (2):", "✓ A (new keyId n1)", "✓ C (new keyId n3)", "Failed (1):",
		"✗ B: creating a new secret at Okta failed", "E0000006", "Pending revocation (1):", "• A: Old secret (keyId o1) will be revoked at Okta"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
}

func TestLifecycleEventsReload(t *testing.T) {
	if !LifecycleChanged(oauthflow.EventPendingChanged) || LifecycleChanged(oauthflow.EventTesting) {
		t.Error("pending changes reload, tests do not")
	}
}

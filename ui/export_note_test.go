package ui

import (
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
)

// An export of a selection that leaves out the management profile a
// profile names says so (the import would drop the link); one that carries
// it, or has none, adds nothing.
func TestExportSaysWhenItLeavesOutAManagementProfile(t *testing.T) {
	mgmt := &credentials.Profile{ID: "m1", Name: "graph admin", Type: credentials.TypeApplication}
	app := &credentials.Profile{ID: "a1", Name: "billing", Type: credentials.TypeApplication, ManagementProfile: "m1"}
	plain := &credentials.Profile{ID: "p1", Name: "plain", Type: credentials.TypeApplication}
	if got := managementNote([]*credentials.Profile{app, mgmt}); got != "" {
		t.Errorf("export with its management profile: %q", got)
	}
	if got := managementNote([]*credentials.Profile{plain}); got != "" {
		t.Errorf("export without management links: %q", got)
	}
	got := managementNote([]*credentials.Profile{app, plain})
	if !strings.Contains(got, "'billing'") || !strings.Contains(got, "export it too") {
		t.Errorf("export without the management profile: %q", got)
	}
	many := []*credentials.Profile{}
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		many = append(many, &credentials.Profile{ID: n, Name: n, Type: credentials.TypeApplication, ManagementProfile: "m1"})
	}
	if got := managementNote(many); !strings.Contains(got, "'a', 'b', 'c' and 2 more") {
		t.Errorf("five profiles: %q", got)
	}
}

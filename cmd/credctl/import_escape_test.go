package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A hostile file's invalid entries are previewed with their terminal
// escapes escaped: an OSC 52 (clipboard) or CSI 2J (clear screen) in a
// name must not reach the terminal (#23, hostile files).
func TestImportPreviewEscapesHostileNames(t *testing.T) {
	c := newCLI(t)
	f := filepath.Join(t.TempDir(), "hostile.json")
	hostile := `[{"clientId": "x\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u202eevil", "authorizedGrantTypes": ["client_credentials"]}]`
	if err := os.WriteFile(f, []byte(hostile), 0o600); err != nil {
		t.Fatal(err)
	}
	o := c.run("", "import", f, "--issuer", "https://idp.example.com", "--dry-run")
	if !strings.Contains(o.stdout, "invalid") {
		t.Fatalf("the hostile entry should be previewed as invalid:\n%s", o)
	}
	for _, bad := range []string{"\x1b", "\x07", "\u202e"} {
		if strings.Contains(o.stdout+o.stderr, bad) {
			t.Fatalf("the preview printed %q raw:\n%s", bad, o)
		}
	}
}

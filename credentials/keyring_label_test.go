package credentials

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// secretToolLabel is the label Seahorse and GNOME Passwords show for an
// entry, read through libsecret's own CLI.
func secretToolLabel(t *testing.T, user string) string {
	t.Helper()
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatal("secret-tool is missing: apt-get install -y libsecret-tools")
	}
	out, err := exec.Command("secret-tool", "search", "--all", "service", KeyringService, "username", user).CombinedOutput()
	if err != nil {
		t.Fatalf("secret-tool search: %v: %s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "label = "); ok {
			return v
		}
	}
	t.Fatalf("no entry for %s:\n%s", user, out)
	return ""
}

// A profile's keyring entries show its name; they are still found by the
// profile's ID (also after a rename), and an entry written the old way
// (go-keyring's own label) keeps working.
func TestKeyringEntriesShowTheProfileName(t *testing.T) {
	kr := realKeyring(t)
	repo := newRepo(t, kr)
	secret := token("labelled")
	saved, err := repo.Save(appProfile("Billing API - prod"), SecretChange{ClientSecret: &secret})
	if err != nil {
		t.Fatal(err)
	}
	cleanupKeyring(t, kr, saved.ID)
	if got, want := secretToolLabel(t, saved.ID+"/client-secret"), "Credential Workbench: Billing API - prod (client secret)"; got != want {
		t.Errorf("label %q, want %q", got, want)
	}
	if v, err := repo.Secrets.Get(saved.ID, ClientSecret); err != nil || v != secret {
		t.Fatalf("lookup by ID: %q, %v", v, err)
	}
	// Replacing the secret keeps one entry (no duplicate under the label).
	newer := token("newer")
	if err := repo.ReplaceClientSecret(saved.ID, newer); err != nil {
		t.Fatal(err)
	}
	if v, _ := repo.Secrets.Get(saved.ID, ClientSecret); v != newer {
		t.Fatalf("after the replacement the keyring gives %q", v)
	}
	out, _ := exec.Command("secret-tool", "search", "--all", "service", KeyringService, "username", saved.ID+"/client-secret").CombinedOutput()
	if n := strings.Count(string(out), "label = "); n != 1 {
		t.Errorf("%d entries for one secret:\n%s", n, out)
	}

	// An entry stored before (go-keyring's label) is read as before.
	if err := keyring.Set(KeyringService, "old-profile/client-secret", "old-secret"); err != nil {
		t.Fatal(err)
	}
	cleanupKeyring(t, kr, "old-profile")
	if v, err := repo.Secrets.Get("old-profile", ClientSecret); err != nil || v != "old-secret" {
		t.Fatalf("an entry with go-keyring's label: %q, %v", v, err)
	}
}

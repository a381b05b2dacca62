package credentials

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Hardening: processes killed while saving secrets, two processes editing at
// once, and a Secret Service that stops, locks, loses entries or refuses big
// values. Everything runs against the real Secret Service (CREDWB_KEYRING=real).

const hardeningHelperEnv = "CREDWB_HARDENING_HELPER"

// logKeyring announces every entry before it is written, so the parent can
// clean up after a process killed between keyring and file.
type logKeyring struct{ Keyring }

func (l logKeyring) Set(service, user, secret string) error {
	fmt.Printf("kr %s\n", user)
	return l.Keyring.Set(service, user, secret)
}

// secretFor is the value a helper stores for a profile name: the parent can
// tell which secrets are its own.
func secretFor(name string, gen int) string { return fmt.Sprintf("LEAKCANARY-crash-%s-%d", name, gen) }

// TestHardeningHelper is the body of the helper processes of this file; it
// returns at once when not started as one.
func TestHardeningHelper(t *testing.T) {
	mode := os.Getenv(hardeningHelperEnv)
	if mode == "" {
		return
	}
	fail := func(format string, args ...any) {
		fmt.Printf("FAIL "+format+"\n", args...)
		os.Exit(3)
	}
	store := NewStore(os.Getenv("CREDWB_STORE"))
	repo := &Repository{Store: store, Secrets: NewSecrets(logKeyring{SystemKeyring{}}).WithTimeout(10 * time.Second)}
	prefix := os.Getenv("CREDWB_PREFIX")
	switch mode {
	case "secretloop":
		// Every operation that touches a secret, over and over, until killed.
		// The parent's kill counter picks which of the three endings comes
		// first, so deletes and clears are cut short as often as saves.
		start, _ := strconv.Atoi(os.Getenv("CREDWB_START"))
		for i := start; ; i++ {
			name := fmt.Sprintf("%s-%d", prefix, i)
			p, err := repo.Save(appProfile(name), SecretChange{ClientSecret: Secret(secretFor(name, 1))})
			if err != nil {
				fail("save %s: %v", name, err)
			}
			fmt.Printf("saved %s\n", name)
			if err := repo.ReplaceClientSecret(p.ID, secretFor(name, 2)); err != nil {
				fail("rotate %s: %v", name, err)
			}
			fmt.Printf("rotated %s\n", name)
			p, _ = repo.Get(p.ID)
			p.Scope = "edited"
			if p, err = repo.Save(p, SecretChange{ClientSecret: Secret(secretFor(name, 3)), ProxyPassword: Secret("LEAKCANARY-proxy")}); err != nil {
				fail("edit %s: %v", name, err)
			}
			fmt.Printf("edited %s\n", name)
			switch i % 3 {
			case 1:
				fmt.Printf("deleting %s\n", name)
				if err := repo.Delete(p.ID); err != nil {
					fail("delete %s: %v", name, err)
				}
				fmt.Printf("deleted %s\n", name)
			case 2:
				// A User profile may drop its secret (public client).
				u := userProfile(name + "-u")
				u.IssuerURL = "https://idp.example.com"
				q, err := repo.Save(u, SecretChange{ClientSecret: Secret(secretFor(name+"-u", 1))})
				if err != nil {
					fail("save %s-u: %v", name, err)
				}
				if _, err := repo.Save(q, SecretChange{ClientSecret: Secret("")}); err != nil {
					fail("clear %s-u: %v", name, err)
				}
				fmt.Printf("cleared %s-u\n", name)
			}
		}
	case "secretwriter":
		n, _ := strconv.Atoi(os.Getenv("CREDWB_COUNT"))
		if !awaitStartSignal() {
			fail("start signal never came")
		}
		for i := range n {
			name := fmt.Sprintf("%s-%d", prefix, i)
			p, err := repo.Save(appProfile(name), SecretChange{ClientSecret: Secret(secretFor(name, 1))})
			if err != nil {
				fail("add %s: %v", name, err)
			}
			p.Scope = "edited-" + name
			if _, err := repo.Save(p, SecretChange{ClientSecret: Secret(secretFor(name, 2))}); err != nil {
				fail("edit %s: %v", name, err)
			}
			if err := repo.ReplaceClientSecret(p.ID, secretFor(name, 3)); err != nil {
				fail("rotate %s: %v", name, err)
			}
			if err := repo.Record(p.ID, func(b *Bookkeeping) { b.LastError = "checked " + name }); err != nil {
				fail("record %s: %v", name, err)
			}
		}
	case "stopped", "locked":
		keyringFaultHelper(mode, repo, fail)
	case "restarted":
		keyringRestartHelper(repo, fail)
	default:
		fail("unknown helper mode %q", mode)
	}
	os.Exit(0)
}

func hardeningHelper(t *testing.T, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHardeningHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// checkStoreAndKeyring is the invariant after every kill: the file parses,
// and every profile it says has a secret has it in the keyring, with a value
// the helper wrote. It returns the profiles and those whose secret is gone.
// Only profiles whose name starts with prefix are checked ("" = all): a
// killed helper touched only its own, and reading every secret after every
// kill makes the test quadratic.
func checkStoreAndKeyring(t *testing.T, path string, secrets *Secrets, when, prefix string) (ps []Profile, gone []Profile) {
	t.Helper()
	ps, err := NewStore(path).List()
	if err != nil {
		t.Fatalf("%s: the store does not parse: %v", when, err)
	}
	for _, p := range ps {
		if !p.HasSecret || !strings.HasPrefix(p.Name, prefix) {
			continue
		}
		v, err := secrets.Get(p.ID, ClientSecret)
		if errors.Is(err, ErrSecretNotFound) {
			gone = append(gone, p)
			continue
		}
		if err != nil {
			t.Fatalf("%s: reading the secret of %s: %v", when, p.Name, err)
		}
		if !strings.HasPrefix(v, "LEAKCANARY-crash-"+p.Name+"-") {
			t.Fatalf("%s: %s holds a secret that is not its own: %q", when, p.Name, v)
		}
	}
	return ps, gone
}

// SIGKILL a process that saves, rotates, edits, deletes and clears secrets
// in a loop, at random moments, CREDWB_HARDENING_KILLS times (default 200).
func TestHardeningKillWhileSavingSecrets(t *testing.T) {
	kr := realKeyring(t)
	kills := 200
	if v, err := strconv.Atoi(os.Getenv("CREDWB_HARDENING_KILLS")); err == nil && v > 0 {
		kills = v
	}
	secrets := NewSecrets(kr)
	path := filepath.Join(t.TempDir(), "credworkbench", "profiles.json")
	users := map[string]bool{} // every keyring entry a helper began to write
	t.Cleanup(func() {
		for u := range users {
			_ = kr.Delete(KeyringService, u)
		}
	})
	steps := map[string]int{}
	lost := map[string]string{} // profile ID → the operation the kill interrupted
	for it := range kills {
		cmd := hardeningHelper(t, hardeningHelperEnv+"=secretloop", "CREDWB_STORE="+path,
			fmt.Sprintf("CREDWB_PREFIX=k%d", it), fmt.Sprintf("CREDWB_START=%d", it))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 4096)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		// Measure one step (between the first two reports), then kill at a
		// random moment within about four of them.
		var got []string
		var first time.Time
		for len(got) < 2 {
			l, ok := <-lines
			if !ok {
				_ = cmd.Wait()
				t.Fatalf("helper %d ended early: %q %s", it, got, stderr.String())
			}
			if !strings.HasPrefix(l, "kr ") {
				if first.IsZero() {
					first = time.Now()
				}
				got = append(got, l)
			} else {
				users[strings.TrimPrefix(l, "kr ")] = true
			}
		}
		step := time.Since(first)
		time.Sleep(time.Duration(rand.Int64N(int64(4*step) + 1)))
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for l := range lines {
			if u, ok := strings.CutPrefix(l, "kr "); ok {
				users[u] = true
			} else if strings.HasPrefix(l, "FAIL") {
				t.Fatalf("helper %d: %s", it, l)
			} else {
				got = append(got, l)
			}
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != -1 {
			t.Fatalf("helper %d was not killed but ended: %v %s", it, err, stderr.String())
		}
		for _, l := range got {
			verb, _, _ := strings.Cut(l, " ")
			steps[verb]++
		}
		ps, gone := checkStoreAndKeyring(t, path, secrets, fmt.Sprintf("after kill %d", it), fmt.Sprintf("k%d-", it))
		for _, p := range gone {
			if _, seen := lost[p.ID]; !seen {
				lost[p.ID] = got[len(got)-1] + " (last step reported before the kill)"
				t.Errorf("after kill %d: %s has HasSecret but its secret is gone; last step reported: %q", it, p.Name, got[len(got)-1])
			}
		}
		byName := map[string]Profile{}
		for _, p := range ps {
			byName[p.Name] = p
		}
		for _, l := range got {
			verb, name, _ := strings.Cut(l, " ")
			p, ok := byName[name]
			switch verb {
			case "saved", "rotated", "edited":
				// Missing is right only when its deletion had begun.
				if !ok && !slices.Contains(got, "deleting "+name) {
					t.Fatalf("after kill %d: %s was reported %s but is missing", it, name, verb)
				}
			case "deleted":
				if ok {
					t.Fatalf("after kill %d: %s was reported deleted but is still there", it, name)
				}
			case "cleared":
				if !ok || p.HasSecret {
					t.Fatalf("after kill %d: %s was reported cleared but is %+v", it, name, p)
				}
			}
		}
	}
	ps, gone := checkStoreAndKeyring(t, path, secrets, "at the end", "")
	if len(gone) != len(lost) {
		t.Errorf("at the end %d profiles lack their secret, %d were found after their kill", len(gone), len(lost))
	}
	// Keyring entries of profiles that never reached the file (killed in
	// between) are orphans: harmless (nothing points at them) but counted.
	ids := map[string]bool{}
	for _, p := range ps {
		ids[p.ID] = true
	}
	orphans := 0
	for u := range users {
		id, _, _ := strings.Cut(u, "/")
		if !ids[id] {
			if _, err := kr.Get(KeyringService, u); err == nil {
				orphans++
			}
		}
	}
	if broken, _ := filepath.Glob(path + ".broken-*"); len(broken) != 0 {
		t.Fatalf("the store was found broken at some point: %v", broken)
	}
	t.Logf("%d kills; steps completed: %v; %d profiles in the file, %d of them left without their secret; %d orphaned keyring entries",
		kills, steps, len(ps), len(lost), orphans)
}

// Two processes add, edit, rotate and record different profiles with real
// secrets at the same time: no edit and no secret is lost.
func TestHardeningConcurrentSecretWriters(t *testing.T) {
	kr := realKeyring(t)
	const n = 15
	dir := t.TempDir()
	path := filepath.Join(dir, "credworkbench", "profiles.json")
	start := filepath.Join(dir, "go")
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for _, prefix := range []string{"alpha", "beta"} {
		cmd := hardeningHelper(t, hardeningHelperEnv+"=secretwriter", "CREDWB_STORE="+path, "CREDWB_PREFIX="+prefix,
			"CREDWB_COUNT="+strconv.Itoa(n), "CREDWB_GO="+start)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, &out)
	}
	if err := os.WriteFile(start, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("writer %d: %v\n%s", i, err, outs[i])
		}
	}
	ps, err := NewStore(path).List()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		cleanupKeyring(t, kr, p.ID)
	}
	if len(ps) != 2*n {
		t.Errorf("%d profiles stored, want %d", len(ps), 2*n)
	}
	secrets := NewSecrets(kr)
	for _, p := range ps {
		v, err := secrets.Get(p.ID, ClientSecret)
		switch {
		case err != nil || v != secretFor(p.Name, 3):
			t.Errorf("%s: secret %q, %v; want the rotated one", p.Name, v, err)
		case p.Scope != "edited-"+p.Name || p.Revision != 2 || p.SecretRotatedAt.IsZero():
			t.Errorf("%s: an edit was lost: scope %q, revision %d, rotated %v", p.Name, p.Scope, p.Revision, p.SecretRotatedAt)
		case p.LastError != "checked "+p.Name:
			t.Errorf("%s: the record was lost: %q", p.Name, p.LastError)
		}
	}
	t.Logf("2 processes × %d profiles × 4 writes each: %d profiles, every edit and secret kept", n, len(ps))
}

// ---- keyring faults in a private D-Bus session ----

// privateSessionConf is a session bus without service activation, so a
// killed Secret Service stays gone instead of being restarted.
const privateSessionConf = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// secretServicePID asks the bus which process owns org.freedesktop.secrets:
// the daemon of this private session, and only it.
func secretServicePID() (int, error) {
	out, err := exec.Command("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
		"/org/freedesktop/DBus", "org.freedesktop.DBus.GetConnectionUnixProcessID", "string:org.freedesktop.secrets").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%v: %s", err, out)
	}
	f := strings.Fields(string(out))
	for i, w := range f {
		if w == "uint32" && i+1 < len(f) {
			return strconv.Atoi(f[i+1])
		}
	}
	return 0, fmt.Errorf("no pid in %q", out)
}

// keyringFaultHelper runs inside its own dbus-run-session with its own
// gnome-keyring-daemon: it saves a profile, breaks the keyring (kills that
// daemon, or locks the collection), and checks every operation that needs
// the keyring fails with the documented error while the file stays as it was.
func keyringFaultHelper(mode string, repo *Repository, fail func(string, ...any)) {
	waitForSecretService(fail)
	a, err := repo.Save(appProfile("fault-a"), SecretChange{ClientSecret: Secret(secretFor("fault-a", 1))})
	if err != nil {
		fail("save before the fault: %v", err)
	}
	fillEntryMap(repo, a.ID, fail) // the faults must read as before with the map filled
	want, hint := KeyringUnavailable, "No Secret Service provider is running"
	switch mode {
	case "stopped":
		pid, err := secretServicePID()
		if err != nil {
			fail("find the daemon: %v", err)
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			fail("kill the daemon %d: %v", pid, err)
		}
		for deadline := time.Now().Add(10 * time.Second); syscall.Kill(pid, 0) == nil; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				fail("daemon %d did not die", pid)
			}
		}
		fmt.Printf("killed gnome-keyring-daemon %d\n", pid)
	case "locked":
		out, err := exec.Command("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets",
			"/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock",
			"array:objpath:/org/freedesktop/secrets/aliases/default").CombinedOutput()
		if err != nil {
			fail("lock: %v %s", err, out)
		}
		want, hint = KeyringLocked, "The keyring is locked"
		fmt.Println("locked the default collection")
	}
	before, err := os.ReadFile(repo.Store.Path())
	if err != nil {
		fail("%v", err)
	}
	check := func(op string, err error) {
		var ke *KeyringError
		if !errors.As(err, &ke) {
			fail("%s: got %v (%T), want a KeyringError", op, err, err)
		}
		if ke.Problem != want || !strings.Contains(err.Error(), hint) {
			fail("%s: problem %q, want %q with %q: %v", op, ke.Problem, want, hint, err)
		}
		if strings.Contains(err.Error(), "LEAKCANARY") {
			fail("%s: the error carries a secret: %v", op, err)
		}
		after, rerr := os.ReadFile(repo.Store.Path())
		if rerr != nil || !bytes.Equal(before, after) {
			fail("%s: the profile file changed although the keyring failed", op)
		}
		fmt.Printf("%s: %s\n", op, err)
	}
	_, err = repo.Save(appProfile("fault-b"), SecretChange{ClientSecret: Secret(secretFor("fault-b", 1))})
	check("add with a secret", err)
	edit := a
	edit.Scope = "changed"
	_, err = repo.Save(edit, SecretChange{ClientSecret: Secret(secretFor("fault-a", 2))})
	check("edit with a new secret", err)
	check("rotate", repo.ReplaceClientSecret(a.ID, secretFor("fault-a", 3)))
	check("delete", repo.Delete(a.ID))
	_, err = repo.Secrets.Get(a.ID, ClientSecret)
	if errors.Is(err, ErrSecretNotFound) {
		fail("read: a broken keyring reads as 'no secret'")
	}
	check("read", err)
	// Settings without secrets still save, and the file stays consistent.
	if _, err := repo.Save(edit, SecretChange{}); err != nil {
		fail("edit without secrets: %v", err)
	}
	ps, err := repo.List()
	if err != nil || len(ps) != 1 || ps[0].Scope != "changed" || !ps[0].HasSecret {
		fail("file after the fault: %+v %v", ps, err)
	}
	fmt.Println("ok")
}

// runKeyringFault runs keyringFaultHelper in a fresh dbus-run-session with
// its own gnome-keyring-daemon and a throw-away HOME.
func runKeyringFault(t *testing.T, mode string) {
	t.Helper()
	realKeyring(t)
	for _, bin := range []string{"dbus-run-session", "gnome-keyring-daemon", "dbus-send"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s is missing: apt-get install dbus gnome-keyring", bin)
		}
	}
	home := t.TempDir()
	conf := filepath.Join(home, "session.conf")
	if err := os.WriteFile(conf, []byte(privateSessionConf), 0o600); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(home, "config", "credworkbench", "profiles.json")
	cmd := exec.Command("dbus-run-session", "--config-file="+conf, "--", "sh", "-c",
		`echo -n fault-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 9; exec "$0" -test.run='^TestHardeningHelper$' -test.count=1`,
		os.Args[0])
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DBUS_SESSION_BUS_ADDRESS", "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "DISPLAY", "GNOME_KEYRING_CONTROL":
			continue // the helper gets its own session, home and no display (no unlock prompt)
		}
		env = append(env, kv)
	}
	cmd.Env = append(env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_DATA_HOME="+filepath.Join(home, "data"), "XDG_CACHE_HOME="+filepath.Join(home, "cache"),
		hardeningHelperEnv+"="+mode, "CREDWB_STORE="+store)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil || !strings.Contains(out.String(), "\nok\n") {
			t.Fatalf("keyring fault %q: %v\n%s", mode, err, out.String())
		}
	case <-time.After(90 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("keyring fault %q hangs:\n%s", mode, out.String())
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.Contains(l, ": cannot ") || strings.HasPrefix(l, "killed") || strings.HasPrefix(l, "locked") {
			t.Log(l)
		}
	}
	// And from outside: the file parses and holds the one profile.
	ps, err := NewStore(store).List()
	if err != nil || len(ps) != 1 {
		t.Fatalf("the store after the fault: %v %v", ps, err)
	}
}

func TestHardeningSecretServiceStopped(t *testing.T) { runKeyringFault(t, "stopped") }

func TestHardeningKeyringLocked(t *testing.T) { runKeyringFault(t, "locked") }

// An entry removed behind our back (secret-tool clear) reads as missing, not
// as a keyring failure; the profile can still be deleted cleanly or given a
// new secret.
func TestHardeningEntryDeletedBehindOurBack(t *testing.T) {
	kr := realKeyring(t)
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatal("secret-tool is missing: apt-get install libsecret-tools")
	}
	repo := newRepo(t, kr)
	a, err := repo.Save(appProfile("gone"), SecretChange{ClientSecret: Secret("LEAKCANARY-gone-1")})
	if err != nil {
		t.Fatal(err)
	}
	cleanupKeyring(t, kr, a.ID)
	if out, err := exec.Command("secret-tool", "clear", "service", KeyringService, "username", entry(a.ID, ClientSecret)).CombinedOutput(); err != nil {
		t.Fatalf("secret-tool clear: %v %s", err, out)
	}
	if _, err := repo.Secrets.Get(a.ID, ClientSecret); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("a removed entry reads as %v, want ErrSecretNotFound", err)
	}
	// A new secret repairs it.
	if _, err := repo.Save(a, SecretChange{ClientSecret: Secret("LEAKCANARY-gone-2")}); err != nil {
		t.Fatal(err)
	}
	if v, err := repo.Secrets.Get(a.ID, ClientSecret); err != nil || v != "LEAKCANARY-gone-2" {
		t.Fatalf("after re-entering: %q %v", v, err)
	}
	if out, err := exec.Command("secret-tool", "clear", "service", KeyringService, "username", entry(a.ID, ClientSecret)).CombinedOutput(); err != nil {
		t.Fatalf("secret-tool clear: %v %s", err, out)
	}
	// Deleting a profile whose entry vanished works and leaves nothing.
	if err := repo.Delete(a.ID); err != nil {
		t.Fatalf("delete after the entry vanished: %v", err)
	}
	if ps, err := repo.List(); err != nil || len(ps) != 0 {
		t.Fatalf("store after delete: %v %v", ps, err)
	}
}

// A value over the platform limit is refused before anything changes: the
// old secret and the file stay as they were.
func TestHardeningOversizeSecret(t *testing.T) {
	kr := realKeyring(t)
	repo := newRepo(t, kr)
	repo.Secrets = repo.Secrets.WithLimit(PlatformSecretLimit("windows"))
	a, err := repo.Save(appProfile("big"), SecretChange{ClientSecret: Secret("LEAKCANARY-small")})
	if err != nil {
		t.Fatal(err)
	}
	cleanupKeyring(t, kr, a.ID)
	before := readFile(t, repo.Store.Path())
	big := "LEAKCANARY-" + strings.Repeat("x", 3000)
	edit := a
	edit.Scope = "bigger"
	for op, err := range map[string]error{
		"save":   func() error { _, err := repo.Save(edit, SecretChange{ClientSecret: Secret(big)}); return err }(),
		"rotate": repo.ReplaceClientSecret(a.ID, big),
		"new": func() error {
			_, err := repo.Save(appProfile("big2"), SecretChange{ClientSecret: Secret(big)})
			return err
		}(),
	} {
		var ke *KeyringError
		if !errors.As(err, &ke) || ke.Problem != KeyringTooBig || !strings.Contains(err.Error(), "at most 2560") ||
			!strings.Contains(err.Error(), "Nothing was changed") {
			t.Fatalf("%s with a %d-byte secret: %v", op, len(big), err)
		}
		if strings.Contains(err.Error(), "xxxxxxxx") {
			t.Fatalf("%s: the error quotes the value: %v", op, err)
		}
	}
	if after := readFile(t, repo.Store.Path()); !bytes.Equal(before, after) {
		t.Fatal("the profile file changed")
	}
	if v, err := repo.Secrets.Get(a.ID, ClientSecret); err != nil || v != "LEAKCANARY-small" {
		t.Fatalf("the old secret is %q, %v", v, err)
	}
}

package credentials

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// The multi-process tests re-run this test binary as a helper process:
// CREDWB_HELPER selects what it does, CREDWB_STORE is the file.
const helperEnv = "CREDWB_HELPER"

// TestHelperProcess is not a test of its own: it is the body of the helper
// processes started by the tests below, and returns at once otherwise.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		return
	}
	store := NewStore(os.Getenv("CREDWB_STORE"))
	repo := &Repository{Store: store, Secrets: NewSecrets(testenv.NewMemKeyring())}
	prefix := os.Getenv("CREDWB_PREFIX")
	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
		os.Exit(3)
	}
	switch mode {
	case "saveloop":
		// Save and record without end, reporting each finished step, until killed.
		for i := 0; ; i++ {
			name := fmt.Sprintf("%s-%d", prefix, i)
			p, err := repo.Save(userProfile(name), SecretChange{})
			if err != nil {
				fail("save %s: %v", name, err)
			}
			fmt.Printf("saved %s\n", name)
			if err := repo.Record(p.ID, func(b *Bookkeeping) { b.LastStatus, b.LoggedInAs = StatusActive, name }); err != nil {
				fail("record %s: %v", name, err)
			}
			fmt.Printf("recorded %s\n", name)
		}
	case "writer":
		n, _ := strconv.Atoi(os.Getenv("CREDWB_COUNT"))
		// Start together with the other writer, so their saves interleave.
		if !awaitStartSignal() {
			fail("start signal never came")
		}
		for i := range n {
			name := fmt.Sprintf("%s-%d", prefix, i)
			if _, err := repo.Save(userProfile(name), SecretChange{}); err != nil {
				fail("add %s: %v", name, err)
			}
			p, err := repo.Get(name)
			if err != nil {
				fail("get %s: %v", name, err)
			}
			p.Scope = "edited-" + name
			if _, err := repo.Save(p, SecretChange{}); err != nil {
				fail("edit %s: %v", name, err)
			}
			if err := repo.Record(p.ID, func(b *Bookkeeping) { b.LastError = "checked " + name }); err != nil {
				fail("record %s: %v", name, err)
			}
		}
	default:
		fail("unknown helper mode %q", mode)
	}
	os.Exit(0)
}

func helperCmd(t *testing.T, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// SIGKILL a process that saves in a loop, at random moments, many times: the
// file must always parse and hold every profile the process reported saved.
func TestAtomicWriteSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts dozens of processes; run without -short")
	}
	iterations := 50
	if v, err := strconv.Atoi(os.Getenv("CREDWB_KILL_ITERATIONS")); err == nil && v > 0 {
		iterations = v
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "credworkbench", "profiles.json")
	saved := map[string]bool{}    // reported saved
	recorded := map[string]bool{} // reported recorded
	midWrite := 0
	for it := range iterations {
		cmd := helperCmd(t, helperEnv+"=saveloop", "CREDWB_STORE="+path, fmt.Sprintf("CREDWB_PREFIX=k%d", it))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(lines)
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		// Once saving is under way, kill at a random moment within about
		// two write cycles (measured, so slow machines are covered too).
		var got []string
		var started time.Time
		for range 2 {
			l, ok := <-lines
			if !ok {
				_ = cmd.Wait()
				t.Fatalf("helper exited before saving: %s", stderr.String())
			}
			got = append(got, l)
			if len(got) == 1 {
				started = time.Now()
			}
		}
		cycle := time.Since(started)
		time.Sleep(time.Duration(rand.Int64N(int64(2*cycle) + 1)))
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		for l := range lines {
			got = append(got, l)
		}
		wg.Wait()
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != -1 {
			t.Fatalf("helper ended by itself (%v) instead of being killed: %s", err, stderr.String())
		}
		for _, l := range got {
			if name, ok := strings.CutPrefix(l, "saved "); ok {
				saved[name] = true
			} else if name, ok := strings.CutPrefix(l, "recorded "); ok {
				recorded[name] = true
			}
		}

		if tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".profiles.json.tmp-*")); len(tmp) > 0 {
			midWrite++ // a temp file was being written when the kill came
		}
		ps, err := NewStore(path).List()
		if err != nil {
			t.Fatalf("after kill %d the file does not parse: %v", it, err)
		}
		byName := map[string]Profile{}
		for _, p := range ps {
			byName[p.Name] = p
		}
		for name := range saved {
			if _, ok := byName[name]; !ok {
				t.Fatalf("after kill %d: %s was reported saved but is missing", it, name)
			}
		}
		for name := range recorded {
			if byName[name].LastStatus != StatusActive {
				t.Fatalf("after kill %d: the status of %s was reported recorded but is %q", it, name, byName[name].LastStatus)
			}
		}
	}
	if len(saved) < iterations {
		t.Fatalf("only %d saves in %d runs: the kill test did not exercise saving", len(saved), iterations)
	}
	if broken, _ := filepath.Glob(path + ".broken-*"); len(broken) != 0 {
		t.Fatalf("the store found a broken file at some point: %v", broken)
	}
	// Temp files of killed saves are cleared by the next save.
	if err := NewStore(path).Update(func(ps []Profile) ([]Profile, error) { return ps, nil }); err != nil {
		t.Fatal(err)
	}
	if tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".profiles.json.tmp-*")); len(tmp) != 0 {
		t.Fatalf("temp files left after a clean save: %v", tmp)
	}
	t.Logf("%d kills (%d while a temp file was being written), %d saves and %d records confirmed",
		iterations, midWrite, len(saved), len(recorded))
}

// Two processes adding, editing and recording different profiles at the same
// time lose nothing.
func TestConcurrentWritersLoseNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts helper processes; run without -short")
	}
	const n = 25
	dir := t.TempDir()
	path := filepath.Join(dir, "credworkbench", "profiles.json")
	start := filepath.Join(dir, "go")
	var cmds []*exec.Cmd
	var errs []*strings.Builder
	for _, prefix := range []string{"alpha", "beta"} {
		cmd := helperCmd(t, helperEnv+"=writer", "CREDWB_STORE="+path, "CREDWB_PREFIX="+prefix,
			"CREDWB_COUNT="+strconv.Itoa(n), "CREDWB_GO="+start)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, errs = append(cmds, cmd), append(errs, &stderr)
	}
	if err := os.WriteFile(start, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("writer %d failed: %v: %s", i, err, errs[i].String())
		}
	}
	ps, err := NewStore(path).List()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Profile{}
	for _, p := range ps {
		byName[p.Name] = p
	}
	if len(ps) != 2*n {
		t.Errorf("%d profiles stored, want %d", len(ps), 2*n)
	}
	for _, prefix := range []string{"alpha", "beta"} {
		for i := range n {
			name := fmt.Sprintf("%s-%d", prefix, i)
			p, ok := byName[name]
			switch {
			case !ok:
				t.Errorf("%s was lost", name)
			case p.Scope != "edited-"+name || p.Revision != 2:
				t.Errorf("the edit of %s was lost: scope %q, revision %d", name, p.Scope, p.Revision)
			case p.LastError != "checked "+name:
				t.Errorf("the record of %s was lost: %q", name, p.LastError)
			}
		}
	}
}

// awaitStartSignal lets two helper processes start writing together, so
// their saves interleave: it waits (up to 30 s) for the file CREDWB_GO.
func awaitStartSignal() bool {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if _, err := os.Stat(os.Getenv("CREDWB_GO")); err == nil {
			return true
		}
	}
	return false
}

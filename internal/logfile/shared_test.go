package logfile

import (
	"bufio"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The workbench and credctl append to one file at once, each with its own
// Writer (its own descriptor, as two processes have): every record stays
// one whole line, and when either rotates the other follows, so no record
// is lost or left in a file about to be deleted.
func TestTwoWritersShareTheFileAcrossRotations(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	pad := strings.Repeat("y", 900)
	perWriter := int(MaxSize*Keep) / 2 / 1000 * 9 / 10 // fills about 3 of the 4 files
	var wg sync.WaitGroup
	for _, app := range []string{"credworkbench", "credctl"} {
		w, err := OpenWriter(path)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			log := slog.New(slog.NewTextHandler(w, nil)).With("app", app)
			for i := range perWriter {
				log.Info("event", "i", i, "pad", pad)
			}
			_ = w.Close()
		})
	}
	wg.Wait()

	if _, err := os.Stat(path + ".2"); err != nil {
		t.Fatalf("the test did not rotate twice: %v", err)
	}
	seen := map[string]int{}
	for i := Keep; i >= 0; i-- {
		name := path
		if i > 0 {
			name += "." + strconv.Itoa(i)
		}
		f, err := os.Open(name) // #nosec G304 -- the test's own file
		if err != nil {
			continue
		}
		// The other writer may append between one's size check and its
		// write: a record or two over is fine, a writer's worth is not.
		if st, _ := f.Stat(); st.Size() > MaxSize+4<<10 {
			t.Errorf("%s has %d bytes: rotation counted one writer's lines only", name, st.Size())
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			e, ok := Parse(sc.Bytes())
			if !ok || e.Attrs["pad"] != pad {
				t.Fatalf("%s holds a broken line (records interleaved): %.200q", name, sc.Text())
			}
			seen[e.Attrs["app"]+"/"+e.Attrs["i"]]++
		}
		_ = f.Close()
	}
	for _, app := range []string{"credworkbench", "credctl"} {
		for i := range perWriter {
			if n := seen[fmt.Sprintf("%s/%d", app, i)]; n != 1 {
				t.Fatalf("record %d of %s is in the log %d times, want once (%d records read)", i, app, n, len(seen))
			}
		}
	}
}

// After one process rotated, the other's next record goes to the new file,
// where `credctl logs --follow` and the order of the Logs view expect it,
// not into the file moved aside.
func TestWriterFollowsAnotherProcesssRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	a, err := OpenWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := OpenWriter(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	big := []byte("msg=big pad=" + strings.Repeat("z", MaxSize-20) + "\n")
	if _, err := a.Write(big); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Write([]byte("msg=\"a after rotation\"\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".1"); err != nil {
		t.Fatal("a did not rotate")
	}
	if _, err := b.Write([]byte("msg=\"b after rotation\"\n")); err != nil {
		t.Fatal(err)
	}
	cur, err := Read(path, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(cur); n < 3 || cur[n-1].Msg != "b after rotation" || cur[n-2].Msg != "a after rotation" {
		var msgs []string
		for _, e := range cur {
			msgs = append(msgs, e.Msg)
		}
		t.Fatalf("the records in order are %q, want a's then b's last", msgs)
	}
	only, err := os.ReadFile(path) // #nosec G304 -- the test's own file
	if err != nil || !strings.Contains(string(only), "b after rotation") {
		t.Fatalf("b wrote into the rotated file, not %s (%v):\n%.300s", path, err, only)
	}
}

//go:build linux

package ui

import (
	"slices"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/credworkbench/credworkbench/internal/testenv"
)

// Issue #23.8: the tray's Copy access token marks the clipboard content
// secret for password managers and clipboard histories. Read as another
// X client would (as xclip -t TARGETS does) under Xvfb.
func TestCopiedTokenMarkedSecretOnX11(t *testing.T) {
	testenv.RequireDisplay(t)
	h := newHarness(t, newRepo(t, nil), nil)
	g := newClipboardGuard(h.wb, newManualClock())
	g.offer = offerSecretX11 // the real window's choice (newClipboardGuard with the GLFW driver)
	r := newX11Reader(t)

	g.put("tok-123")
	if g.held == nil {
		t.Fatal("the token did not go through the marked clipboard")
	}
	targets := r.targets(t)
	for _, want := range []string{"TARGETS", "UTF8_STRING", x11PasswordHint} {
		if !slices.Contains(targets, want) {
			t.Fatalf("TARGETS %q lacks %q", targets, want)
		}
	}
	if got := r.read(t, x11PasswordHint); got != "secret" {
		t.Fatalf("%s = %q, want secret", x11PasswordHint, got)
	}
	if got := r.read(t, "UTF8_STRING"); got != "tok-123" {
		t.Fatalf("UTF8_STRING = %q", got)
	}
	// The clearing takes it off: nobody owns the clipboard then.
	g.clear("tok-123")
	if o := r.owner(t); o != xproto.WindowNone {
		t.Fatalf("after the clearing the clipboard is owned by %d", o)
	}

	// What the user copies after the token stays.
	g.put("tok-456")
	held := g.held
	r.take(t)
	for deadline := time.Now().Add(5 * time.Second); held.Owned(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the offer did not see the clipboard taken")
		}
	}
	g.clear("tok-456")
	if o := r.owner(t); o != r.win {
		t.Fatalf("the clearing took the user's copy off the clipboard (owner %d)", o)
	}
}

// x11Reader is another X client on the clipboard.
type x11Reader struct {
	conn   *xgb.Conn
	win    xproto.Window
	clip   xproto.Atom
	events chan xgb.Event
}

func newX11Reader(t *testing.T) *x11Reader {
	t.Helper()
	conn, err := xgb.NewConn()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	r := &x11Reader{conn: conn, events: make(chan xgb.Event, 16)}
	screen := xproto.Setup(conn).DefaultScreen(conn)
	if r.win, err = xproto.NewWindowId(conn); err != nil {
		t.Fatal(err)
	}
	if err := xproto.CreateWindowChecked(conn, screen.RootDepth, r.win, screen.Root, 0, 0, 1, 1, 0,
		xproto.WindowClassInputOutput, screen.RootVisual, 0, nil).Check(); err != nil {
		t.Fatal(err)
	}
	r.clip = r.atom(t, "CLIPBOARD")
	go func() {
		for {
			ev, err := conn.WaitForEvent()
			if ev == nil && err == nil {
				return
			}
			if ev != nil {
				r.events <- ev
			}
		}
	}()
	return r
}

func (r *x11Reader) atom(t *testing.T, name string) xproto.Atom {
	t.Helper()
	a, err := xproto.InternAtom(r.conn, false, uint16(len(name)), name).Reply()
	if err != nil {
		t.Fatal(err)
	}
	return a.Atom
}

// convert asks the owner for target and returns the property's value.
func (r *x11Reader) convert(t *testing.T, target string) *xproto.GetPropertyReply {
	t.Helper()
	prop := r.atom(t, "CREDWB_TEST")
	xproto.ConvertSelection(r.conn, r.win, r.clip, r.atom(t, target), prop, xproto.TimeCurrentTime)
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev := <-r.events:
			n, ok := ev.(xproto.SelectionNotifyEvent)
			if !ok {
				continue
			}
			if n.Property == xproto.AtomNone {
				t.Fatalf("the clipboard owner refused %s", target)
			}
			p, err := xproto.GetProperty(r.conn, true, r.win, prop, xproto.GetPropertyTypeAny, 0, 1<<16).Reply()
			if err != nil {
				t.Fatal(err)
			}
			return p
		case <-timeout:
			t.Fatalf("no answer for %s", target)
		}
	}
}

func (r *x11Reader) read(t *testing.T, target string) string {
	return string(r.convert(t, target).Value)
}

func (r *x11Reader) targets(t *testing.T) []string {
	p := r.convert(t, "TARGETS")
	var out []string
	for i := 0; i+4 <= len(p.Value); i += 4 {
		n, err := xproto.GetAtomName(r.conn, xproto.Atom(xgb.Get32(p.Value[i:]))).Reply()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n.Name)
	}
	return out
}

func (r *x11Reader) owner(t *testing.T) xproto.Window {
	t.Helper()
	o, err := xproto.GetSelectionOwner(r.conn, r.clip).Reply()
	if err != nil {
		t.Fatal(err)
	}
	return o.Owner
}

// take copies something of the reader's own.
func (r *x11Reader) take(t *testing.T) {
	t.Helper()
	if err := xproto.SetSelectionOwnerChecked(r.conn, r.win, r.clip, xproto.TimeCurrentTime).Check(); err != nil {
		t.Fatal(err)
	}
}

//go:build linux || freebsd || openbsd || netbsd

package ui

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// On X11 (and Wayland through XWayland, where the workbench's GLFW window
// lives) the copied token is offered on the CLIPBOARD selection by a
// connection of our own, so that besides the text it can carry
// x-kde-passwordManagerHint = "secret": clipboard managers that honour
// it (KDE's Klipper, and others that follow KDE's convention) keep the
// token out of their history. Fyne's clipboard cannot add such a target.

const x11PasswordHint = "x-kde-passwordManagerHint"

// x11Offer owns the CLIPBOARD selection for one text until another
// client takes it or Release is called.
type x11Offer struct {
	conn  *xgb.Conn
	win   xproto.Window
	atoms map[string]xproto.Atom
	text  []byte
	owned atomic.Bool
	once  sync.Once
	done  chan struct{} // closed when the event loop ends
}

// offerSecretX11 puts text on the X11 clipboard with the password
// manager hint. It fails without an X display.
func offerSecretX11(text string) (secretOffer, error) {
	if os.Getenv("DISPLAY") == "" {
		return nil, errors.New("no X display")
	}
	conn, err := xgb.NewConn()
	if err != nil {
		return nil, err
	}
	o := &x11Offer{conn: conn, text: []byte(text), atoms: map[string]xproto.Atom{}, done: make(chan struct{})}
	if err := o.start(); err != nil {
		conn.Close()
		return nil, err
	}
	go o.serve()
	return o, nil
}

func (o *x11Offer) start() error {
	for _, name := range []string{"CLIPBOARD", "TARGETS", "UTF8_STRING", "TEXT", "STRING", "text/plain;charset=utf-8", "text/plain", x11PasswordHint, "ATOM"} {
		r, err := xproto.InternAtom(o.conn, false, uint16(len(name)), name).Reply() // #nosec G115 -- the short constant names above
		if err != nil {
			return err
		}
		o.atoms[name] = r.Atom
	}
	screen := xproto.Setup(o.conn).DefaultScreen(o.conn)
	win, err := xproto.NewWindowId(o.conn)
	if err != nil {
		return err
	}
	o.win = win
	if err := xproto.CreateWindowChecked(o.conn, screen.RootDepth, win, screen.Root, 0, 0, 1, 1, 0,
		xproto.WindowClassInputOutput, screen.RootVisual, 0, nil).Check(); err != nil {
		return err
	}
	if err := xproto.SetSelectionOwnerChecked(o.conn, win, o.atoms["CLIPBOARD"], xproto.TimeCurrentTime).Check(); err != nil {
		return err
	}
	r, err := xproto.GetSelectionOwner(o.conn, o.atoms["CLIPBOARD"]).Reply()
	if err != nil || r.Owner != win {
		return errors.New("the X server did not give us the clipboard")
	}
	o.owned.Store(true)
	return nil
}

// serve answers requests for the clipboard until it is taken or released.
func (o *x11Offer) serve() {
	defer close(o.done)
	defer o.conn.Close()
	for {
		ev, err := o.conn.WaitForEvent()
		if ev == nil && err == nil {
			return // the connection was closed
		}
		switch e := ev.(type) {
		case xproto.SelectionRequestEvent:
			o.answer(e)
		case xproto.SelectionClearEvent:
			o.owned.Store(false) // someone else copied: their content now
			return
		}
	}
}

func (o *x11Offer) answer(e xproto.SelectionRequestEvent) {
	prop := e.Property
	if prop == xproto.AtomNone {
		prop = e.Target // an obsolete requestor (ICCCM 2.2)
	}
	switch e.Target {
	case o.atoms["TARGETS"]:
		names := []string{"TARGETS", "UTF8_STRING", "TEXT", "STRING", "text/plain;charset=utf-8", "text/plain", x11PasswordHint}
		data := make([]byte, 4*len(names))
		for i, n := range names {
			xgb.Put32(data[4*i:], uint32(o.atoms[n]))
		}
		xproto.ChangeProperty(o.conn, xproto.PropModeReplace, e.Requestor, prop, o.atoms["ATOM"], 32, uint32(len(names)), data) // #nosec G115 -- seven names
	case o.atoms[x11PasswordHint]:
		xproto.ChangeProperty(o.conn, xproto.PropModeReplace, e.Requestor, prop, o.atoms["UTF8_STRING"], 8, 6, []byte("secret"))
	case o.atoms["UTF8_STRING"], o.atoms["TEXT"], o.atoms["STRING"], o.atoms["text/plain;charset=utf-8"], o.atoms["text/plain"]:
		typ := e.Target
		if typ == o.atoms["TEXT"] {
			typ = o.atoms["UTF8_STRING"]
		}
		// #nosec G115 -- an access token, capped at the IdP answer limit (1 MiB)
		xproto.ChangeProperty(o.conn, xproto.PropModeReplace, e.Requestor, prop, typ, 8, uint32(len(o.text)), o.text)
	default:
		prop = xproto.AtomNone // a target we do not offer
	}
	n := xproto.SelectionNotifyEvent{Time: e.Time, Requestor: e.Requestor, Selection: e.Selection, Target: e.Target, Property: prop}
	xproto.SendEvent(o.conn, false, e.Requestor, xproto.EventMaskNoEvent, string(n.Bytes()))
}

// Owned reports whether the clipboard still holds our text.
func (o *x11Offer) Owned() bool { return o.owned.Load() }

// Release takes the text off the clipboard if it is still ours: the
// clipboard is then empty.
func (o *x11Offer) Release() {
	o.once.Do(func() {
		if o.owned.Swap(false) {
			_ = xproto.SetSelectionOwnerChecked(o.conn, xproto.WindowNone, o.atoms["CLIPBOARD"], xproto.TimeCurrentTime).Check()
		}
		o.conn.Close()
		<-o.done
	})
}

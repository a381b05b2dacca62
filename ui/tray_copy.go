package ui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2/driver/desktop"

	"github.com/credworkbench/credworkbench/oauthflow"
)

// clipboardClearAfter is how long a copied access token stays on the
// clipboard.
const clipboardClearAfter = 60 * time.Second

// clipboardGuard puts access tokens on the clipboard and takes them off
// again after clipboardClearAfter, unless the user copied something else
// meanwhile. It remembers the last token, in memory only and only until
// the clearing, to tell whether the clipboard still holds it.
type clipboardGuard struct {
	w     *Workbench
	clock Clock
	last  string      // the token put there last ("" once cleared)
	stop  func() bool // the pending clearing
	// offer puts a token on the system clipboard marked as secret for
	// clipboard histories and password managers; nil, or an error, and
	// the token goes through Fyne's clipboard as plain text.
	offer func(string) (secretOffer, error)
	held  secretOffer // the marked token on the clipboard, if any
}

// secretOffer is a token on the system clipboard that is marked secret.
type secretOffer interface {
	Owned() bool // the clipboard still holds it
	Release()    // take it off the clipboard if it is still there
}

func newClipboardGuard(w *Workbench, c Clock) *clipboardGuard {
	g := &clipboardGuard{w: w, clock: c}
	if _, desk := w.app.Driver().(desktop.Driver); desk {
		// The real window's clipboard is the system's; the test driver's
		// is in memory and stays so.
		g.offer = offerSecretX11 // clipboard_secret_*.go
	}
	return g
}

// copyToken fetches the profile's token (from the shared store when a
// valid one is there: no IdP request) off the UI goroutine and copies it.
func (g *clipboardGuard) copyToken(src TokenSource, id, name string) {
	if src == nil {
		return
	}
	finish := g.w.bar.startWork(name + ": getting the access token…")
	go func() {
		ctx, cancel := context.WithTimeout(g.w.ctx, opTimeout) // ends with the workbench
		defer cancel()
		tok, _, err := src.FetchToken(ctx, id, oauthflow.TokenOptions{})
		g.w.do(func() {
			finish()
			if err != nil || tok == nil || tok.AccessToken == "" {
				if err == nil {
					err = errors.New("the IdP returned no access token")
				}
				msg := name + ": cannot copy the access token: " + failureText(err)
				g.w.bar.set(msg)
				g.w.agent.notes.send(noteAction, "Access token not copied", msg)
				return
			}
			g.put(tok.AccessToken)
			g.w.bar.set(name + ": access token copied; the clipboard is cleared in 60 s")
		})
	}()
}

// put copies token and schedules the clearing.
func (g *clipboardGuard) put(token string) {
	if g.held != nil {
		g.held.Release()
		g.held = nil
	}
	if o, err := g.marked(token); err == nil {
		g.held = o
	} else {
		g.w.app.Clipboard().SetContent(token)
	}
	g.last = token
	if g.stop != nil {
		g.stop()
	}
	g.stop = g.clock.AfterFunc(clipboardClearAfter, func() {
		g.w.do(func() { g.clear(token) })
	})
}

// clear empties the clipboard if it still holds token.
func (g *clipboardGuard) clear(token string) {
	if token == "" || g.last != token {
		return // a later copy has its own clearing
	}
	if g.stop != nil {
		g.stop()
	}
	g.last, g.stop = "", nil
	if g.held != nil {
		g.held.Release() // only if still ours: a later copy elsewhere stays
		g.held = nil
		return
	}
	cb := g.w.app.Clipboard()
	if cb.Content() == token {
		cb.SetContent("")
	}
}

// marked puts token on the clipboard through offer.
func (g *clipboardGuard) marked(token string) (secretOffer, error) {
	if g.offer == nil {
		return nil, errors.New("no marked clipboard")
	}
	return g.offer(token)
}

// failureText is an error for a status line: a Failure's own text (which
// never carries a secret), else the error.
func failureText(err error) string {
	if f, ok := oauthflow.AsFailure(err); ok {
		return f.Error()
	}
	return err.Error()
}

package idp

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// fuzzState is the state the fuzzed callbacks must match.
const fuzzState = "Zm9vYmFyLXN0YXRlLTEyMzQ1Njc4OQ"

// errorPageTags is how many '<' a failure page has of its own: any more came
// from the request.
var errorPageTags = func() int {
	rec := httptest.NewRecorder()
	writePage(rec, http.StatusBadRequest, pageFailed("plain reason"))
	return strings.Count(rec.Body.String(), "<")
}()

// FuzzCallbackQuery drives the loopback listener's handler with arbitrary
// query strings from the browser the login started in: it never panics,
// takes a callback only with the exact state (others are answered 400 and
// do not use up the slot), accepts a code only then, sends the browser on to
// /done, and never puts markup from the request into a page.
func FuzzCallbackQuery(f *testing.F) {
	f.Fuzz(func(t *testing.T, rawQuery string) {
		l, err := ListenLogin(0, fuzzState, "https://idp.example")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		// The requests are served in-process, without a socket to trace:
		// this fuzzes the query handling behind the owner check (peer.go).
		l.peers.lookup = func(string, string) (int, bool) { return os.Getuid(), true }
		l.Respond(nil) // the exchange "succeeded": a success page must not wait
		addr := l.ln.Addr().String()
		serve := func() *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, "http://"+addr+"/callback", nil)
			req.URL.RawQuery = rawQuery
			req.AddCookie(&http.Cookie{Name: l.cookieName, Value: l.cookieValue})
			rec := httptest.NewRecorder()
			done := make(chan struct{})
			go func() { defer close(done); l.ServeHTTP(rec, req) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("the handler hangs on %q", rawQuery)
			}
			return rec
		}
		rec := serve()
		q, _ := url.ParseQuery(rawQuery)
		var cb Callback
		select {
		case cb = <-l.got:
		default:
			// Not taken: only a response without the exact state.
			if q.Get("state") == fuzzState {
				t.Fatalf("query %q: the login's state, but no callback was delivered", rawQuery)
			}
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("query %q: a foreign response answered %d", rawQuery, rec.Code)
			}
			if n := strings.Count(rec.Body.String(), "<"); n != errorPageTags {
				t.Fatalf("query %q: markup got into the page:\n%s", rawQuery, rec.Body.String())
			}
			return
		}
		if q.Get("state") != fuzzState {
			t.Fatalf("query %q: taken with state %q", rawQuery, q["state"])
		}
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != donePath {
			t.Fatalf("query %q: answered %d to %q, want 303 to /done", rawQuery, rec.Code, rec.Header().Get("Location"))
		}
		l.lmu.Lock()
		page := l.donePage
		l.lmu.Unlock()
		switch {
		case cb.Err == nil:
			if cb.Code == "" {
				t.Fatalf("query %q: accepted without a code", rawQuery)
			}
			if q.Get("error") != "" {
				t.Fatalf("query %q: accepted although it carries an error", rawQuery)
			}
			if iss := q.Get("iss"); iss != "" && iss != l.issuer {
				t.Fatalf("query %q: accepted from issuer %q", rawQuery, iss)
			}
			if page == nil || !page.OK {
				t.Fatalf("query %q: success shows %+v", rawQuery, page)
			}
		default:
			if cb.Code != "" {
				t.Fatalf("query %q: a failure carries code %q", rawQuery, cb.Code)
			}
			if cb.Err.Category == "" || cb.Err.Message == "" {
				t.Fatalf("query %q: uncategorized failure %+v", rawQuery, cb.Err)
			}
			done := httptest.NewRecorder()
			l.serveDone(done)
			if n := strings.Count(done.Body.String(), "<"); n != errorPageTags {
				t.Fatalf("query %q: the page has %d '<', its own template %d: markup got in:\n%s", rawQuery, n, errorPageTags, done.Body.String())
			}
			if strings.ContainsAny(cb.Err.Error(), "\x00\n\r") {
				t.Fatalf("query %q: control characters in %q", rawQuery, cb.Err.Error())
			}
		}
		// A second callback, whatever it says, changes nothing.
		rec2 := serve()
		if rec2.Code != http.StatusConflict {
			t.Fatalf("second callback answered %d", rec2.Code)
		}
		select {
		case cb2 := <-l.got:
			t.Fatalf("a second callback was accepted: %+v", cb2)
		default:
		}
	})
}

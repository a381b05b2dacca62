package oauthflow

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
)

// Fuzz targets of the code that reads what others send us: tokens, the
// browser's callback and token endpoint answers. Seeds live in
// testdata/fuzz/<Name>/; `make fuzz` explores from them, `go test` replays them.

// fuzzJWT builds an unsigned JWT around a header and a payload.
func fuzzJWT(header, payload []byte) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc(header) + "." + enc(payload) + ".c2ln"
}

// decodeObject is what a JSON object decodes to with numbers kept exact, or
// nil when b is not one JSON object.
func decodeObject(b []byte) map[string]any {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if d.Decode(&m) != nil {
		return nil
	}
	return m
}

// FuzzInspect feeds Inspect arbitrary tokens, JWTs around arbitrary JSON and
// arbitrary claim paths: it must never panic, must decode exactly the JWTs
// whose parts are JSON objects, and ClaimValue must follow a path the way
// ParseClaimPath splits it.
func FuzzInspect(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string, payload []byte, userPath, rolesPath string) {
		p := credentials.Profile{UsernameClaim: userPath, RolesClaim: rolesPath, TenantClaim: rolesPath}

		// 1. Any string as a token.
		info := Inspect(raw, p)
		if info == nil {
			t.Fatal("Inspect returned nil")
		}
		if info.Opaque != (info.Claims == nil) {
			t.Fatalf("Opaque %v but claims %v", info.Opaque, info.Claims)
		}
		if info.Opaque && (info.Username != "" || len(info.Roles) > 0 || info.Header != nil) {
			t.Fatalf("an opaque token yielded claims: %+v", info)
		}

		// 2. A JWT whose payload is the fuzzed bytes.
		tok := fuzzJWT([]byte(`{"alg":"none","typ":"JWT"}`), payload)
		info = Inspect(tok, p)
		want := decodeObject(payload)
		if (want == nil) != info.Opaque {
			t.Fatalf("payload %q: Opaque = %v, but it is %sa JSON object", payload, info.Opaque, map[bool]string{true: "not ", false: ""}[want == nil])
		}
		if want != nil && !reflect.DeepEqual(info.Claims, want) {
			t.Fatalf("claims %v, want %v", info.Claims, want)
		}
		if info.Opaque {
			return
		}
		if info.TokenType != "JWT" {
			t.Fatalf("header typ read as %q", info.TokenType)
		}
		for _, r := range info.Roles {
			if r == "" {
				t.Fatalf("empty role in %q", info.Roles)
			}
		}
		_ = ClaimWarnings(info, p)

		// 3. ClaimValue walks exactly the keys ParseClaimPath gives.
		for _, path := range []string{userPath, rolesPath} {
			got, ok := ClaimValue(info.Claims, path)
			keys, err := credentials.ParseClaimPath(path)
			if err != nil {
				if ok {
					t.Fatalf("ClaimValue accepted the invalid path %q", path)
				}
				continue
			}
			var cur any = info.Claims
			found := true
			for _, k := range keys {
				m, isMap := cur.(map[string]any)
				if !isMap {
					found = false
					break
				}
				if cur, found = m[k]; !found {
					break
				}
			}
			if ok != found || (ok && !reflect.DeepEqual(got, cur)) {
				t.Fatalf("ClaimValue(%q) = %v, %v; walking %q gives %v, %v", path, got, ok, keys, cur, found)
			}
			// A configured username path that holds a non-empty string is the username.
			if path == userPath && ok {
				if s, isStr := got.(string); isStr && s != "" && info.Username != s {
					t.Fatalf("username claim %q holds %q but Username = %q", path, s, info.Username)
				}
			}
		}
	})
}

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
		l, err := listenLoopback(0, fuzzState, "https://idp.example")
		if err != nil {
			t.Fatal(err)
		}
		defer l.close()
		// The requests are served in-process, without a socket to trace:
		// this fuzzes the query handling behind the owner check (peer.go).
		l.peers.lookup = func(string, string) (int, bool) { return os.Getuid(), true }
		l.respond(nil) // the exchange "succeeded": a success page must not wait
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
		var cb callback
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
		l.mu.Lock()
		page := l.donePage
		l.mu.Unlock()
		switch {
		case cb.err == nil:
			if cb.code == "" {
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
			if cb.code != "" {
				t.Fatalf("query %q: a failure carries code %q", rawQuery, cb.code)
			}
			if cb.err.Category == "" || cb.err.Message == "" {
				t.Fatalf("query %q: uncategorized failure %+v", rawQuery, cb.err)
			}
			done := httptest.NewRecorder()
			l.serveDone(done)
			if n := strings.Count(done.Body.String(), "<"); n != errorPageTags {
				t.Fatalf("query %q: the page has %d '<', its own template %d: markup got in:\n%s", rawQuery, n, errorPageTags, done.Body.String())
			}
			if strings.ContainsAny(cb.err.Error(), "\x00\n\r") {
				t.Fatalf("query %q: control characters in %q", rawQuery, cb.err.Error())
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

// tokenEndpoint is one misbehaving token endpoint shared by the fuzz runs
// of a process; the answer is swapped per input.
type fuzzAnswer struct {
	status int
	ctype  string
	body   []byte
}

var fuzzIdP struct {
	once sync.Once
	srv  *httptest.Server
	mu   sync.Mutex
	ans  fuzzAnswer
}

func fuzzTokenURL() string {
	fuzzIdP.once.Do(func() {
		fuzzIdP.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fuzzIdP.mu.Lock()
			a := fuzzIdP.ans
			fuzzIdP.mu.Unlock()
			if a.ctype != "" {
				w.Header().Set("Content-Type", a.ctype)
			}
			w.WriteHeader(a.status)
			_, _ = w.Write(a.body)
		}))
	})
	return fuzzIdP.srv.URL + "/token"
}

var fuzzContentTypes = []string{"application/json", "application/json; charset=utf-8", "text/html",
	"text/plain", "application/x-www-form-urlencoded", "", "text/html; charset=utf-8", "application/problem+json"}

// FuzzTokenResponse makes the token endpoint answer with arbitrary bodies,
// statuses and content types: the client-credentials fetch ends Active with
// a token or Failed with a categorized failure, never panics, and its
// message carries no markup and never the client secret.
func FuzzTokenResponse(f *testing.F) {
	const secret = "fuzz-secret-7d1e0b"
	f.Fuzz(func(t *testing.T, body []byte, statusSel uint16, ctypeSel uint8) {
		status := 200 + int(statusSel)%400
		fuzzIdP.mu.Lock()
		fuzzIdP.ans = fuzzAnswer{status: status, ctype: fuzzContentTypes[int(ctypeSel)%len(fuzzContentTypes)], body: body}
		fuzzIdP.mu.Unlock()
		s := NewService(&credentials.Repository{Secrets: credentials.NewSecrets(testenv.NewMemKeyring())}, nil, nil)
		defer s.Close()
		s.HTTPTimeout = 5 * time.Second
		p := credentials.Profile{Name: "fuzz", Type: credentials.TypeApplication, TokenURL: fuzzTokenURL(),
			ClientID: "fuzz-client", Scope: "api:read", AuthMethod: credentials.AuthPost}
		sec := secret
		tok, res, err := s.fetchClientCredentials(context.Background(), p, &sec)
		if err == nil {
			if tok == nil || tok.AccessToken == "" || !res.Active() || res.Failure != nil {
				t.Fatalf("status %d body %q: success without a token: %+v %+v", status, body, tok, res)
			}
			return
		}
		fl, ok := AsFailure(err)
		if !ok || res.Failure == nil || res.Status != credentials.StatusFailed || fl.Category == "" || fl.Message == "" {
			t.Fatalf("status %d body %q: not a categorized failure: %v (%T) %+v", status, body, err, err, res)
		}
		if fl.Category == CatOther && status < 300 {
			t.Logf("uncategorized: %v", fl)
		}
		for _, txt := range []string{fl.Error(), fl.Message, fl.IdPError, fl.IdPDescription} {
			if strings.Contains(txt, "<") {
				t.Fatalf("status %d body %q: markup reaches the message %q", status, body, txt)
			}
			if strings.Contains(txt, secret) {
				t.Fatalf("the secret reaches the message %q", txt)
			}
		}
	})
}

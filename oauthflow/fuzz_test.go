package oauthflow

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
		tok, res, err := (protocol{s}).fetchClientCredentials(context.Background(), p, &sec)
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

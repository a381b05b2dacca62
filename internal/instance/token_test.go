package instance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// claimAgent claims an instance in a fresh folder with fn answering token
// requests.
func claimAgent(t *testing.T, fn TokenFunc) (string, *Instance) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "rt")
	in, err := Claim("credworkbench-test", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	if fn != nil {
		in.OnToken(fn)
	}
	return dir, in
}

var okAnswer = TokenAnswer{Status: TokenOK, Profile: &TokenProfile{ID: "0123456789abcdef", Name: "api", Type: "application"},
	Token: &TokenValue{AccessToken: "tok-123", TokenType: "Bearer", Expiry: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), Cached: true}}

// One round trip: the request arrives as sent, the answer as given.
func TestTokenRequestAnswered(t *testing.T) {
	var got TokenRequest
	dir, _ := claimAgent(t, func(_ context.Context, q TokenRequest) TokenAnswer { got = q; return okAnswer })
	q := TokenRequest{Profile: "My API ✓", Store: "/home/u/.config/credworkbench/profiles.json", Helper: true}
	a, err := askToken(dir, q, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got != q {
		t.Errorf("the agent got %+v, want %+v", got, q)
	}
	if a.V != TokenVersion || a.Status != TokenOK || *a.Token != *okAnswer.Token || *a.Profile != *okAnswer.Profile {
		t.Errorf("answer %+v", a)
	}

	failed := TokenAnswer{Status: TokenFailed, Profile: okAnswer.Profile, Error: &TokenError{Text: "not logged in", Category: "login"}}
	dir2, _ := claimAgent(t, func(context.Context, TokenRequest) TokenAnswer { return failed })
	if a, err := askToken(dir2, q, 5*time.Second); err != nil || a.Status != TokenFailed || a.Error.Text != "not logged in" {
		t.Errorf("failed answer: %+v %v", a, err)
	}
}

// Before the workbench wires its token source, and for an answer that
// breaks the protocol, the request is declined: credctl asks the keyring.
func TestTokenDeclined(t *testing.T) {
	dir, in := claimAgent(t, nil)
	q := TokenRequest{Profile: "api", Store: "/s"}
	if a, err := askToken(dir, q, 5*time.Second); err != nil || a.Status != TokenDeclined {
		t.Fatalf("without an answerer: %+v %v", a, err)
	}
	in.OnToken(func(context.Context, TokenRequest) TokenAnswer { return TokenAnswer{Status: TokenOK} }) // no token
	if a, err := askToken(dir, q, 5*time.Second); err != nil || a.Status != TokenDeclined || a.Token != nil {
		t.Fatalf("a malformed answer: %+v %v", a, err)
	}
}

// Junk, other versions, unknown fields, a missing secret part and lines
// over the cap get no answer and never reach the token source; the socket
// still answers afterwards.
func TestTokenJunkAndOversizeIgnored(t *testing.T) {
	var calls atomic.Int32
	dir, _ := claimAgent(t, func(context.Context, TokenRequest) TokenAnswer { calls.Add(1); return okAnswer })
	for _, line := range []string{
		"token/1 {not json}",
		`token/2 {"profile":"api","store":"/s"}`,
		`token/1 {"profile":"api","store":"/s","fresh":true}`,
		`token/1 {"profile":"","store":"/s"}`,
		`token/1 {"profile":"api","store":"/s"} {"profile":"b","store":"/s"}`,
		`TOKEN/1 {"profile":"api","store":"/s"}`,
		`token/1 {"profile":"` + strings.Repeat("a", maxRequest) + `","store":"/s"}`,
		"\x00\xff\xfe",
	} {
		if reply := rawExchange(t, dir, line+"\n"); reply != "" {
			t.Errorf("%.40q was answered: %q", line, reply)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("junk reached the token source %d times", n)
	}
	if a, err := askToken(dir, TokenRequest{Profile: "api", Store: "/s"}, 5*time.Second); err != nil || a.Status != TokenOK {
		t.Fatalf("a good request after the junk: %+v %v", a, err)
	}
}

// rawExchange sends msg and returns whatever comes back before the close.
func rawExchange(t *testing.T, dir, msg string) string {
	t.Helper()
	c, _, err := dialAgent(dir, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	_, _ = c.Write([]byte(msg))
	b, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the agent neither answered nor closed: %q", msg)
	}
	return string(b)
}

// A hung agent (accepts, never answers) and one whose token source hangs
// cost the client its deadline, then it falls back.
func TestTokenHungAgentTimesOut(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	dir, _ := claimAgent(t, func(context.Context, TokenRequest) TokenAnswer { <-release; return okAnswer })
	start := time.Now()
	if _, err := askToken(dir, TokenRequest{Profile: "api", Store: "/s"}, 200*time.Millisecond); !errors.Is(err, ErrNoAgent) {
		t.Fatalf("hung token source: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the client waited %v with a 200 ms deadline", d)
	}
}

// askAs is the helper process of TestTokenOtherUserRefused: it sends a
// token request to sock and prints what came back.
func askAs(sock string) {
	c, err := net.DialTimeout("unix", sock, 5*time.Second)
	if err != nil {
		fmt.Println("dial:", err)
		os.Exit(2)
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.WriteString(c, tokenVerb+`{"profile":"api","store":"/s"}`+"\n")
	b, _ := io.ReadAll(c)
	fmt.Printf("reply:%s", b)
	os.Exit(0)
}

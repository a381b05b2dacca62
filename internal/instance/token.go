package instance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/internal/fileguard"
)

// The token request: credctl asks the running workbench for a profile's
// token in one round trip on the instance socket, instead of opening the
// store and the keyring itself. Hand-written and line based like "show":
//
//	request  "token/1 " [WINDOWS-TOKEN " "] JSON(TokenRequest) "\n"
//	answer   JSON(TokenAnswer) "\n", then the connection closes
//
// The version is in the verb: a workbench that does not know it (an older
// release, or a newer protocol) closes the connection without an answer,
// and the client falls back to the keyring, as it does on no socket, a
// stale one, a refusal, junk or a timeout. Nothing here is logged.

// tokenVerb starts a token request of this protocol version.
const tokenVerb = "token/1 "

// TokenVersion is the answer's version; an answer of another is ignored.
const TokenVersion = 1

// maxAnswer bounds what a client reads: a token set larger than this
// (JWTs are a few KiB) is fetched the usual way.
const maxAnswer = 1 << 20

// tokenAnswerTimeout bounds the agent's work on one request; the client
// gives up much sooner (its own deadline) and falls back.
const tokenAnswerTimeout = 30 * time.Second

// TokenRequest is what credctl sends: only the profile reference, the
// store it means (a credctl with another HOME must not get this store's
// tokens) and whether a protocol helper asks.
type TokenRequest struct {
	Profile string `json:"profile"`
	Store   string `json:"store"`
	Helper  bool   `json:"helper,omitempty"`
}

// Answer statuses.
const (
	TokenOK       = "ok"       // Token and Profile are set
	TokenFailed   = "failed"   // Error is the fetch's failure (Profile set)
	TokenDeclined = "declined" // ask the keyring: the agent cannot answer this
)

// TokenAnswer is the agent's reply.
type TokenAnswer struct {
	V       int           `json:"v"`
	Status  string        `json:"status"`
	Profile *TokenProfile `json:"profile,omitempty"`
	Token   *TokenValue   `json:"token,omitempty"`
	Error   *TokenError   `json:"error,omitempty"`
}

// TokenProfile is what the front ends need of the profile besides the token.
type TokenProfile struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	DPoP        bool   `json:"dpop,omitempty"`
	GitUsername string `json:"gitUsername,omitempty"`
	Tenant      string `json:"tenant,omitempty"`
}

// TokenValue is the access token (never logged, never in an error).
type TokenValue struct {
	AccessToken string    `json:"accessToken"`
	TokenType   string    `json:"tokenType,omitempty"`
	Expiry      time.Time `json:"expiry,omitzero"`
	Cached      bool      `json:"cached,omitempty"`
}

// TokenError is a categorised failure, field by field, so the client
// prints it and exits as it would have for its own fetch.
type TokenError struct {
	Text           string `json:"text"` // the error's whole text
	Category       string `json:"category"`
	Message        string `json:"message,omitempty"`
	Advice         string `json:"advice,omitempty"`
	IdPError       string `json:"idpError,omitempty"`
	IdPDescription string `json:"idpDescription,omitempty"`
	HTTPStatus     int    `json:"httpStatus,omitempty"`
	IdPCode        string `json:"idpCode,omitempty"`
	Fix            string `json:"fix,omitempty"`
	ProposedScope  string `json:"proposedScope,omitempty"`
	TraceID        string `json:"traceId,omitempty"`
	CorrelationID  string `json:"correlationId,omitempty"`
	Timestamp      string `json:"timestamp,omitempty"`
	RequestID      string `json:"requestId,omitempty"`
}

// TokenFunc answers a token request (the workbench's token source).
type TokenFunc func(ctx context.Context, q TokenRequest) TokenAnswer

// OnToken sets who answers token requests; until then (and with nil) they
// are declined.
func (in *Instance) OnToken(fn TokenFunc) {
	in.mu.Lock()
	in.onToken = fn
	in.mu.Unlock()
}

// ErrNoAgent is AskToken's error when no agent answered (none runs, a
// stale socket, an older workbench, a timeout, junk): ask the keyring.
var ErrNoAgent = errors.New("no workbench answered the token request")

// AskToken asks the running instance of app for a token, waiting at most
// timeout for the whole round trip. Any failure to get a well-formed
// answer is ErrNoAgent (the caller falls back); a declined answer is
// returned as it is.
func AskToken(app string, q TokenRequest, timeout time.Duration) (TokenAnswer, error) {
	dir, err := DefaultDir(app)
	if err != nil {
		return TokenAnswer{}, ErrNoAgent
	}
	return askToken(dir, q, timeout)
}

func askToken(dir string, q TokenRequest, timeout time.Duration) (TokenAnswer, error) {
	if !fileguard.IsOwnDir(dir) {
		return TokenAnswer{}, ErrNoAgent // nothing of ours runs there
	}
	body, err := json.Marshal(q)
	if err != nil {
		return TokenAnswer{}, ErrNoAgent
	}
	c, auth, err := dialAgent(dir, timeout)
	if err != nil {
		return TokenAnswer{}, ErrNoAgent
	}
	defer c.Close()
	// The answering process must be ours too (on Linux: its user ID).
	if !peerAllowed(c) {
		return TokenAnswer{}, ErrNoAgent
	}
	_ = c.SetDeadline(time.Now().Add(timeout))
	msg := make([]byte, 0, len(tokenVerb)+len(auth)+len(body)+1)
	msg = append(append(append(append(msg, tokenVerb...), auth...), body...), '\n')
	if _, err := c.Write(msg); err != nil {
		return TokenAnswer{}, ErrNoAgent
	}
	line, err := bufio.NewReader(io.LimitReader(c, maxAnswer)).ReadBytes('\n')
	if err != nil {
		return TokenAnswer{}, ErrNoAgent
	}
	var a TokenAnswer
	if json.Unmarshal(line, &a) != nil || !a.wellFormed() {
		return TokenAnswer{}, ErrNoAgent
	}
	return a, nil
}

// wellFormed: this version, a known status with what it promises.
func (a TokenAnswer) wellFormed() bool {
	if a.V != TokenVersion {
		return false
	}
	switch a.Status {
	case TokenOK:
		return a.Profile != nil && a.Token != nil && a.Token.AccessToken != ""
	case TokenFailed:
		return a.Profile != nil && a.Error != nil && a.Error.Text != "" && a.Error.Category != ""
	case TokenDeclined:
		return true
	}
	return false
}

// tokenRequest returns the JSON of a token request line (ok false: not one,
// or without this instance's secret on Windows).
func tokenRequest(msg string) (TokenRequest, bool) {
	rest, ok := strings.CutPrefix(msg, tokenVerb)
	if !ok {
		return TokenRequest{}, false
	}
	body, ok := checkAuth(rest)
	if !ok {
		return TokenRequest{}, false
	}
	var q TokenRequest
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if dec.Decode(&q) != nil || dec.More() || q.Profile == "" || q.Store == "" {
		return TokenRequest{}, false
	}
	return q, true
}

// answerToken writes the answer to q; a request that came before anyone
// could answer it is declined (the client asks the keyring).
func (in *Instance) answerToken(c net.Conn, q TokenRequest) {
	in.mu.Lock()
	fn := in.onToken
	in.mu.Unlock()
	a := TokenAnswer{Status: TokenDeclined}
	if fn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), tokenAnswerTimeout)
		a = fn(ctx, q)
		cancel()
	}
	a.V = TokenVersion
	if !a.wellFormed() {
		a = TokenAnswer{V: TokenVersion, Status: TokenDeclined}
	}
	b, err := json.Marshal(a)
	if err != nil {
		return
	}
	_ = c.SetWriteDeadline(time.Now().Add(2 * time.Second))
	_, _ = c.Write(append(b, '\n'))
}

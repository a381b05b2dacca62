package idpadmin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// maxAnswer caps what is read of one answer (a page of apps with their
// credentials is far smaller); a hostile server cannot exhaust memory.
const maxAnswer = 4 << 20

// maxText caps IdP text copied into an Error.
const maxText = 300

// httpAPI is the request plumbing the four APIs share.
type httpAPI struct{ conn Conn }

// errorParser turns an IdP's error answer into an *Error (Op, Status set by the caller).
type errorParser func(status int, body []byte) *Error

// call is one request: in (if not nil) is sent as JSON, a 2xx answer is
// decoded into out (if not nil). u is absolute or relative to BaseURL.
// secrets are redacted from any IdP text in the error.
func (h *httpAPI) call(ctx context.Context, op, method, u string, in, out any, parse errorParser, secrets ...string) (http.Header, error) {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return nil, &Error{Op: op, Code: CodeBadAnswer, Message: "cannot encode the request", Err: err}
		}
		body = bytes.NewReader(data)
	}
	if !strings.Contains(u, "://") {
		u = h.conn.BaseURL + u
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, &Error{Op: op, Code: CodeBadAnswer, Message: "bad request URL", Err: err}
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	scheme, token, err := h.conn.Token(ctx)
	if err != nil {
		return nil, &Error{Op: "token", Message: "no management token: " + failure.Sanitize(redact(err.Error(), token), maxText), Err: err}
	}
	req.Header.Set("Authorization", scheme+" "+token)
	resp, err := h.conn.Client.Do(req)
	if err != nil {
		return nil, &Error{Op: op, Code: CodeNetwork, Message: failure.Sanitize(redact(err.Error(), token), maxText), Err: ctxOr(ctx, err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, &Error{Op: op, Status: resp.StatusCode, Code: CodeNetwork, Message: "the answer was cut off", Err: ctxOr(ctx, err)}
	}
	if len(data) > maxAnswer {
		return nil, &Error{Op: op, Status: resp.StatusCode, Code: CodeBadAnswer, Message: fmt.Sprintf("the answer is larger than %d MiB", maxAnswer>>20)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := parse(resp.StatusCode, data)
		if e == nil {
			e = &Error{}
		}
		e.Op, e.Status = op, resp.StatusCode
		if e.Message == "" && e.Code == "" {
			e.Message = failure.Sanitize(string(data), maxText)
		}
		e.Message = redact(e.Message, append(secrets, token)...)
		e.Code = redact(failure.Sanitize(e.Code, 80), append(secrets, token)...)
		return resp.Header, e
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			msg := "the answer is not the JSON the API documents"
			if method != http.MethodGet {
				msg = "the IdP took the request, but " + msg + ": check the app at the IdP"
			}
			return resp.Header, &Error{Op: op, Status: resp.StatusCode, Code: CodeBadAnswer, Message: msg}
		}
	}
	return resp.Header, nil
}

// ctxOr prefers the context's error (cancelled, deadline) as the cause.
func ctxOr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// redact removes secrets (4 characters or more) from text.
func redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

// sanitized is IdP text fit for an Error.
func sanitized(s string) string { return failure.Sanitize(s, maxText) }

// pathEscape escapes one path segment.
func pathEscape(s string) string { return url.PathEscape(s) }

// sameURLHost reports whether next (a paging link) stays on base's origin,
// so a hostile answer cannot send the management token elsewhere.
func sameOrigin(base, next string) bool {
	b, err1 := url.Parse(base)
	n, err2 := url.Parse(next)
	return err1 == nil && err2 == nil && strings.EqualFold(b.Scheme, n.Scheme) && strings.EqualFold(b.Host, n.Host)
}

// maxPages bounds how many pages a listing follows.
const maxPages = 1000

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// activeUntil is StatusActive, or StatusInactive once end has passed.
func activeUntil(end *time.Time, now time.Time) string {
	if end != nil && !end.IsZero() && now.After(*end) {
		return StatusInactive
	}
	return StatusActive
}

// oneMatch is the single key ID that matched, or an "unidentified" error.
func oneMatch(match []string, why string) (string, error) {
	switch len(match) {
	case 1:
		return match[0], nil
	case 0:
		return "", &Error{Op: "identify", Code: CodeUnidentified,
			Message: "the stored secret matches none of the app's active secrets at the IdP (it may have been removed there)",
			Advice:  "test the profile; if its secret no longer works, rotate it at the IdP"}
	}
	return "", &Error{Op: "identify", Code: CodeUnidentified,
		Message: "the stored secret matches more than one of the app's secrets (" + why + ")",
		Advice:  "revoke the old secret by hand, or rotate once so the new secret's key ID is known"}
}

// goneIsDone: a failed revocation whose credential is not (or no longer)
// listed is done (already gone); so is a 404. Otherwise the error stands.
func goneIsDone(ctx context.Context, err error, c Client, a App, keyID string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if !errors.As(err, &e) || IsDenied(err) || e.Status == 0 || e.Status >= 500 {
		return err
	}
	if e.Status == http.StatusNotFound {
		return nil
	}
	creds, lerr := c.Credentials(ctx, a)
	if lerr != nil {
		return err
	}
	for _, cr := range creds {
		if cr.KeyID == keyID {
			return err
		}
	}
	return nil
}

// withOp relabels the step of an *Error (a lookup done for another step).
func withOp(err error, op string) error {
	var e *Error
	if errors.As(err, &e) && e.Op != "token" {
		e.Op = op
	}
	return err
}

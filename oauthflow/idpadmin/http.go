package idpadmin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

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
			return resp.Header, &Error{Op: op, Status: resp.StatusCode, Code: CodeBadAnswer, Message: "the answer is not the JSON the API documents"}
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

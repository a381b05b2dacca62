package failure

import "fmt"

// The HTTP layer's refusals (oauthflow/httpclient returns them), typed here
// so Classify can name them without importing the layer that makes them.

// MaxResponse is the largest answer accepted from an IdP (token,
// discovery, revocation). A token response is a few KiB; anything near this
// size is not a token endpoint.
const MaxResponse = 1 << 20

// ErrBodyTooLarge is returned while reading an IdP answer that exceeds
// MaxResponse. oauth2 flattens body-read errors into text, so Classify also
// recognises its message.
var ErrBodyTooLarge = fmt.Errorf("the answer is larger than %d KiB", MaxResponse>>10)

// CrossHostRedirectError refuses to follow a redirect to another host: the
// request may carry the client secret or a bearer token.
type CrossHostRedirectError struct{ From, To string }

func (e *CrossHostRedirectError) Error() string {
	return fmt.Sprintf("the server at %s redirected to another host (%s); not followed, so no credentials go there", e.From, e.To)
}

// RedirectLoopError is an endpoint that keeps redirecting.
type RedirectLoopError struct {
	Host string
	N    int
}

func (e *RedirectLoopError) Error() string {
	return fmt.Sprintf("the server at %s redirected %d times without answering; this URL is not a working endpoint", e.Host, e.N)
}

// ProxyStatusError is a proxy's refusal of a CONNECT request (net/http only
// gives the status text, so it is typed through OnProxyConnectResponse).
type ProxyStatusError struct {
	Status int
	Text   string
}

func (e *ProxyStatusError) Error() string {
	return fmt.Sprintf("the proxy refused the connection: %d %s", e.Status, e.Text)
}

// HTMLAnswerError is an IdP endpoint answering with a web page.
type HTMLAnswerError struct{ Status int }

func (e *HTMLAnswerError) Error() string {
	return fmt.Sprintf("the endpoint answered with an HTML page (HTTP %d), not a token response: this URL is not the token endpoint", e.Status)
}

package idp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// Pushed authorization requests (RFC 9126): the authorization parameters
// go to the IdP over the back channel with client authentication, and the
// browser carries only client_id and the request_uri the IdP answered.

// PARMetadata is what discovery says about PAR and request objects.
type PARMetadata struct {
	Endpoint string `json:"pushed_authorization_request_endpoint"`
	// Required: the IdP takes authorization requests only through PAR.
	Required bool `json:"require_pushed_authorization_requests"`
	// RequestObjectAlgs are request_object_signing_alg_values_supported (RFC 9101 §10.5).
	RequestObjectAlgs []string `json:"request_object_signing_alg_values_supported"`
	// RequestObjectRequired: require_signed_request_object (RFC 9101 §10.5).
	RequestObjectRequired bool `json:"require_signed_request_object"`
}

// maxPARAnswer bounds the PAR endpoint's answer (a request_uri and a number).
const maxPARAnswer = 64 << 10

// PushedRequest is the IdP's answer to a pushed authorization request.
type PushedRequest struct {
	RequestURI string
	ExpiresIn  int
}

// PARClient is how the client authenticates at the PAR endpoint: like at
// the token endpoint (RFC 9126 §2). A private_key_jwt assertion is added by
// the HTTP client's transport; a public client sends only its client_id.
type PARClient struct {
	ID     string
	Secret string
	Style  oauth2.AuthStyle
}

// PushAuthorization posts params to endpoint and returns the request_uri.
// The failure never carries the secret or the parameters.
func PushAuthorization(ctx context.Context, client *http.Client, endpoint string, params url.Values, c PARClient) (PushedRequest, *failure.Failure) {
	form := url.Values{}
	for k, v := range params {
		form[k] = v
	}
	form.Set("client_id", c.ID)
	if c.Secret != "" && c.Style == oauth2.AuthStyleInParams {
		form.Set("client_secret", c.Secret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return PushedRequest{}, &failure.Failure{Category: failure.CatConfig, Err: err, Message: "the pushed authorization request endpoint " + failure.Sanitize(endpoint, 200) + " is not a usable URL"}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if c.Secret != "" && c.Style != oauth2.AuthStyleInParams {
		// RFC 6749 §2.3.1: both parts form-encoded before Basic.
		req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	}
	resp, err := client.Do(req)
	if err != nil {
		f := failure.Classify(err)
		failure.Redact(f, c.Secret)
		return PushedRequest{}, f
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPARAnswer+1))
	if err != nil {
		return PushedRequest{}, failure.Classify(err)
	}
	if len(body) > maxPARAnswer {
		return PushedRequest{}, &failure.Failure{Category: failure.CatEndpoint, HTTPStatus: resp.StatusCode,
			Message: "the pushed authorization request endpoint answered with more than 64 KiB: this is not a PAR answer; check the IdP's pushed_authorization_request_endpoint"}
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return PushedRequest{}, parRefusal(resp, body, c.Secret)
	}
	var out struct {
		RequestURI string `json:"request_uri"`
		ExpiresIn  any    `json:"expires_in"`
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err := json.Unmarshal(body, &out); err != nil || out.RequestURI == "" || ct != "application/json" {
		return PushedRequest{}, &failure.Failure{Category: failure.CatEndpoint, HTTPStatus: resp.StatusCode,
			Message: fmt.Sprintf("the pushed authorization request endpoint answered HTTP %d without a request_uri (RFC 9126 §2.2): check that %s is the IdP's PAR endpoint",
				resp.StatusCode, failure.Sanitize(endpoint, 200))}
	}
	if len(out.RequestURI) > 2048 || strings.ContainsFunc(out.RequestURI, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return PushedRequest{}, &failure.Failure{Category: failure.CatEndpoint,
			Message: "the pushed authorization request endpoint answered a request_uri that is not a printable URI of at most 2048 characters"}
	}
	n, _ := out.ExpiresIn.(float64)
	return PushedRequest{RequestURI: out.RequestURI, ExpiresIn: int(n)}, nil
}

// parRefusal diagnoses an error answer of the PAR endpoint in the token
// endpoint's terms (it authenticates the client the same way), then says
// it was the PAR step.
func parRefusal(resp *http.Response, body []byte, secret string) *failure.Failure {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &e)
	f := failure.Classify(&oauth2.RetrieveError{Response: resp, Body: body, ErrorCode: e.Error, ErrorDescription: e.Description})
	failure.Redact(f, secret)
	switch e.Error {
	case "invalid_client", "unauthorized_client":
		f.Category = failure.CatCredentials
		f.Message = "the IdP refused the client at its pushed authorization request endpoint (RFC 9126): check the client ID and its secret or key"
	case "invalid_request_object":
		f.Category = failure.CatConfig
		f.Message = "the IdP refused the signed request object (RFC 9101): the public key of the profile's certificate must be registered for this client at the IdP, " +
			"with a signing algorithm it accepts"
	case "invalid_request", "invalid_scope", "invalid_target", "invalid_redirect_uri":
		f.Message = "the IdP refused the pushed authorization request: " + f.Message
	default:
		f.Message = "the pushed authorization request failed: " + f.Message
	}
	return f
}

// PushedAuthURL is the browser's authorization URL after PAR: only
// client_id and request_uri (RFC 9126 §4).
func PushedAuthURL(authURL, clientID, requestURI string) (string, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return "", errors.New("the authorization endpoint URL cannot be parsed")
	}
	q := u.Query() // an endpoint may carry its own query (e.g. a policy)
	q.Set("client_id", clientID)
	q.Set("request_uri", requestURI)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

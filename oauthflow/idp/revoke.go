package idp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// Revoke asks p's revocation endpoint (RFC 7009) to revoke a refresh
// token, authenticating the client as the profile says (secret "" for a
// public client). x/oauth2 has no revocation, so this is by hand. The
// failure's message starts "logged out here, but": it is a logout's.
func Revoke(ctx context.Context, client *http.Client, p credentials.Profile, secret, rt string) *failure.Failure {
	form := url.Values{"token": {rt}, "token_type_hint": {"refresh_token"}}
	basic := false
	switch {
	case secret == "":
		form.Set("client_id", p.ClientID)
	case p.AuthMethod == credentials.AuthPost:
		form.Set("client_id", p.ClientID)
		form.Set("client_secret", secret)
	default:
		basic = true
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.RevocationURL, strings.NewReader(form.Encode()))
	if err != nil {
		return &failure.Failure{Category: failure.CatConfig, Err: err, Message: "logged out here, but the revocation endpoint URL is not valid"}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if basic {
		// RFC 6749 2.3.1: the credentials are form-encoded before Basic.
		req.SetBasicAuth(url.QueryEscape(p.ClientID), url.QueryEscape(secret))
	}
	resp, err := client.Do(req)
	if err != nil {
		f := failure.Classify(err)
		failure.Redact(f, secret, rt)
		return &failure.Failure{Category: f.Category, Err: f, Message: "logged out here, but the refresh token could not be revoked at the IdP: " + f.Message}
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body)
	code, desc := failure.Sanitize(body.Error, 64), failure.Sanitize(body.Description, failure.MaxDescription)
	f := &failure.Failure{Category: failure.CatEndpoint, HTTPStatus: resp.StatusCode, IdPError: code, IdPDescription: desc,
		Message: fmt.Sprintf("logged out here, but the IdP refused to revoke the refresh token (HTTP %d)", resp.StatusCode)}
	if code == "invalid_client" || resp.StatusCode == http.StatusUnauthorized {
		f.Category = failure.CatCredentials
	}
	failure.Redact(f, secret, rt)
	return f
}

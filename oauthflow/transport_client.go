package oauthflow

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/httpclient"
)

// transportClient returns an *http.Client for Go programs that calls with
// a saved transport's credential on the shared engine: the token is the one
// Service.Token gives (cached, renewed), put where the transport says —
// Authorization: Bearer, or a WS-Security header in each SOAP envelope —
// with the profile's tenant header, proxy and TLS settings. A transport
// with Authorization None gets a plain client.
func (tr *Transports) transportClient(ctx context.Context, nameOrID string) (*http.Client, error) {
	s := tr.s
	t, err := s.repo.Transports().Get(nameOrID)
	if err != nil {
		return nil, err
	}
	if t.Authorization == credentials.AuthNone {
		return &http.Client{CheckRedirect: httpclient.SameHostRedirects}, nil
	}
	if t.ProfileID == "" {
		return nil, &Failure{Category: CatConfig, Message: fmt.Sprintf("no credential selected for transport %q: %s", t.Name, checkSelectCredential)}
	}
	p, err := s.repo.Get(t.ProfileID)
	if err != nil {
		return nil, &Failure{Category: CatConfig, Message: fmt.Sprintf("no credential: the profile transport %q used was deleted", t.Name), Err: err}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	client, _, err := s.mgr.http.API(p) // a stored-settings refusal is already a *Failure
	if err != nil {
		return nil, failure.Classify(err)
	}
	if t.Type == credentials.TransportWSSOAP && t.TokenIn == credentials.TokenInWSSE {
		client.Transport = &wsseTransport{s: s, profile: p, base: client.Transport}
	} else {
		client.Transport = s.bearer(p, client.Transport, nil, false)
	}
	return client, nil
}

// wsseTransport puts the profile's token into each SOAP envelope's
// WS-Security header instead of the Authorization header.
type wsseTransport struct {
	s       *Service
	profile credentials.Profile
	base    http.RoundTripper
}

func (w *wsseTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	closeBody := func() {
		if req.Body != nil {
			req.Body.Close() // #nosec G104 -- RoundTrip must close the body; its error changes nothing
		}
	}
	if req.URL.Scheme == "http" && !credentials.IsLoopbackHost(req.URL.Hostname()) {
		closeBody()
		return nil, &Failure{Category: CatConfig, Message: "the token would travel unencrypted: use an https:// URL"}
	}
	tok, err := w.s.Token(req.Context(), w.profile.ID)
	if err != nil {
		closeBody()
		return nil, err
	}
	if d := wsseDPoP(tok); d != nil { // dpop.go
		closeBody()
		return nil, &Failure{Category: CatConfig, Message: d.Cause}
	}
	var env []byte
	if req.Body != nil {
		env, err = io.ReadAll(req.Body)
		closeBody()
		if err != nil {
			return nil, err
		}
	}
	env, err = InjectWSSE(env, tok.AccessToken)
	if err != nil {
		return nil, &Failure{Category: CatConfig, Message: err.Error()}
	}
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(env))
	r.ContentLength = int64(len(env))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(env)), nil }
	if w.profile.Tenant != "" {
		r.Header.Set(w.profile.TenantHeader, w.profile.Tenant)
	}
	if w.base == nil {
		return http.DefaultTransport.RoundTrip(r)
	}
	return w.base.RoundTrip(r)
}

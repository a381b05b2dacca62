package oauthflow

import (
	"context"
	"fmt"
	"net/http"

	"github.com/credworkbench/credworkbench/credentials"
)

// clientEntry caches a profile's transport and clients per settings.
type clientEntry struct {
	key       string
	transport *http.Transport
	idp       *http.Client
	warnings  []string
	endpoints *Endpoints
}

// client returns the cached IdP client of a profile (api=false) or builds
// its transport; see Service.httpClient.
func (m *Manager) client(p credentials.Profile, api bool) (*http.Client, []string, error) {
	c, err := m.clientEntry(p)
	if err != nil {
		return nil, nil, err
	}
	if api {
		return &http.Client{
			Transport:     c.transport,
			CheckRedirect: sameHostRedirects,
			Timeout:       m.s.httpTimeout(),
		}, c.warnings, nil
	}
	return c.idp, c.warnings, nil
}

func (m *Manager) clientEntry(p credentials.Profile) (*clientEntry, error) {
	key := fmt.Sprintf("%d|%+v|%+v|%s|%s", p.Revision, p.Proxy, p.TLS, m.s.httpTimeout(), p.IssuerURL)
	m.mu.Lock()
	c := m.clients[p.ID]
	m.mu.Unlock()
	if c != nil && c.key == key {
		return c, nil
	}
	tr, warnings, err := m.s.buildTransport(p)
	if err != nil {
		return nil, err
	}
	c = &clientEntry{
		key: key, transport: tr, warnings: warnings,
		idp: &http.Client{
			Transport:     limitTransport{base: tr},
			CheckRedirect: sameHostRedirects,
			Timeout:       m.s.httpTimeout(),
		},
	}
	if p.ID == "" {
		return c, nil
	}
	m.mu.Lock()
	old := m.clients[p.ID]
	if m.closed {
		m.mu.Unlock()
		return nil, ErrClosed
	}
	m.clients[p.ID] = c
	m.mu.Unlock()
	if old != nil {
		old.transport.CloseIdleConnections()
	}
	return c, nil
}

// discovered returns the profile's discovered endpoints, cached with its client.
func (m *Manager) discovered(ctx context.Context, p credentials.Profile, client *http.Client) (Endpoints, error) {
	c, err := m.clientEntry(p)
	if err != nil {
		return Endpoints{}, err
	}
	m.mu.Lock()
	ep := c.endpoints
	m.mu.Unlock()
	if ep != nil {
		return *ep, nil
	}
	e, err := discover(ctx, client, p.IssuerURL)
	if err != nil {
		return e, err
	}
	m.mu.Lock()
	c.endpoints = &e
	m.mu.Unlock()
	return e, nil
}

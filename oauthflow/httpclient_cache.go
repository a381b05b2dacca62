package oauthflow

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
)

// clientEntry caches a profile's transport and clients per settings.
type clientEntry struct {
	key       string
	tkey      string // its transport's key in Manager.transports
	transport *http.Transport
	idp       *http.Client
	warnings  []string
	endpoints *Endpoints
}

// sharedTransport is one transport used by every profile with the same
// connection settings, so profiles of one IdP reuse each other's
// connections (Test all over hundreds of service clients of one IdP opens
// a handful, not hundreds).
type sharedTransport struct {
	tr       *http.Transport
	warnings []string
	refs     int // clientEntries using it; guarded by Manager.mu
}

// transportKey names a profile's connection settings. A profile whose
// proxy takes a user name gets a transport of its own: its proxy password
// (from its keyring entry) is part of the transport.
func (m *Manager) transportKey(p credentials.Profile) string {
	if p.Proxy.Mode == credentials.ProxyURL && (p.Proxy.Username != "" || strings.Contains(p.Proxy.URL, "@")) {
		return fmt.Sprintf("profile|%s|%d", p.ID, p.Revision)
	}
	return fmt.Sprintf("%s|%s|%q|%t|%s", p.Proxy.Mode, p.Proxy.URL, p.TLS.CAFile, p.TLS.InsecureSkipVerify, m.s.httpTimeout())
}

// acquireTransport returns the shared transport for p's settings (building
// it when none is in use) and counts one more user.
func (m *Manager) acquireTransport(p credentials.Profile) (string, *sharedTransport, error) {
	key := m.transportKey(p)
	m.mu.Lock()
	if st := m.transports[key]; st != nil {
		st.refs++
		m.mu.Unlock()
		return key, st, nil
	}
	m.mu.Unlock()
	tr, warnings, err := m.s.buildTransport(p)
	if err != nil {
		return "", nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if st := m.transports[key]; st != nil { // built meanwhile by another caller
		st.refs++
		return key, st, nil
	}
	st := &sharedTransport{tr: tr, warnings: warnings, refs: 1}
	m.transports[key] = st
	return key, st, nil
}

// releaseTransportLocked counts one user less; the last one closes its idle
// connections (returned, to be called without m.mu).
func (m *Manager) releaseTransportLocked(key string) (closeIdle func()) {
	st := m.transports[key]
	if st == nil {
		return func() {}
	}
	if st.refs--; st.refs > 0 {
		return func() {}
	}
	delete(m.transports, key)
	return st.tr.CloseIdleConnections
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
	if p.ID == "" {
		// An unsaved profile (a test from the form): its own transport.
		tr, warnings, err := m.s.buildTransport(p)
		if err != nil {
			return nil, err
		}
		return newClientEntry(m, key, "", tr, warnings), nil
	}
	tkey, st, err := m.acquireTransport(p)
	if err != nil {
		return nil, err
	}
	c = newClientEntry(m, key, tkey, st.tr, st.warnings)
	m.mu.Lock()
	if m.closed {
		done := m.releaseTransportLocked(tkey)
		m.mu.Unlock()
		done()
		return nil, ErrClosed
	}
	old := m.clients[p.ID]
	m.clients[p.ID] = c
	done := func() {}
	if old != nil {
		done = m.releaseTransportLocked(old.tkey)
	}
	m.mu.Unlock()
	done()
	return c, nil
}

func newClientEntry(m *Manager, key, tkey string, tr *http.Transport, warnings []string) *clientEntry {
	return &clientEntry{
		key: key, tkey: tkey, transport: tr, warnings: warnings,
		idp: &http.Client{
			Transport:     limitTransport{base: tr},
			CheckRedirect: sameHostRedirects,
			Timeout:       m.s.httpTimeout(),
		},
	}
}

// dropClientLocked removes profile id's clients; the result closes the
// idle connections nobody else uses (call it without m.mu).
func (m *Manager) dropClientLocked(id string) (closeIdle func()) {
	c := m.clients[id]
	if c == nil {
		return func() {}
	}
	delete(m.clients, id)
	return m.releaseTransportLocked(c.tkey)
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

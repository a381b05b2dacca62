package httpclient

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
)

// ErrClosed is returned for clients asked of a closed Cache (the service is
// shutting down).
var ErrClosed = errors.New("the service is shutting down")

// Options are what a Cache needs from its owner.
type Options struct {
	// Timeout is the overall deadline of one call (read at every build, so
	// a changed setting gives new clients).
	Timeout func() time.Duration
	// ProxyPassword reads a profile's proxy password from the keyring;
	// credentials.ErrSecretNotFound when it has none.
	ProxyPassword func(profileID string) (string, error)
	// MaxIdleConnsPerHost is shared by the profiles of one IdP.
	MaxIdleConnsPerHost int
	// ClientCertificate is the certificate (with its key from the keyring)
	// a profile presents in TLS handshakes (mtls.go).
	ClientCertificate func(p credentials.Profile) (*tls.Certificate, error)
}

// Cache keeps each profile's clients, per revision and connection settings,
// and the transports shared by profiles with equal settings.
type Cache struct {
	opt Options

	mu      sync.Mutex
	closed  bool
	clients map[string]*entry // by profile ID
	// transports are shared by profiles with equal connection settings.
	transports map[string]*sharedTransport
}

// NewCache returns an empty cache.
func NewCache(opt Options) *Cache {
	return &Cache{opt: opt, clients: map[string]*entry{}, transports: map[string]*sharedTransport{}}
}

// entry caches a profile's transport and clients per settings.
type entry struct {
	key       string
	tkey      string // its transport's key in Cache.transports
	transport *http.Transport
	idp       *http.Client
	warnings  []string
	value     any // Remember's value (the discovered endpoints); guarded by Cache.mu
}

// sharedTransport is one transport used by every profile with the same
// connection settings, so profiles of one IdP reuse each other's
// connections (Test all over hundreds of service clients of one IdP opens
// a handful, not hundreds).
type sharedTransport struct {
	tr       *http.Transport
	warnings []string
	refs     int // entries using it; guarded by Cache.mu
}

// IdP returns the one client of a profile for every call it makes to its
// IdP: answers capped at failure.MaxResponse, HTML pages refused, same-host
// redirects. The strings are warnings to show with every result (TLS
// verification off).
func (c *Cache) IdP(p credentials.Profile) (*http.Client, []string, error) {
	if f := CheckStored(p); f != nil {
		return nil, nil, f
	}
	e, err := c.entry(p)
	if err != nil {
		return nil, nil, err
	}
	return e.idp, e.warnings, nil
}

// API returns a client for calls to an API with the profile's token: the
// profile's transport, no cap on the answer.
func (c *Cache) API(p credentials.Profile) (*http.Client, []string, error) {
	if f := CheckStored(p); f != nil {
		return nil, nil, f
	}
	e, err := c.entry(p)
	if err != nil {
		return nil, nil, err
	}
	return &http.Client{
		Transport:     e.transport,
		CheckRedirect: SameHostRedirects,
		Timeout:       c.opt.Timeout(),
	}, e.warnings, nil
}

// Transport is p's current transport (tests compare them).
func (c *Cache) Transport(p credentials.Profile) (*http.Transport, error) {
	e, err := c.entry(p)
	if err != nil {
		return nil, err
	}
	return e.transport, nil
}

// Sizes counts the clients and transports kept (tests check they do not grow).
func (c *Cache) Sizes() (clients, transports int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.clients), len(c.transports)
}

// Remember returns the value kept with p's current client, computing it
// when there is none (e.g. the discovered endpoints, which a new revision
// or issuer discovers again). A failed computation is not kept.
func Remember[T any](c *Cache, p credentials.Profile, compute func() (T, error)) (T, error) {
	var zero T
	e, err := c.entry(p)
	if err != nil {
		return zero, err
	}
	c.mu.Lock()
	v, ok := e.value.(T)
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err = compute()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	e.value = v
	c.mu.Unlock()
	return v, nil
}

// transportKey names a profile's connection settings. A profile whose
// proxy takes a user name, or that presents a client certificate, gets a
// transport of its own: its proxy password or private key (from its
// keyring entry) is part of the transport.
func (c *Cache) transportKey(p credentials.Profile) string {
	if p.PresentsCertificate() || p.Proxy.Mode == credentials.ProxyURL && (p.Proxy.Username != "" || strings.Contains(p.Proxy.URL, "@")) {
		return fmt.Sprintf("profile|%s|%d", p.ID, p.Revision)
	}
	return fmt.Sprintf("%s|%s|%q|%t|%s", p.Proxy.Mode, p.Proxy.URL, p.TLS.CAFile, p.TLS.InsecureSkipVerify, c.opt.Timeout())
}

// acquireTransport returns the shared transport for p's settings (building
// it when none is in use) and counts one more user.
func (c *Cache) acquireTransport(p credentials.Profile) (string, *sharedTransport, error) {
	key := c.transportKey(p)
	c.mu.Lock()
	if st := c.transports[key]; st != nil {
		st.refs++
		c.mu.Unlock()
		return key, st, nil
	}
	c.mu.Unlock()
	tr, warnings, err := c.buildTransport(p)
	if err != nil {
		return "", nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.transports[key]; st != nil { // built meanwhile by another caller
		st.refs++
		return key, st, nil
	}
	st := &sharedTransport{tr: tr, warnings: warnings, refs: 1}
	c.transports[key] = st
	return key, st, nil
}

// releaseTransportLocked counts one user less; the last one closes its idle
// connections (returned, to be called without c.mu).
func (c *Cache) releaseTransportLocked(key string) (closeIdle func()) {
	st := c.transports[key]
	if st == nil {
		return func() {}
	}
	if st.refs--; st.refs > 0 {
		return func() {}
	}
	delete(c.transports, key)
	return st.tr.CloseIdleConnections
}

func (c *Cache) entry(p credentials.Profile) (*entry, error) {
	key := fmt.Sprintf("%d|%+v|%+v|%s|%s", p.Revision, p.Proxy, p.TLS, c.opt.Timeout(), p.IssuerURL)
	c.mu.Lock()
	e := c.clients[p.ID]
	c.mu.Unlock()
	if e != nil && e.key == key {
		return e, nil
	}
	if p.ID == "" {
		// An unsaved profile (a test from the form): its own transport.
		tr, warnings, err := c.buildTransport(p)
		if err != nil {
			return nil, err
		}
		return c.newEntry(key, "", tr, warnings), nil
	}
	tkey, st, err := c.acquireTransport(p)
	if err != nil {
		return nil, err
	}
	e = c.newEntry(key, tkey, st.tr, st.warnings)
	c.mu.Lock()
	if c.closed {
		done := c.releaseTransportLocked(tkey)
		c.mu.Unlock()
		done()
		return nil, ErrClosed
	}
	old := c.clients[p.ID]
	c.clients[p.ID] = e
	done := func() {}
	if old != nil {
		done = c.releaseTransportLocked(old.tkey)
	}
	c.mu.Unlock()
	done()
	return e, nil
}

func (c *Cache) newEntry(key, tkey string, tr *http.Transport, warnings []string) *entry {
	return &entry{
		key: key, tkey: tkey, transport: tr, warnings: warnings,
		idp: &http.Client{
			Transport:     limitTransport{base: tr},
			CheckRedirect: SameHostRedirects,
			Timeout:       c.opt.Timeout(),
		},
	}
}

// Drop removes profile id's clients and closes the idle connections nobody
// else uses.
func (c *Cache) Drop(id string) {
	c.mu.Lock()
	e := c.clients[id]
	closeIdle := func() {}
	if e != nil {
		delete(c.clients, id)
		closeIdle = c.releaseTransportLocked(e.tkey)
	}
	c.mu.Unlock()
	closeIdle()
}

// Close refuses new clients from now on; the function it returns closes
// every transport's idle connections (call it once the calls in flight
// have ended, so their connections are closed too).
func (c *Cache) Close() (closeIdle func()) {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		transports := c.transports
		c.clients, c.transports = map[string]*entry{}, map[string]*sharedTransport{}
		c.mu.Unlock()
		for _, t := range transports {
			t.tr.CloseIdleConnections()
		}
	}
}

package oauthflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/logfile"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// newAdminClient builds a management API client (a seam for fault tests).
var newAdminClient = idpadmin.New

// adminConn is a profile's management connection, resolved.
type adminConn struct {
	client idpadmin.Client
	kind   idpadmin.Kind
	label  string // the management profile's name, or what is stored on the profile
}

// kindLabel is how the IdP reads in messages.
func kindLabel(k idpadmin.Kind) string {
	switch k {
	case idpadmin.Entra:
		return "Entra"
	case idpadmin.Okta:
		return "Okta"
	case idpadmin.Keycloak:
		return "Keycloak"
	case idpadmin.RFC7592:
		return "the IdP (RFC 7592)"
	}
	return "the IdP"
}

// connect resolves p's management connection: the kind (stated, else
// inferred from the issuer), the base URL (stated, else the kind's
// default), and the token: the RFC 7592 registration access token or an
// Okta SSWS token from the keyring, else the management profile's access
// token from our own engine (shared store, lock, diagnoses).
func (l *SecretLifecycle) connect(p credentials.Profile) (*adminConn, error) {
	s := l.s
	var mgmt *credentials.Profile
	if p.ManagementProfile != "" {
		all, err := s.repo.List()
		if err != nil {
			return nil, err
		}
		m, ok := credentials.ResolveManagement(p, all)
		if !ok {
			return nil, &Failure{Category: CatConfig, Message: fmt.Sprintf("the management profile %q of %q does not exist: edit %q (--management-profile)", p.ManagementProfile, p.Name, p.Name)}
		}
		mgmt = &m
	}
	api := p.ManagementAPI
	if api == "" && mgmt != nil {
		api = mgmt.ManagementAPI
	}
	var kind idpadmin.Kind
	if api != "" {
		k, err := idpadmin.ParseKind(api)
		if err != nil {
			return nil, &Failure{Category: CatConfig, Message: err.Error()}
		}
		kind = k
	} else if p.RegistrationClientURI != "" {
		kind = idpadmin.RFC7592
	} else if kind = idpadmin.InferKind(firstNonEmpty(p.IssuerURL, p.TokenURL)); kind == "" {
		return nil, &Failure{Category: CatConfig, Message: fmt.Sprintf("cannot tell which management API the IdP of %q speaks: set --management-api entra|okta|keycloak|rfc7592", p.Name)}
	}
	base := p.ManagementURL
	if base == "" && kind == idpadmin.RFC7592 {
		base = p.RegistrationClientURI
	}
	if base == "" && mgmt != nil {
		base = mgmt.ManagementURL
	}
	if base == "" {
		b, err := idpadmin.DefaultBaseURL(kind, firstNonEmpty(p.IssuerURL, p.TokenURL))
		if err != nil {
			return nil, &Failure{Category: CatConfig, Message: err.Error()}
		}
		base = b
	}
	conn := idpadmin.Conn{Kind: kind, BaseURL: base}
	via := p // whose proxy and TLS settings reach the API
	switch {
	case kind == idpadmin.RFC7592:
		id := p.ID
		conn.Token = l.keyringToken(id, credentials.RegistrationToken, "Bearer",
			fmt.Sprintf("no RFC 7592 registration access token is stored for %q: give it with credctl edit %s --registration-token-stdin", p.Name, p.Name))
		conn.SaveRegistrationToken = func(_ context.Context, tok string) error {
			return s.repo.SetManagementSecret(id, credentials.RegistrationToken, tok)
		}
	case l.hasSecret(p.ID, credentials.ManagementToken):
		conn.Token = l.keyringToken(p.ID, credentials.ManagementToken, "SSWS", "")
	case mgmt != nil && l.hasSecret(mgmt.ID, credentials.ManagementToken):
		conn.Token = l.keyringToken(mgmt.ID, credentials.ManagementToken, "SSWS", "")
		via = *mgmt
	case mgmt != nil:
		id := mgmt.ID
		conn.Token = func(ctx context.Context) (string, string, error) {
			tok, _, err := s.FetchToken(ctx, id, TokenOptions{})
			if err != nil {
				return "", "", err
			}
			return "Bearer", tok.AccessToken, nil
		}
		via = *mgmt
	default:
		return nil, &Failure{Category: CatConfig, Message: fmt.Sprintf("%q has no management connection: set --management-profile (a profile with the IdP's management rights)", p.Name)}
	}
	client, _, err := s.mgr.http.API(via)
	if err != nil {
		return nil, failure.Classify(err)
	}
	conn.Client = &http.Client{Transport: client.Transport, Timeout: client.Timeout}
	c, err := newAdminClient(conn)
	if err != nil {
		return nil, &Failure{Category: CatConfig, Message: err.Error()}
	}
	label := via.Name
	switch {
	case kind == idpadmin.RFC7592:
		label = "registration token of " + p.Name
	case mgmt == nil:
		label = "SSWS token of " + p.Name
	}
	return &adminConn{client: c, kind: kind, label: label}, nil
}

func (l *SecretLifecycle) hasSecret(id string, kind credentials.SecretKind) bool {
	_, err := l.s.repo.Secrets.Get(id, kind)
	return err == nil
}

func (l *SecretLifecycle) keyringToken(id string, kind credentials.SecretKind, scheme, missing string) func(context.Context) (string, string, error) {
	return func(context.Context) (string, string, error) {
		v, err := l.s.repo.Secrets.Get(id, kind)
		if errors.Is(err, credentials.ErrSecretNotFound) && missing != "" {
			return "", "", errors.New(missing)
		}
		if err != nil {
			return "", "", err
		}
		return scheme, v, nil
	}
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// audit writes one line of the rotation's history to the shared log: who
// (the management connection), what (app, key IDs), never a secret; and
// publishes the event.
func (l *SecretLifecycle) audit(p credentials.Profile, kind EventKind, r *Rotation, level slog.Level, extra ...any) {
	s := l.s
	if s.Log != nil {
		attrs := []any{"profile", p.Name, logfile.EventKey, string(kind), "management", r.Management, "api", r.API, "app", r.App}
		if r.NewKeyID != "" {
			attrs = append(attrs, "newKeyId", r.NewKeyID)
		}
		if r.OldKeyID != "" {
			attrs = append(attrs, "oldKeyId", r.OldKeyID)
		}
		attrs = append(attrs, extra...)
		s.Log.Log(context.Background(), level, "profile "+string(kind), attrs...)
	}
	e := Event{ProfileID: p.ID, Name: p.Name, Kind: kind, Time: s.Clock.Now()}
	if kind == EventSecretTested {
		res := r.Result
		e.Result = &res
	}
	s.events.deliver(e)
}

// lifecycleChanged reports a change of only the IdP lifecycle bookkeeping
// (a pending step, the key or expiry read from the IdP), which Watch
// announces as EventPendingChanged (a change of more is announced as before).
func lifecycleChanged(o, p credentials.Profile) bool {
	rest := func(b credentials.Bookkeeping) credentials.Bookkeeping {
		b.PendingAtIdP, b.SecretKeyID, b.SecretExpirySource = credentials.PendingAtIdP{}, "", ""
		b.SecretExpiryCheckedAt, b.SecretCreatedAt = time.Time{}, time.Time{}
		return b
	}
	return o.Bookkeeping != p.Bookkeeping && rest(o.Bookkeeping) == rest(p.Bookkeeping)
}

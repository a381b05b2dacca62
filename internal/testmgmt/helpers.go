package testmgmt

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

// TokenFunc is an idpadmin.Conn.Token that takes client_credentials tokens
// of a management client from the IdP, with scopes (default
// testidp.ManagementScopes).
func TokenFunc(idp *testidp.IdP, clientID, secret string, scopes ...string) func(context.Context) (string, string, error) {
	if len(scopes) == 0 {
		scopes = strings.Fields(testidp.ManagementScopes)
	}
	cfg := clientcredentials.Config{
		ClientID: clientID, ClientSecret: secret, TokenURL: idp.TokenURL, Scopes: scopes, AuthStyle: oauth2.AuthStyleInHeader,
	}
	return func(ctx context.Context) (string, string, error) {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, idp.HTTPClient())
		tok, err := cfg.Token(ctx)
		if err != nil {
			return "", "", err
		}
		return "Bearer", tok.AccessToken, nil
	}
}

// Conn is a connection to one API of s as testidp.ManagerClientID.
func (s *Server) Conn(k idpadmin.Kind) idpadmin.Conn {
	return s.ConnAs(k, testidp.ManagerClientID, testidp.ManagerClientSecret)
}

// ConnAs is a connection to one API of s as another management client
// (testidp.AuditorClientID may only ask for "okta.apps.read").
func (s *Server) ConnAs(k idpadmin.Kind, clientID, secret string, scopes ...string) idpadmin.Conn {
	return idpadmin.Conn{Kind: k, BaseURL: s.BaseURL(k), Client: &http.Client{}, Token: TokenFunc(s.idp, clientID, secret, scopes...)}
}

// Accepts reports whether the IdP's token endpoint accepts the client's
// secret now (a client_credentials grant); other failures fail the test.
func Accepts(t testing.TB, idp *testidp.IdP, clientID, secret string) bool {
	t.Helper()
	cfg := clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: idp.TokenURL, AuthStyle: oauth2.AuthStyleInHeader}
	_, err := cfg.Token(context.WithValue(context.Background(), oauth2.HTTPClient, idp.HTTPClient()))
	var re *oauth2.RetrieveError
	switch {
	case err == nil:
		return true
	case errors.As(err, &re) && re.ErrorCode == "invalid_client":
		return false
	}
	t.Fatalf("token request for %s: %v", clientID, err)
	return false
}

// Secret is what the harness holds for one secret of an app (no value).
type Secret struct {
	KeyID       string // Entra keyId, Okta secret id, Keycloak "current" / "rotated"
	DisplayName string
	Active      bool // the test IdP accepts it
	Expires     time.Time
}

// Secrets lists an app's secrets as the harness holds them, e.g. to check
// that a failed rotation left no unexplained secret behind.
func (s *Server) Secrets(k idpadmin.Kind, clientID string) []Secret {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.appBy(k, func(a *app) bool { return a.clientID == clientID })
	if a == nil {
		return nil
	}
	var out []Secret
	for _, sec := range a.secrets {
		id := sec.id
		if k == idpadmin.Keycloak {
			id = idpadmin.KeycloakCurrent
			if sec.rotated {
				id = idpadmin.KeycloakRotated
			}
		}
		out = append(out, Secret{KeyID: id, DisplayName: sec.displayName, Active: sec.active, Expires: sec.expires})
	}
	return out
}

package oauthflow

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// TestUserPrivateKeyJWT: a confidential User client authenticating with
// private_key_jwt logs in (code exchange), renews (refresh, twice: each
// request signs a fresh assertion, the IdP rejects a reused jti), logs in
// on another device (device authorization and every poll), and logs out
// (revocation); a key the IdP does not know is a credentials failure.
func TestUserPrivateKeyJWT(t *testing.T) {
	requireKeyring(t)
	km, foreign := pkGenerate(t), pkGenerate(t)
	const clientID = "wb-pkjwt-user"
	idp := testidp.Start(t, testidp.WithClient(testidp.Client{
		ID: clientID, GrantTypes: []string{"authorization_code", "refresh_token", testidp.DeviceCodeGrant},
		RedirectURIs: []string{testidp.RedirectURI}, Scope: testidp.UserScopes, JWKS: []json.RawMessage{pkJWK(t, km)},
	}))
	save := func(t *testing.T, repo *credentials.Repository, k credentials.KeyMaterial) credentials.Profile {
		enc, err := credentials.EncodePrivateKey(k.Key)
		if err != nil {
			t.Fatal(err)
		}
		p, err := repo.Save(credentials.Profile{
			Name: "pk user", Type: credentials.TypeUser, IssuerURL: idp.Issuer, ClientID: clientID,
			Scope: "openid profile offline_access api:read", Resource: testidp.Resource,
			AuthMethod: credentials.AuthPrivateKeyJWT, Certificate: credentials.CertificatePEM(k.Cert),
		}, credentials.SecretChange{PrivateKey: credentials.Secret(enc)})
		if err != nil {
			t.Fatalf("saving: %v", err)
		}
		t.Cleanup(func() { _ = repo.Delete(p.ID) })
		return p
	}

	t.Run("login, refresh, device login, logout", func(t *testing.T) {
		repo := loginRepo(t)
		p := save(t, repo, km)
		s := NewService(repo, newFakeBrowser(idp.Browser(testidp.Username, testidp.Password)), nil)
		defer s.Close()
		assertAlice(t, loginOK(t, s, p.Name, LoginOptions{}))
		idp.Reset(t)
		for i := range 2 {
			s.Tokens = nil
			res, err := s.Test(context.Background(), p.Name)
			if err != nil || !res.Active() {
				t.Fatalf("refresh %d: %v %+v", i, err, res.Failure)
			}
		}
		if st := idp.Stats(t); st.Grants["refresh_token"] != 2 {
			t.Fatalf("refresh grants %v (errors %v), want 2", st.Grants, st.TokenErrors)
		}
		u := newDeviceUser(approveAs(testidp.Username, testidp.Password))
		res := deviceLogin(t, s, p.Name, LoginOptions{OnDeviceCode: u.onCode})
		if err := <-u.done; err != nil {
			t.Fatal(err)
		}
		if !res.Active() {
			t.Fatalf("device login: %s %+v", res.Status, res.Failure)
		}
		idp.Reset(t)
		if err := s.Logout(context.Background(), p.Name); err != nil {
			t.Fatalf("logout: %v", err)
		}
		if st := idp.Stats(t); st.Revocation != 1 {
			t.Errorf("revocations %d, want 1", st.Revocation)
		}
	})
	t.Run("unknown key", func(t *testing.T) {
		repo := loginRepo(t)
		p := save(t, repo, foreign)
		b := newFakeBrowser(idp.Browser(testidp.Username, testidp.Password))
		s := NewService(repo, b, nil)
		defer s.Close()
		res, err := s.Login(context.Background(), p.Name, LoginOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Active() || res.Failure == nil || res.Failure.Category != CatCredentials {
			t.Fatalf("status %s, failure %+v", res.Status, res.Failure)
		}
		if strings.Contains(res.Failure.Error(), "eyJ") {
			t.Errorf("the failure quotes a JWT: %v", res.Failure)
		}
	})
}

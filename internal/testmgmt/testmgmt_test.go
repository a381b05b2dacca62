package testmgmt_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/internal/testmgmt"
	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

func get(t *testing.T, u, auth string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	return resp.StatusCode, m
}

// A valid token of the test IdP for another audience (the app's API) is
// refused by each API with its own 401 body; no token at all too.
func TestManagementTokenChecked(t *testing.T) {
	idp := testidp.Start(t, testidp.WithManagement(testidp.Management{}))
	srv := testmgmt.Start(t, idp)
	_, appToken, err := testmgmt.TokenFunc(idp, testidp.AppClientID, testidp.AppClientSecret, "api:read")(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		url  string
		code func(map[string]any) string
		want string
	}{
		{srv.BaseURL(idpadmin.Entra) + "/applications", func(m map[string]any) string {
			e, _ := m["error"].(map[string]any)
			s, _ := e["code"].(string)
			return s
		}, "InvalidAuthenticationToken"},
		{srv.BaseURL(idpadmin.Okta) + "/api/v1/apps", func(m map[string]any) string { s, _ := m["errorCode"].(string); return s }, "E0000011"},
		{srv.BaseURL(idpadmin.Keycloak) + "/clients", func(m map[string]any) string { s, _ := m["error"].(string); return s }, "HTTP 401 Unauthorized"},
	} {
		for _, auth := range []string{"Bearer " + appToken, ""} {
			status, body := get(t, tc.url, auth)
			if status != http.StatusUnauthorized || tc.code(body) != tc.want {
				t.Errorf("%s with %q…: %d %v", tc.url, auth[:min(len(auth), 6)], status, body)
			}
		}
	}
}

// Keycloak's rotated secret stops working once its expiry passes.
func TestKeycloakRotatedSecretExpires(t *testing.T) {
	idp := testidp.Start(t, testidp.WithManagement(testidp.Management{}))
	srv := testmgmt.Start(t, idp, testmgmt.WithApp(testmgmt.App{Kind: idpadmin.Keycloak, ClientID: testidp.AppClientID}),
		testmgmt.WithKeycloakRotation(24*time.Hour, 2*time.Second))
	c, _ := idpadmin.New(srv.Conn(idpadmin.Keycloak))
	ctx := context.Background()
	a, err := c.FindApp(ctx, testidp.AppClientID)
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Mint(ctx, a, idpadmin.MintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !testmgmt.Accepts(t, idp, testidp.AppClientID, testidp.AppClientSecret) {
		t.Fatal("the rotated secret must work during its grace period")
	}
	time.Sleep(3 * time.Second)
	creds, err := c.Credentials(ctx, a) // the harness expires it when next called
	if err != nil || len(creds) != 1 {
		t.Fatalf("Credentials = %+v, %v", creds, err)
	}
	if testmgmt.Accepts(t, idp, testidp.AppClientID, testidp.AppClientSecret) || !testmgmt.Accepts(t, idp, testidp.AppClientID, m.Value) {
		t.Fatal("after the grace period only the new secret works")
	}
}

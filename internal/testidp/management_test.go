package testidp

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// tokenFor runs a client_credentials grant and returns the HTTP status and
// the access token's claims (nil when refused).
func tokenFor(t *testing.T, idp *IdP, id, secret, scope string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, idp.TokenURL, strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := idp.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil {
		return resp.StatusCode, nil
	}
	parts := strings.Split(out.AccessToken, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	return resp.StatusCode, claims
}

func TestManagementClientsAndSecrets(t *testing.T) {
	idp := Start(t, WithManagement(Management{}))
	status, claims := tokenFor(t, idp, ManagerClientID, ManagerClientSecret, ManagementScopes)
	if status != http.StatusOK || claims["aud"] != ManagementResource || !strings.Contains(fmt.Sprint(claims["scope"]), "okta.apps.manage") {
		t.Fatalf("manager token: %d %v", status, claims)
	}
	ra, _ := json.Marshal(claims["resource_access"])
	if !strings.Contains(string(ra), "manage-clients") {
		t.Fatalf("manager token has no realm-management roles: %v", claims)
	}
	if err := idp.SetClientSecrets(AppClientID, []string{"second-secret"}, []string{AppClientSecret}); err != nil {
		t.Fatal(err)
	}
	if s, _ := tokenFor(t, idp, AppClientID, "second-secret", ""); s != http.StatusOK {
		t.Fatalf("added secret refused: %d", s)
	}
	if s, _ := tokenFor(t, idp, AppClientID, AppClientSecret, ""); s != http.StatusUnauthorized {
		t.Fatalf("removed secret: %d, want 401", s)
	}
	if got, err := idp.ClientSecrets(AppClientID); err != nil || !slices.Equal(got, []string{"second-secret"}) {
		t.Fatalf("ClientSecrets = %v, %v", got, err)
	}
	// A dynamic registration keeps oidc-provider's own comparison.
	reg := idp.RegisterClient(t, nil)
	if s, _ := tokenFor(t, idp, reg.ClientID, reg.ClientSecret, ""); s != http.StatusOK {
		t.Fatalf("registered client refused: %d", s)
	}
	if s, _ := tokenFor(t, idp, reg.ClientID, "wrong", ""); s != http.StatusUnauthorized {
		t.Fatalf("registered client with a wrong secret: %d", s)
	}
	if reg.RegistrationAccessToken == "" || !strings.HasPrefix(reg.RegistrationClientURI, idp.Issuer+"/reg/") {
		t.Fatalf("registration: %+v", reg.RegistrationClientURI)
	}
}

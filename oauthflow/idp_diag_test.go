package oauthflow

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/oauthflow/idp"
)

// idpFixture is a documented IdP error answer (testdata/idperrors), kept
// with where it comes from.
type idpFixture struct {
	Source string          `json:"source"`
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

func loadIdPFixture(t *testing.T, name string) idpFixture {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "idperrors", name))
	if err != nil {
		t.Fatal(err)
	}
	var fx idpFixture
	if err := json.Unmarshal(raw, &fx); err != nil || fx.Source == "" || fx.Status == 0 {
		t.Fatalf("%s: fixture without source or status (%v)", name, err)
	}
	return fx
}

// Every documented answer, served by a token endpoint, ends in the right
// category with the IdP's own cause and fix, the AADSTS code and the
// support IDs; never with the secret.
func TestIdPDiagnosesFromDocumentedBodies(t *testing.T) {
	cases := []struct {
		file, scope string
		cat         Category
		code        string
		want        []string
	}{
		{"entra_7000215.json", "api://orders/.default", CatCredentials, "AADSTS7000215", []string{"Value, not its Secret ID", "Trace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333", "Correlation ID: aaaa0000-bb11-2222-33cc-444444dddddd"}},
		{"entra_prefix_only.json", "api://orders/.default", CatCredentials, "AADSTS7000215", []string{"Secret ID"}},
		{"entra_7000222.json", "api://orders/.default", CatCredentials, "AADSTS7000222", []string{"expired", "create a new secret"}},
		{"entra_1002012.json", "api://orders/read", CatScope, "AADSTS1002012", []string{`Use the scope "api://orders/.default" instead of "api://orders/read"`}},
		{"entra_70011.json", "https://example.contoso.com/activity.read", CatScope, "AADSTS70011", []string{`"https://example.contoso.com/.default"`}},
		{"entra_700016.json", "api://orders/.default", CatTenant, "AADSTS700016", []string{"not found in this tenant"}},
		{"entra_90002.json", "api://orders/.default", CatTenant, "AADSTS90002", []string{"tenant was not found"}},
		{"entra_500011.json", "api://orders/.default", CatTenant, "AADSTS500011", []string{"Application ID URI"}},
		{"entra_65001.json", "api://orders/.default", CatConsent, "AADSTS65001", []string{"admin consent"}},
		{"entra_50076.json", "api://orders/.default", CatMFA, "AADSTS50076", []string{"complete MFA"}},
		{"entra_53003.json", "api://orders/.default", CatMFA, "AADSTS53003", []string{"Conditional Access", "aaaa0000-bb11-2222-33cc-444444dddddd"}},
		{"entra_700027.json", "api://orders/.default", CatCredentials, "AADSTS700027", []string{"SHA-1 thumbprint"}},
		{"entra_7000218.json", "api://orders/.default", CatCredentials, "AADSTS7000218", []string{"Allow public client flows"}},
		{"entra_unknown.json", "api://orders/.default", CatConfig, "AADSTS9999999", []string{"token request is invalid", "Trace ID"}},
		{"okta_errorcode_shape.json", "orders", CatCredentials, "", []string{"client ID is unknown", "invalid_client", "Error ID: oaeXYZ0123456789abcdef"}},
		{"okta_bad_secret.json", "orders", CatCredentials, "", []string{"ACTIVE secret"}},
		{"okta_org_as.json", "okta.users.read", CatEndpoint, "", []string{"custom authorization server", "private_key_jwt"}},
		{"okta_grant.json", "orders", CatCredentials, "", []string{"grant type is not enabled"}},
		{"okta_no_default_scopes.json", "", CatScope, "", []string{"default scope"}},
		{"okta_policy.json", "orders", CatConsent, "", []string{"access policy rule"}},
		{"okta_unmet.json", "orders", CatMFA, "", []string{"acr_values"}},
		{"keycloak_invalid_client.json", "orders", CatCredentials, "", []string{"secret is wrong or expired", "does not tell them apart"}},
		{"keycloak_service_account.json", "orders", CatCredentials, "", []string{"Service account roles"}},
	}
	var kr credentials.Keyring
	if !ccRealKeyring(t) {
		kr = testenv.NewMemKeyring()
	}
	s := ccService(t, kr)
	const secret = "S3cr3t-value-never-shown"
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			fx := loadIdPFixture(t, c.file)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(fx.Status)
				_, _ = w.Write(fx.Body)
			}))
			defer srv.Close()
			p := ccApp("diag "+strings.TrimSuffix(c.file, ".json"), srv.URL+"/token")
			p.Scope = c.scope
			ccSave(t, s, p, secret)
			f := ccWantFailed(t, ccTest(t, s, p.Name), c.cat)
			text := f.Error()
			if f.IdPCode != c.code {
				t.Errorf("code %q, want %q", f.IdPCode, c.code)
			}
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("%q lacks %q", text, w)
				}
			}
			if strings.Contains(text, secret) || strings.Count(text, "Trace ID") > 1 {
				t.Errorf("secret or repeated IDs in %q", text)
			}
			stored, err := s.repo.Get(p.Name)
			if err != nil || stored.LastCategory != string(c.cat) || stored.LastError != text {
				t.Errorf("stored %q/%q, err %v", stored.LastCategory, stored.LastError, err)
			}
		})
	}
}

// Errors redirected from the authorization endpoint carry AADSTS codes in
// error_description only.
func TestAuthorizeErrorDiagnosis(t *testing.T) {
	f := idp.AuthorizationError("interaction_required", "AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication.")
	if f.Category != CatMFA || f.IdPCode != "AADSTS50076" || !strings.Contains(f.Message, "complete MFA") {
		t.Errorf("%+v", f)
	}
	f = idp.AuthorizationError("invalid_request", "AADSTS50011: The redirect URI 'http://127.0.0.1:5000/callback' specified in the request does not match the redirect URIs configured for the application.")
	if f.Category != CatRedirect || !strings.Contains(f.Message, "Mobile and desktop") {
		t.Errorf("%+v", f)
	}
	f = idp.AuthorizationError("consent_required", "")
	if f.Category != CatConsent {
		t.Errorf("%+v", f)
	}
	f = idp.AuthorizationError("access_denied", "The user said no")
	if f.Category != CatLogin {
		t.Errorf("%+v", f)
	}
}

package idpadmin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/oauthflow/idpadmin"
)

func TestParseAndInferKind(t *testing.T) {
	for _, s := range []string{"entra", "Okta", " keycloak ", "RFC7592"} {
		if _, err := idpadmin.ParseKind(s); err != nil {
			t.Errorf("ParseKind(%q): %v", s, err)
		}
	}
	if _, err := idpadmin.ParseKind("auth0"); err == nil || !strings.Contains(err.Error(), "entra, okta, keycloak, rfc7592") {
		t.Errorf("ParseKind(auth0) = %v", err)
	}
	for issuer, want := range map[string]idpadmin.Kind{
		"https://login.microsoftonline.com/tenant/v2.0":       idpadmin.Entra,
		"https://sts.windows.net/tenant/":                     idpadmin.Entra,
		"https://dev-123.okta.com/oauth2/default":             idpadmin.Okta,
		"https://acme.oktapreview.com":                        idpadmin.Okta,
		"https://acme.okta-emea.com/oauth2/aus1":              idpadmin.Okta,
		"https://sso.example.com/realms/prod":                 idpadmin.Keycloak,
		"https://sso.example.com/auth/realms/prod":            idpadmin.Keycloak,
		"https://evil-okta.com.example.org/":                  "",
		"https://example.com/oauth2":                          "",
		"not a url":                                           "",
		"https://login.microsoftonline.com.evil.example/x/v2": "",
	} {
		if got := idpadmin.InferKind(issuer); got != want {
			t.Errorf("InferKind(%q) = %q, want %q", issuer, got, want)
		}
	}
}

func TestDefaultBaseURL(t *testing.T) {
	for _, tc := range []struct {
		kind   idpadmin.Kind
		issuer string
		want   string
	}{
		{idpadmin.Entra, "https://login.microsoftonline.com/t/v2.0", "https://graph.microsoft.com/v1.0"},
		{idpadmin.Entra, "https://login.microsoftonline.us/t/v2.0", "https://graph.microsoft.us/v1.0"},
		{idpadmin.Entra, "", "https://graph.microsoft.com/v1.0"},
		{idpadmin.Okta, "https://dev-1.okta.com/oauth2/default", "https://dev-1.okta.com"},
		{idpadmin.Keycloak, "https://sso.example.com/realms/prod", "https://sso.example.com/admin/realms/prod"},
		{idpadmin.Keycloak, "https://sso.example.com:8443/auth/realms/prod/", "https://sso.example.com:8443/auth/admin/realms/prod"},
	} {
		got, err := idpadmin.DefaultBaseURL(tc.kind, tc.issuer)
		if err != nil || got != tc.want {
			t.Errorf("DefaultBaseURL(%s, %s) = %q, %v; want %q", tc.kind, tc.issuer, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		kind   idpadmin.Kind
		issuer string
	}{{idpadmin.RFC7592, "https://x"}, {idpadmin.Keycloak, "https://sso.example.com/oauth2"}, {idpadmin.Okta, "ftp://x"}} {
		if _, err := idpadmin.DefaultBaseURL(tc.kind, tc.issuer); err == nil || !strings.Contains(err.Error(), "--management-url") {
			t.Errorf("DefaultBaseURL(%s, %s) = %v, want an error naming --management-url", tc.kind, tc.issuer, err)
		}
	}
}

func TestNewRejectsBadConn(t *testing.T) {
	tok := func(context.Context) (string, string, error) { return "Bearer", "t", nil }
	for _, c := range []idpadmin.Conn{
		{Kind: idpadmin.Entra, BaseURL: "https://graph.microsoft.com/v1.0"}, // no token
		{Kind: idpadmin.Entra, BaseURL: "graph.microsoft.com", Token: tok},  // not a URL
		{Kind: "auth0", BaseURL: "https://x.example", Token: tok},           // unknown kind
		{Kind: idpadmin.Okta, BaseURL: "file:///etc/passwd", Token: tok},    // not http(s)
	} {
		if _, err := idpadmin.New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}

// A hostile or broken management API: the token and secrets never reach
// an error text, IdP text is sanitized and capped, answers are size-capped,
// and a paging link to another host is not followed (it would get the token).
func TestHostileAnswers(t *testing.T) {
	const token = "mgmt-token-SHOULD-NOT-LEAK"
	var elsewhere bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere = true }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/addPassword"):
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `{"error":{"code":"Authorization_RequestDenied","message":"<script>alert(1)</script> your token %s is bad %s"}}`,
				token, strings.Repeat("x", 5000))
		case strings.HasSuffix(r.URL.Path, "/removePassword"):
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"value":"` + strings.Repeat("a", 5<<20) + `"}`))
		case r.URL.Path == "/applications":
			fmt.Fprintf(w, `{"value":[],"@odata.nextLink":"%s/applications?page=2"}`, other.URL)
		default:
			w.WriteHeader(http.StatusTeapot)
			_, _ = w.Write([]byte("\x1b[31mnot json\x00"))
		}
	}))
	defer srv.Close()
	c, err := idpadmin.New(idpadmin.Conn{Kind: idpadmin.Entra, BaseURL: srv.URL, Client: srv.Client(),
		Token: func(context.Context) (string, string, error) { return "Bearer", token, nil }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a := idpadmin.App{ID: "id", ClientID: "cid"}
	_, err = c.Mint(ctx, a, idpadmin.MintOptions{})
	if err == nil || strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "<script>") || len(err.Error()) > 1000 || !idpadmin.IsDenied(err) {
		t.Errorf("hostile mint error = %q", err)
	}
	if err := c.Revoke(ctx, a, "k"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("huge answer = %v", err)
	}
	if _, err := c.Apps(ctx); err == nil || elsewhere {
		t.Errorf("a nextLink to another host was followed (err %v)", err)
	}
	if _, err := c.FindApp(ctx, "cid"); err == nil || strings.ContainsAny(err.Error(), "\x1b\x00") {
		t.Errorf("control characters in %q", err)
	}
}

func TestMintedHidesValue(t *testing.T) {
	m := idpadmin.Minted{Value: "s3cr3t-value", Credential: idpadmin.Credential{KeyID: "k1"}}
	data, _ := json.Marshal(m)
	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("minted", "m", m, "list", []idpadmin.Minted{m})
	for _, s := range []string{fmt.Sprint(m), fmt.Sprintf("%v %+v %#v %s", m, m, m, m), string(data), logged.String(), fmt.Sprintf("%+v", struct{ M idpadmin.Minted }{m})} {
		if strings.Contains(s, "s3cr3t-value") {
			t.Fatalf("formatted Minted shows the value: %s", s)
		}
	}
}

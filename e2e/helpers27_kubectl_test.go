package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testenv"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// kubectl runs the real kubectl with the kubeconfig file kc.
func (h *H) kubectl(kc string, args ...string) (string, error) {
	h.t.Helper()
	if _, err := exec.LookPath("kubectl"); err != nil {
		testenv.Unavailable(h.t, "kubectl is not installed (scripts/deps.sh test installs kubernetes-client)")
	}
	cmd := exec.Command("kubectl", append([]string{"--kubeconfig", kc}, args...)...)
	cmd.Env = h.Environ()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// kubectlMinor is the real kubectl's client minor version (0 when it
// cannot be read).
func (h *H) kubectlMinor() int {
	h.t.Helper()
	out, err := exec.Command("kubectl", "version", "--client", "-o", "json").Output()
	if err != nil {
		return 0
	}
	var v struct {
		ClientVersion struct {
			Minor string `json:"minor"`
		} `json:"clientVersion"`
	}
	if json.Unmarshal(out, &v) != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimRight(v.ClientVersion.Minor, "+"))
	return n
}

// kubeconfigFile writes `credctl kubeconfig NAME --server URL` to a file.
func (h *H) kubeconfigFile(name, server string, extra ...string) string {
	h.t.Helper()
	r := h.MustCredctl(append([]string{"kubeconfig", name, "--server", server}, extra...)...)
	f := filepath.Join(h.t.TempDir(), "kubeconfig")
	if err := os.WriteFile(f, []byte(r.Stdout), 0o600); err != nil {
		h.t.Fatal(err)
	}
	return f
}

// TestKubectlCredentialRealKubectl: the real kubectl, with the kubeconfig
// `credctl kubeconfig` prints (v1beta1) and the same with v1, reaches the
// kube-API stub with the token the plugin gives; a second run inside the
// token's life asks the IdP nothing; once the token expired, kubectl's
// next run gets a new one from the plugin.
func TestKubectlCredentialRealKubectl(t *testing.T) {
	h := New(t)
	idp := h.StartIdP(testidp.WithAccessTokenTTL(20 * time.Second))
	api := testapi.StartKube(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL,
		Audience: testidp.Resource, Scope: "api:read", Client: idp.HTTPClient()})
	h.AddApp(idp, "Kube App")
	kc := h.kubeconfigFile("Kube App", api.URL, "--name", "dev")
	for _, want := range []string{"apiVersion: client.authentication.k8s.io/v1beta1", `args: ["kubectl-credential", "Kube App"]`,
		"provideClusterInfo: true", "interactiveMode: IfAvailable", `current-context: "dev"`} {
		if b, _ := os.ReadFile(kc); !strings.Contains(string(b), want) {
			t.Fatalf("the kubeconfig lacks %q:\n%s", want, b)
		}
	}
	// The stub's certificate is a test CA's: tell kubectl, as a user would.
	// (gcloud's kubectl dispatcher asks the server's version even here.)
	idp.Reset(t)
	if out, err := h.kubectl(kc, "config", "set-cluster", "dev", "--certificate-authority", api.CAFile); err != nil {
		t.Fatalf("kubectl config set-cluster: %v\n%s", err, out)
	}
	b, _ := os.ReadFile(kc)
	kcV1 := filepath.Join(t.TempDir(), "kubeconfig-v1")
	if err := os.WriteFile(kcV1, bytes.ReplaceAll(b, []byte("/v1beta1"), []byte("/v1")), 0o600); err != nil {
		t.Fatal(err)
	}

	out, err := h.kubectl(kc, "get", "--raw", "/version")
	if err != nil || !strings.Contains(out, "v1.20.0-testapi") {
		t.Fatalf("kubectl (v1beta1) get --raw /version: %v\n%s", err, out)
	}
	if h.kubectlMinor() >= 22 {
		out, err = h.kubectl(kcV1, "get", "--raw", "/api/v1/namespaces")
		if err != nil || !strings.Contains(out, "team-a") {
			t.Fatalf("kubectl (v1) get --raw /api/v1/namespaces: %v\n%s", err, out)
		}
	} else {
		// client.authentication.k8s.io/v1 came with kubectl 1.22 (Debian
		// 12's kubernetes-client is 1.20): its shape is checked by
		// TestKubectlCredentialSchemas; this kubectl speaks v1beta1 only.
		t.Log("this kubectl predates ExecCredential v1: the v1 run is left to the schema test")
	}
	if st := idp.Stats(t); st.Token != 1 {
		t.Fatalf("three kubectl runs made %d token requests, want 1", st.Token)
	}

	// The token expires: the next run's plugin call fetches a new one.
	// Tokens are handed out while more than 10 s are left: wait until just
	// past that point of the cached token (its exp), not a fixed 11 s
	// after the runs above, which already used part of its 20 s.
	tok := strings.TrimSpace(h.MustCredctl("token", "Kube App").Stdout)
	exp := oauthflow.Inspect(tok, credentials.Profile{}).Expiry
	if exp.IsZero() || idp.Stats(t).Token != 1 {
		t.Fatalf("credctl token did not read the cached token (expiry %v, %d token requests)", exp, idp.Stats(t).Token)
	}
	time.Sleep(time.Until(exp.Add(-10*time.Second + time.Second)))
	out, err = h.kubectl(kc, "get", "--raw", "/version")
	if err != nil {
		t.Fatalf("kubectl after the token expired: %v\n%s", err, out)
	}
	if st := idp.Stats(t); st.Token != 2 {
		t.Fatalf("after expiry: %d token requests, want 2", st.Token)
	}
	for _, s := range api.Requests() {
		if s.Outcome != "ok" {
			t.Fatalf("the stub refused a request: %+v", s)
		}
	}
}

// TestKubectlCredentialSchemas: the ExecCredential is the version
// KUBERNETES_EXEC_INFO asks for, with exactly the schema's fields; an
// unknown version is refused; a User profile without a session and a
// non-interactive kubectl gets nothing on stdout and advice on stderr.
func TestKubectlCredentialSchemas(t *testing.T) {
	h := New(t)
	h.AddApp(nil, "Kube App")
	h.AddUser(nil, "Kube User")
	tok := strings.TrimSpace(h.MustCredctl("token", "Kube App").Stdout)
	info := func(v string, interactive bool) string {
		b, _ := json.Marshal(map[string]any{"apiVersion": v, "kind": "ExecCredential", "spec": map[string]any{"interactive": interactive}})
		return "KUBERNETES_EXEC_INFO=" + string(b)
	}
	for _, v := range []string{"client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"} {
		h.Env = []string{info(v, false)}
		r := h.MustCredctl("kubectl-credential", "Kube App")
		var cred struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Status     struct {
				Token               string `json:"token"`
				ExpirationTimestamp string `json:"expirationTimestamp"`
			} `json:"status"`
		}
		dec := json.NewDecoder(strings.NewReader(r.Stdout))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cred); err != nil {
			t.Fatalf("%s: not an ExecCredential: %v\n%s", v, err, r.Stdout)
		}
		exp, err := time.Parse(time.RFC3339, cred.Status.ExpirationTimestamp)
		if cred.APIVersion != v || cred.Kind != "ExecCredential" || cred.Status.Token != tok || err != nil || !exp.After(time.Now().Add(time.Minute)) {
			t.Fatalf("%s: apiVersion %q kind %q, token matches %v, expirationTimestamp %q (%v)", v, cred.APIVersion, cred.Kind,
				cred.Status.Token == tok, cred.Status.ExpirationTimestamp, err)
		}
	}
	h.Env = []string{info("client.authentication.k8s.io/v1alpha1", false)}
	if r := h.Credctl("kubectl-credential", "Kube App"); r.Code == 0 || r.Stdout != "" || !strings.Contains(r.Stderr, "v1beta1") {
		t.Fatalf("v1alpha1: %s", r)
	}
	h.Env = []string{info("client.authentication.k8s.io/v1", false)}
	if r := h.Credctl("kubectl-credential", "Kube User"); r.Code != 5 || r.Stdout != "" || !strings.Contains(r.Stderr, "credctl login 'Kube User'") {
		t.Fatalf("a User profile without a session, not interactive: %s", r)
	}
	h.Env = nil
	if r := h.Credctl("kubeconfig", "Kube App"); r.Code != 2 || !strings.Contains(r.Stderr, "--server") {
		t.Fatalf("kubeconfig without --server: %s", r)
	}
	if r := h.Credctl("kubeconfig", "No Such", "--server", "https://k8s.example.com"); r.Code != 3 {
		t.Fatalf("kubeconfig of a missing profile: %s", r)
	}
}

// TestKubectlCredentialInteractiveLogin: when kubectl says the session is
// interactive, a User profile without a session logs in (in the browser,
// texts on stderr) and stdout carries only the ExecCredential; the next
// call reuses the session.
func TestKubectlCredentialInteractiveLogin(t *testing.T) {
	h := New(t)
	h.AddUser(nil, "Kube User")
	browser := h.LoginBrowser(testidp.Username, testidp.Password)
	browser.UseQuick()
	h.Env = append(h.Env, `KUBERNETES_EXEC_INFO={"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}`)
	r := h.MustCredctl("kubectl-credential", "Kube User")
	var cred struct {
		Kind   string `json:"kind"`
		Status struct {
			Token string `json:"token"`
		} `json:"status"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &cred); err != nil || cred.Kind != "ExecCredential" || strings.Count(cred.Status.Token, ".") != 2 {
		t.Fatalf("stdout is not just the ExecCredential: %v\n%s", err, r)
	}
	if browser.Logins() != 1 || !strings.Contains(r.Stderr, "browser") || strings.Contains(r.Stderr, cred.Status.Token) {
		t.Fatalf("want one browser login said on stderr (%d logins):\n%s", browser.Logins(), r.Stderr)
	}
	h.MustCredctl("kubectl-credential", "Kube User")
	if browser.Logins() != 1 {
		t.Fatalf("the second call logged in again (%d logins)", browser.Logins())
	}
}

package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

var dpopThumbprint = regexp.MustCompile(`DPoP: +on, key thumbprint \(JWK SHA-256\) ([A-Za-z0-9_-]{43})`)

// dpopSetup is an IdP with DPoP and nonces, and an API that verifies DPoP
// proofs and demands its own nonce.
func dpopSetup(h *H) (*testidp.IdP, *testapi.DPoPServer) {
	idp := h.StartIdP(testidp.WithDPoP(testidp.DPoPSettings{}))
	api := testapi.StartDPoP(h.t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource}, testapi.DPoPOptions{})
	return idp, api
}

func dpopAdd(h *H, idp *testidp.IdP, name string, extra ...string) Result {
	return h.MustCredctlIn(testidp.DPoPClientSecret+"\n", append([]string{"add", "--name", name, "--type", "application",
		"--issuer", idp.Issuer, "--client-id", testidp.DPoPClientID, "--client-secret-stdin", "--scope", testidp.AppScopes,
		"--resource", testidp.Resource}, extra...)...)
}

// TestDPoPWithCredctl: bin/credctl with a DPoP profile against an IdP and
// an API that enforce DPoP (nonces at both): add --dpop is Active, show
// names the key's thumbprint, request and a script with token
// --dpop-proof-for get through, kubectl-credential refuses.
func TestDPoPWithCredctl(t *testing.T) {
	h := New(t)
	idp, api := dpopSetup(h)
	if r := dpopAdd(h, idp, "Orders DPoP", "--dpop"); !strings.Contains(r.Stdout, "Active") {
		t.Fatalf("add --dpop:\n%s", r)
	}
	m := dpopThumbprint.FindStringSubmatch(h.MustCredctl("show", "Orders DPoP").Stdout)
	if m == nil {
		t.Fatal("show names no DPoP key thumbprint")
	}
	if r := h.MustCredctl("request", "Orders DPoP", api.URL+"/orders"); !strings.Contains(r.Stdout, m[1]) {
		t.Errorf("request: the API did not see the profile's key:\n%s", r)
	}
	r := h.MustCredctl("token", "Orders DPoP", "--dpop-proof-for", "DELETE", api.URL+"/orders/7", "--dpop-nonce", api.Nonce())
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("token --dpop-proof-for:\n%s", r)
	}
	req, _ := http.NewRequest(http.MethodDelete, api.URL+"/orders/7", nil)
	req.Header.Set("Authorization", "DPoP "+lines[0])
	req.Header.Set("DPoP", lines[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the script's DELETE with credctl's proof: %d", resp.StatusCode)
	}
	if r := h.Credctl("kubectl-credential", "Orders DPoP"); r.Code == 0 || r.Stdout != "" || !strings.Contains(r.Stderr, "only a bearer token") {
		t.Errorf("kubectl-credential with a DPoP profile:\n%s", r)
	}
}

// TestDPoPFormInWorkbench: in bin/credworkbench at 800×600, the profile
// form's DPoP box (Advanced) turns DPoP on; the details pane then shows
// the key's thumbprint, and bin/credctl tests the profile Active with a
// DPoP-bound token.
func TestDPoPFormInWorkbench(t *testing.T) {
	h := New(t)
	idp, _ := dpopSetup(h)
	dpopAdd(h, idp, "Orders API", "--no-test")
	w := h.StartWorkbench()
	defer w.Stop()
	w.Resize(800, 600)
	w.ClickText("Orders API", uiWait)
	w.Key("Return")
	w.WaitText("Edit Orders API", uiWait)
	// The form scrolls at 800×600: down to Advanced, open it, down to DPoP.
	scrollTo := func(text string) {
		for range 12 {
			if strings.Contains(w.OCR().Text(), text) {
				return
			}
			w.wheel(400, 320, 5)
		}
	}
	scrollTo("Advanced")
	w.ClickText("Advanced", uiWait)
	scrollTo("DPoP key")
	shot := w.Screenshot()
	w.ClickText("DPoP key", uiWait)
	t.Logf("the form with the DPoP box: %s", shot)
	// Enter in an entry saves (as a keyboard user does).
	w.ClickText("Tenant header", uiWait)
	w.Key("Tab")
	w.Key("Return")
	w.WaitGone("Edit Orders API", uiWait)

	show := h.MustCredctl("show", "Orders API").Stdout
	m := dpopThumbprint.FindStringSubmatch(show)
	if m == nil {
		t.Fatalf("credctl show after ticking DPoP in the window:\n%s", show)
	}
	// The window tested the saved profile: Active, with a DPoP-bound token.
	w.WaitText("Active", uiWait)
	for range 10 { // the details pane scrolls to the DPoP line
		if strings.Contains(w.OCR().Text(), "thumbprint") {
			break
		}
		w.wheel(300, 470, 5)
	}
	if s := w.WaitText("thumbprint", uiWait); !strings.Contains(s.Text(), m[1][:6]) {
		t.Logf("the details' thumbprint did not OCR exactly (want %s…):\n%s", m[1][:6], s.Text())
	}
	if r := h.MustCredctl("test", "Orders API"); !strings.Contains(r.Stdout, "Active") {
		t.Errorf("credctl test of the DPoP profile:\n%s", r)
	}
	if r := h.MustCredctl("token", "Orders API", "--json"); !strings.Contains(r.Stdout, `"tokenType": "DPoP"`) {
		t.Errorf("token type:\n%s", r.Stdout)
	}
}

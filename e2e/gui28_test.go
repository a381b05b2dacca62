package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// TestWorkbenchStepUpOffer: in bin/credworkbench, a test request to an API
// that demands the MFA acr is answered with the RFC 9470 challenge; the
// window offers a new login naming what the API asks; "Log in and retry"
// signs carol in with her second factor and the request is sent again
// and passes.
func TestWorkbenchStepUpOffer(t *testing.T) {
	h := New(t)
	const otp = "662607"
	idp := h.StartIdP(testidp.WithStepUp(), testidp.WithUser(testidp.User{Username: "carol", Password: "secure", Roles: []string{"viewer"}, OTP: otp}))
	api := testapi.StartStepUp(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource, Client: idp.HTTPClient()},
		testapi.StepUpPolicy{ACRValues: []string{"urn:credworkbench:loa:mfa"}})
	browser := h.LoginBrowser("carol", "secure")
	browser.UseQuick()
	h.AddUser(idp, "Carol portal", "--par")
	p := h.StartCredctl("", "login", "Carol portal", "--timeout", "60s")
	if err := browser.Wait(60 * time.Second); err != nil {
		t.Fatal(err)
	}
	if r := p.Wait(); r.Code != 0 {
		t.Fatalf("login: %s", r)
	}

	w := h.StartWorkbench()
	defer w.Stop()
	w.Resize(1280, 800)
	w.WaitText("Carol portal", uiWait)
	w.ClickText("Carol portal", uiWait) // select the row
	w.Key("ctrl+r")
	w.waitPlain("No request sent yet")
	w.Type(api.URL + "/orders")
	w.Key("Return")
	if s := w.waitPlain("stronger sign-in"); !strings.Contains(s, "loa:mfa") {
		t.Errorf("the offer does not name the acr the API asks for:\n%s", s)
	}
	browser.UseOTP(otp)
	w.Key("Return") // Log in and retry (a dialog's buttons do not OCR well)
	if err := browser.Wait(60 * time.Second); err != nil {
		t.Fatalf("the step-up login: %v", err)
	}
	w.waitPlain("HTTP 200")
}

// TestWorkbenchShowsLoginRequest: a profile added with credctl --par shows
// its login request in the workbench's details.
func TestWorkbenchShowsLoginRequest(t *testing.T) {
	h := New(t)
	h.AddUser(nil, "Portal", "--par", "--redirect-port", "0")
	w := h.StartWorkbench()
	defer w.Stop()
	w.Resize(1280, 800)
	w.WaitText("Portal", uiWait)
	w.Key("Down") // select the row: its details
	// "Client secret" is only in the details ("Client ID" is also a column
	// of the table, shown before the details are).
	w.WaitText("Client secret", uiWait)
	w.wheel(500, 700, 10) // the details pane scrolls: the login request is near its end
	w.WaitText("pushed (PAR)", uiWait)
}

// waitPlain waits for text in the window read by tesseract from the plain
// screenshot: the harness's negated image loses the text of the large
// request dialog (its background is lighter than the window's).
func (w *Window) waitPlain(text string) string {
	w.t.Helper()
	deadline := time.Now().Add(uiWait)
	for {
		shot := w.Screenshot()
		cmd := exec.Command("tesseract", shot, "stdout", "-l", "eng")
		cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
		out, _ := cmd.Output()
		if strings.Contains(normalize(string(out)), normalize(text)) {
			return string(out)
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("the window did not show %q within %s (screenshot %s); it read:\n%s", text, uiWait, shot, out)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

package ui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
)

// TestStepUpOffer: an API that demands the MFA acr answers the workbench's
// Request and a transport run with the RFC 9470 challenge; the window
// offers a new login naming what the API asks, the user logs in with the
// second factor, and the call is sent again and passes.
func TestStepUpOffer(t *testing.T) {
	requireKeyring(t)
	const otp = "577215"
	const acr = "urn:credworkbench:loa:mfa"
	idp := testidp.Start(t, testidp.WithStepUp(), testidp.WithUser(testidp.User{Username: "carol", Password: "secure", Roles: []string{"viewer"}, OTP: otp}))
	api := testapi.StartStepUp(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource},
		testapi.StepUpPolicy{ACRValues: []string{acr}})
	repo := newRepo(t, nil)
	user := saveProfile(t, repo, credentials.Profile{Name: "Carol portal", Type: credentials.TypeUser, IssuerURL: idp.Issuer,
		ClientID: testidp.PublicClientID, Scope: "openid profile api:read offline_access", Resource: testidp.Resource}, "")
	t.Cleanup(func() { _ = repo.Delete(user.ID) })
	tr, err := repo.Transports().Save(credentials.Transport{Name: "Orders", Type: credentials.TransportHTTP, Method: "GET",
		URL: api.URL + "/orders", Authorization: credentials.AuthCredential, ProfileID: user.ID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var withOTP atomic.Bool
	browser := browserFunc(func(u string) error {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var opts []testidp.BrowserOption
			if withOTP.Load() {
				opts = append(opts, testidp.WithOTP(otp))
			}
			if err := testidp.BrowserLogin(ctx, u, "carol", "secure", opts...); err != nil {
				t.Errorf("browser login: %v", err)
			}
		}()
		return nil
	})
	h := newHarness(t, repo, browser)
	h.selectProfile("Carol portal")
	h.shortcut(fyne.KeyL)
	h.waitFor("the login", func() bool {
		return h.wb.dialogs.top() != nil && strings.HasPrefix(h.wb.dialogs.top().body.Text, "Logged in as")
	})
	h.closeAll()

	offer := func(what, acr string) *shownDialog {
		h.waitFor(what, func() bool { top := h.wb.dialogs.top(); return top != nil && top.title == stepUpTitle })
		top := h.wb.dialogs.top()
		if !strings.Contains(top.body.Text, acr) {
			t.Fatalf("the offer does not name what the API asks: %q", top.body.Text)
		}
		return top
	}

	// A transport run: 401 with the challenge → the offer → login with the second factor → run again.
	h.wb.nav.reload()
	h.wb.nav.run(tr.ID)
	h.waitFor("the first run", func() bool { return h.wb.nav.transport.results[tr.ID] != nil })
	if res := h.wb.nav.transport.results[tr.ID]; res.Response == nil || res.Response.StepUp == nil {
		t.Fatalf("first run: %s %v %+v top %v", res.Outcome, res.Diagnosis, res.Response, h.wb.dialogs.top())
	}
	top := offer("the step-up offer after a transport run", acr)
	withOTP.Store(true)
	h.tap(top.button("Log in and retry"))
	h.waitFor("the retried run", func() bool {
		res := h.wb.nav.transport.results[tr.ID]
		return res != nil && res.OK()
	})
	h.closeAll()

	// Request to an API that wants another level (phr): the offer names it,
	// the new login asks for it, and the request is sent again.
	api2 := testapi.StartStepUp(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource},
		testapi.StepUpPolicy{ACRValues: []string{"phr"}})
	d := h.wb.screens.openRequest(user.ID, user.Name)
	d.url.SetText(api2.URL + "/orders")
	d.sendNow()
	top = offer("the step-up offer after Request", "phr")
	h.tap(top.button("Log in and retry"))
	h.waitFor("the retried request", func() bool {
		for _, r := range api2.Requests() {
			if r.Outcome == "ok" {
				return true
			}
		}
		return false
	})
}

package ui

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/internal/testapi"
	"github.com/credworkbench/credworkbench/internal/testidp"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// apiCall is what the test API saw of one request.
type apiCall struct {
	method, path, auth, tenant, ctype, action, custom, body string
}

// testAPI is an API that records each call and answers by path: /denied
// with a 401 Bearer challenge, /echo with the Authorization header it got.
type testAPI struct {
	*httptest.Server
	mu    sync.Mutex
	calls []apiCall
}

func newTestAPI(t *testing.T) *testAPI {
	a := &testAPI{}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.calls = append(a.calls, apiCall{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get(credentials.DefaultTenantHeader),
			r.Header.Get("Content-Type"), r.Header.Get("SOAPAction"), r.Header.Get("X-Trace"), string(b)})
		a.mu.Unlock()
		switch r.URL.Path {
		case "/denied":
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="expired"`)
			w.WriteHeader(http.StatusUnauthorized)
		case "/slow":
			<-r.Context().Done() // answers only when the client gives up
		case "/big":
			_, _ = io.WriteString(w, strings.Repeat("y", oauthflow.MaxResponseExcerpt+100))
		case "/echo":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"authorization":"`+r.Header.Get("Authorization")+`"}`)
		default:
			w.Header().Set("X-Answer", "42")
			_, _ = io.WriteString(w, "hello from the API")
		}
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *testAPI) last(t *testing.T) apiCall {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.calls) == 0 {
		t.Fatal("the API got no request")
	}
	return a.calls[len(a.calls)-1]
}

// requestHarness is the workbench with an Application profile (tenant set)
// at the test IdP, selected, and an API to call.
func requestHarness(t *testing.T) (*harness, *testAPI) {
	t.Helper()
	requireKeyring(t)
	idp := testidp.Start(t, testidp.WithTLS())
	repo := newRepo(t, nil)
	p := appProfile("Orders API", idp)
	p.Tenant = testidp.TenantID
	saveProfile(t, repo, p, testidp.AppClientSecret)
	h := newHarness(t, repo, nil)
	h.selectProfile("Orders API")
	return h, newTestAPI(t)
}

// send taps Send and waits for the answer.
func (h *harness) send(d *requestDialog) {
	h.t.Helper()
	h.tap(d.send)
	if d.stop == nil || !d.progress.Visible() || d.cancel.Disabled() || !d.send.Disabled() {
		h.t.Error("while the request runs the dialog shows progress, offers Cancel request and disables Send")
	}
	h.waitFor("the answer", func() bool { return d.stop == nil })
}

// dialogTexts is every label text of the request dialog, as shown.
func dialogTexts(h *harness) string {
	var texts []string
	walk(h.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Visible() {
			texts = append(texts, l.Text)
		}
	})
	return strings.Join(texts, "\n")
}

func TestRequestDialogSendsWithBearerAndTenant(t *testing.T) {
	h, api := requestHarness(t)
	h.tap(h.wb.toolbar["Request"])
	d := h.wb.screens.req
	if d == nil || h.wb.dialogs.top() != d.s || !strings.Contains(d.s.title, "Orders API") {
		t.Fatal("the Request button should open the request dialog named after the profile")
	}
	if !d.send.Disabled() {
		t.Error("Send must be disabled until a URL is typed")
	}
	test.Type(d.url, "ftp://nope")
	if !d.urlMsg.Visible() || !strings.Contains(d.urlMsg.Text, "http://") || !d.send.Disabled() {
		t.Errorf("a bad URL should say so and keep Send disabled: %q", d.urlMsg.Text)
	}
	d.url.SetText("")
	test.Type(d.url, api.URL+"/orders")
	test.Type(d.headers, "X-Trace: abc-1")
	if d.urlMsg.Visible() || d.send.Disabled() {
		t.Fatal("Send should be enabled for a valid URL")
	}
	h.send(d)

	got := api.last(t)
	if got.method != http.MethodGet || got.path != "/orders" || !strings.HasPrefix(got.auth, "Bearer ") ||
		len(got.auth) < len("Bearer ")+20 || got.tenant != testidp.TenantID || got.custom != "abc-1" {
		t.Fatalf("the API saw %+v", got)
	}
	if !strings.HasPrefix(d.status.Text, "HTTP 200 OK · ") || !strings.Contains(d.status.Text, "ms") ||
		d.status.Importance != widget.SuccessImportance {
		t.Errorf("status = %q (importance %v)", d.status.Text, d.status.Importance)
	}
	if !strings.Contains(d.response.Text, "X-Answer: 42") || !strings.Contains(d.response.Text, "hello from the API") {
		t.Errorf("response = %q", d.response.Text)
	}
	if d.problem.Visible() {
		t.Errorf("a 200 shows no problem: %q", d.problem.Text)
	}
	// The request fetched the profile's first token: the row shows the
	// outcome, not a "Testing…" that never ends.
	h.waitFor("the token fetch to show in the row", func() bool { return len(h.wb.m.History(h.wb.m.Sel.SelectedID())) >= 2 })
	if got := h.statusOf("Orders API"); got != "Active" || h.wb.toolbar["Test"].Disabled() {
		t.Errorf("after the request's token fetch the row says %q (Test disabled: %v)", got, h.wb.toolbar["Test"].Disabled())
	}
	token := strings.TrimPrefix(got.auth, "Bearer ")
	if shown := dialogTexts(h); !strings.Contains(shown, "hello from the API") || !strings.Contains(shown, "HTTP 200") {
		t.Fatalf("the dialog as rendered lacks the answer:\n%s", shown)
	}
	if strings.Contains(dialogTexts(h), token) || strings.Contains(h.wb.bar.text.Text, token) {
		t.Error("the dialog shows the bearer token")
	}

	// An API that echoes the Authorization header: the token stays hidden.
	d.url.SetText(api.URL + "/echo")
	h.send(d)
	if !strings.Contains(d.response.Text, "token hidden") || strings.Contains(dialogTexts(h), token) {
		t.Errorf("an echoed token must be hidden; response = %q", d.response.Text)
	}
	h.tap(d.copyBtn)
	if c := h.app.Clipboard().Content(); !strings.Contains(c, "HTTP 200") || strings.Contains(c, token) {
		t.Errorf("clipboard = %q", c)
	}

	// A huge one-line body: cut at the excerpt, said so, broken into lines.
	d.url.SetText(api.URL + "/big")
	h.send(d)
	joined := strings.ReplaceAll(d.response.Text, "\n", "")
	if !strings.Contains(d.response.Text, "(truncated") || !strings.Contains(joined, strings.Repeat("y", oauthflow.MaxResponseExcerpt)) ||
		strings.Contains(joined, strings.Repeat("y", oauthflow.MaxResponseExcerpt+1)) {
		t.Errorf("a truncated body shows the excerpt and says so; tail: %q", d.response.Text[max(0, len(d.response.Text)-120):])
	}
	// Every line fits the visible response area: nothing is cut at its edge.
	room := d.scroll.Size().Width - 2*theme.InnerPadding()
	for _, line := range strings.Split(d.response.Text, "\n") {
		if w := fyne.MeasureText(line, theme.TextSize(), fyne.TextStyle{Monospace: true}).Width; w > room {
			t.Fatalf("a line %.0f px wide is shown in %.0f px: %q", w, room, line)
		}
	}
	h.tap(d.copyBtn)
	if c := h.app.Clipboard().Content(); !strings.Contains(c, strings.Repeat("y", 300)) {
		t.Error("Copy response copies the hard-wrapped text, not the answer")
	}

	// Escape closes; the dialog remembers the URL and method for this profile.
	h.key(fyne.KeyEscape)
	if h.wb.dialogs.top() != nil || h.wb.screens.req != nil {
		t.Fatal("Escape should close the request dialog")
	}
	h.shortcut(fyne.KeyR)
	d = h.wb.screens.req
	if d == nil {
		t.Fatal("Ctrl+R should open the request dialog")
	}
	if d.url.Text != api.URL+"/big" || d.method.Selected != http.MethodGet || d.headers.Text != "X-Trace: abc-1" {
		t.Errorf("not remembered: %q %q %q", d.url.Text, d.method.Selected, d.headers.Text)
	}
	// Escape in a focused entry closes it as well.
	d.url.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.wb.dialogs.top() != nil {
		t.Error("Escape in the URL entry should close the dialog")
	}
}

func TestRequestDialogSOAP11Preset(t *testing.T) {
	h, api := requestHarness(t)
	h.shortcut(fyne.KeyR)
	d := h.wb.screens.req
	test.Type(d.url, api.URL+"/soap")
	test.Type(d.headers, "X-Trace: soap-1")
	h.tap(d.soap11)
	if d.method.Selected != http.MethodPost || !strings.Contains(d.body.Text, "http://schemas.xmlsoap.org/soap/envelope/") ||
		!strings.Contains(d.headers.Text, `SOAPAction: "`+soapAction+`"`) || !strings.Contains(d.headers.Text, "X-Trace: soap-1") {
		t.Fatalf("SOAP 1.1 preset: method %q headers %q body %q", d.method.Selected, d.headers.Text, d.body.Text)
	}
	h.send(d)
	got := api.last(t)
	if got.method != http.MethodPost || !strings.HasPrefix(got.ctype, "text/xml") || got.action != `"`+soapAction+`"` ||
		got.custom != "soap-1" || !strings.Contains(got.body, "<soap:Envelope") || !strings.HasPrefix(got.auth, "Bearer ") {
		t.Fatalf("the API saw %+v", got)
	}

	// SOAP 1.2 switches the content type (action as a parameter) and the envelope.
	h.tap(d.soap12)
	if strings.Contains(d.headers.Text, "SOAPAction") || !strings.Contains(d.headers.Text, "application/soap+xml") ||
		!strings.Contains(d.headers.Text, `action="`+soapAction+`"`) || !strings.Contains(d.body.Text, "2003/05/soap-envelope") {
		t.Fatalf("SOAP 1.2 preset: headers %q body %q", d.headers.Text, d.body.Text)
	}
	h.send(d)
	if got := api.last(t); !strings.HasPrefix(got.ctype, "application/soap+xml") || got.action != "" || !strings.Contains(got.body, "2003/05") {
		t.Errorf("the API saw %+v", got)
	}
}

func TestRequestDialogExplains401(t *testing.T) {
	h, api := requestHarness(t)
	test.TapSecondary(h.cell(h.rowOf("Orders API"), colName))
	i := slices.IndexFunc(h.wb.menu.Items, func(it *fyne.MenuItem) bool { return strings.HasPrefix(it.Label, "Send a test request…") })
	if i < 0 || h.wb.menu.Items[i].Disabled {
		t.Fatal("the right-click menu should offer Send a test request…")
	}
	h.wb.win.Canvas().Overlays().Top().Hide()
	h.wb.menu.Items[i].Action()
	d := h.wb.screens.req
	test.Type(d.url, api.URL+"/denied")
	h.send(d)
	if !strings.HasPrefix(d.status.Text, "HTTP 401 Unauthorized") || d.status.Importance != widget.DangerImportance {
		t.Errorf("status = %q", d.status.Text)
	}
	if !d.problem.Visible() || !strings.Contains(d.problem.Text, "invalid_token: expired") {
		t.Errorf("the 401's reason should be shown: %q", d.problem.Text)
	}
	if !d.advice.Visible() || !strings.Contains(d.advice.Text, "the next request fetches a fresh one") {
		t.Errorf("advice = %q", d.advice.Text)
	}

	// No answer at all: the failure's category and advice, like the details pane.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/"
	l.Close()
	d.url.SetText(closed)
	h.send(d)
	if !strings.HasPrefix(d.problem.Text, "Network: ") || !strings.Contains(d.advice.Text, "Validate network access") {
		t.Errorf("failure: %q / %q", d.problem.Text, d.advice.Text)
	}
	if d.response.Text != "" {
		t.Errorf("no answer, yet the response shows %q", d.response.Text)
	}
}

func TestRequestDialogValidatesHeaders(t *testing.T) {
	repo := newRepo(t, nil)
	seedNoSecrets(t, repo, userProfile("Hdr", "hdr", "https://idp.example.com/auth"))
	h := newHarness(t, repo, nil)
	if !h.wb.toolbar["Request"].Disabled() {
		t.Error("Request needs a selected profile")
	}
	h.selectProfile("Hdr")
	h.tap(h.wb.toolbar["Request"])
	d := h.wb.screens.req
	test.Type(d.url, "https://api.example.com/x")
	if d.send.Disabled() {
		t.Fatal("Send should be enabled")
	}
	for _, c := range []struct{ text, want string }{
		{"Accept application/json", `Line 1 ("Accept"…) must look like "Name: value"`},
		{"Accept: */*\nBad Name: x", `Line 2: "Bad Name" is not a valid header name`},
		{"Authorization: Bearer mine", "Authorization header is set from the profile's token"},
	} {
		d.headers.SetText(c.text)
		if !d.headersMsg.Visible() || !strings.Contains(d.headersMsg.Text, c.want) || !d.send.Disabled() {
			t.Errorf("headers %q: message %q (visible %v), Send disabled %v", c.text, d.headersMsg.Text, d.headersMsg.Visible(), d.send.Disabled())
		}
	}
	d.headers.SetText("Accept: */*\n\nX-Empty:")
	if d.headersMsg.Visible() || d.send.Disabled() {
		t.Errorf("valid headers: message %q, Send disabled %v", d.headersMsg.Text, d.send.Disabled())
	}
	if got := d.header.Get("Accept"); got != "*/*" {
		t.Errorf("parsed Accept = %q", got)
	}
	h.key(fyne.KeyEscape)
	if h.wb.dialogs.top() != nil || h.wb.screens.req != nil {
		t.Error("Escape should close the dialog")
	}
}

func TestRequestDialogCancelStopsTheRequest(t *testing.T) {
	h, api := requestHarness(t)
	h.shortcut(fyne.KeyR)
	d := h.wb.screens.req
	test.Type(d.url, api.URL+"/slow")
	h.tap(d.send)
	h.waitFor("the API to get the request", func() bool {
		api.mu.Lock()
		defer api.mu.Unlock()
		return len(api.calls) == 1
	})
	// The UI stays responsive while the request hangs.
	test.Type(d.headers, "X-Trace: 1")
	if d.headers.Text != "X-Trace: 1" || !h.wb.bar.activity.Visible() {
		t.Error("typing should work while a request runs, with the activity shown")
	}
	h.tap(d.cancel)
	h.waitFor("the cancelled request", func() bool { return d.stop == nil })
	if d.status.Text != "Request cancelled: no answer." || d.problem.Visible() || d.send.Disabled() || !d.cancel.Disabled() {
		t.Errorf("after cancel: status %q problem %q send disabled %v", d.status.Text, d.problem.Text, d.send.Disabled())
	}
	if h.wb.bar.activity.Visible() {
		t.Error("the activity should stop")
	}
}

func TestRedactHidesTokensOnly(t *testing.T) {
	for in, want := range map[string]string{
		`{"authorization":"Bearer 2YotnFZFEjr1zCsicMWpAA=="}`:         `{"authorization":"Bearer ••••(token hidden)"}`,
		`WWW-Authenticate: Bearer realm="api", error="invalid_token"`: `WWW-Authenticate: Bearer realm="api", error="invalid_token"`,
		`id: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln end`:           `id: ••••(token hidden) end`,
		`plain text with bearer words`:                                `plain text with bearer words`,
	} {
		if got := oauthflow.RedactBearer(in); got != want {
			t.Errorf("RedactBearer(%q) = %q, want %q", in, got, want)
		}
	}
}

// A SOAP service that wants the token in the envelope: the answer is
// indented, and the fault is explained with the way out (#24.16).
func TestRequestDialogSOAPFault(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Shared(t)
	repo := newRepo(t, nil)
	p := appProfile("Orders API", idp)
	saveProfile(t, repo, p, testidp.AppClientSecret)
	h := newHarness(t, repo, nil)
	h.selectProfile("Orders API")
	svc := testapi.StartSOAP11(t, testapi.Config{Issuer: idp.Issuer, JWKSURL: idp.JWKSURL, Audience: testidp.Resource}, testapi.FromWSSecurity)
	h.shortcut(fyne.KeyR)
	d := h.wb.screens.req
	test.Type(d.url, svc.URL+"/soap")
	d.soapPreset(oauthflow.SOAP11)
	h.send(d)
	shown := dialogTexts(h)
	if !strings.Contains(shown, "SecurityTokenUnavailable") || !strings.Contains(shown, "Token in: WS-Security header") {
		t.Errorf("the fault is not explained:\n%s", shown)
	}
	if !strings.Contains(d.response.Text, "\n  <") {
		t.Errorf("the XML answer is not indented:\n%s", d.response.Text)
	}
}

// An unsent draft survives closing the dialog (#24.13).
func TestRequestDraftKept(t *testing.T) {
	h, api := requestHarness(t)
	h.shortcut(fyne.KeyR)
	d := h.wb.screens.req
	test.Type(d.url, api.URL+"/draft")
	d.method.SetSelected(http.MethodPost)
	test.Type(d.body, `{"draft": true}`)
	h.key(fyne.KeyEscape)
	if h.wb.screens.req != nil {
		t.Fatal("Escape should close the request dialog")
	}
	h.shortcut(fyne.KeyR)
	d = h.wb.screens.req
	if d.url.Text != api.URL+"/draft" || d.method.Selected != http.MethodPost || d.body.Text != `{"draft": true}` {
		t.Errorf("the draft was lost: %q %q %q", d.url.Text, d.method.Selected, d.body.Text)
	}
}

package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"reflect"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// Labels of the editor's choices, as the product's documentation names them.
const (
	authNone       = "None"
	authCredential = "Credential"
	tokenInHeader  = "HTTP Authorization header" // #nosec G101 -- a label, not a credential
	tokenInWSSE    = "WS-Security header (BinarySecurityToken)"
	noProfile      = "(select a profile)"
)

// transportEditor is the Transport configuration dialog: type, URL, …, and
// an Authorization dropdown whose Credential choice reveals a Name select
// of the profiles. Every widget is a field so tests drive it.
type transportEditor struct {
	n    *navigator
	orig *credentials.Transport // nil: a new transport
	s    *shownDialog

	name        *entry
	typ         *widget.Select
	url         *entry
	method      *widget.Select
	headers     *entry
	body        *entry
	bodyFile    *entry
	soapVersion *widget.Select
	soapAction  *entry
	timeout     *entry
	auth        *widget.Select
	profile     *widget.Select // the "Name" of the credential
	tokenIn     *widget.Select
	errors      *widget.Label
	result      *widget.Label // the answer of "Run unsaved"
	scroll      *container.Scroll
	form        fyne.CanvasObject // the rows inside the scroll

	httpRows, soapRows, credRows []fyne.CanvasObject
	profileIDs                   map[string]string // label → ID

	initial      credentials.Transport // what the fields held when the editor opened
	discardArmed bool                  // Cancel was pressed once on a changed form
}

// editorWidth is the width the editor asks for; the dialog is as tall as
// its form, and never larger than the window (the form scrolls then).
const editorWidth = 720

// edit opens the editor for t (nil: a new transport).
func (n *navigator) edit(t *credentials.Transport) *transportEditor {
	d := n.h.dialogs()
	if d.top() != nil {
		return nil
	}
	e := &transportEditor{n: n, orig: t, profileIDs: map[string]string{}}
	n.editor = e
	content := e.build()
	title := "Transport configuration: new transport"
	if t != nil && t.ID != "" {
		title = "Transport configuration: " + t.Name
	}
	e.s = d.show(title, content,
		dialogButton{label: "Cancel", keepOpen: true, fn: d.closeTop},
		dialogButton{label: "Run unsaved", keepOpen: true, fn: e.runUnsaved},
		dialogButton{label: "Save", importance: widget.HighImportance, keepOpen: true, fn: e.save})
	e.s.mayClose = e.mayDiscard
	if t != nil {
		e.fill(*t)
	}
	e.sync()
	e.initial, _ = e.transport()
	return e
}

// fit asks for the dialog's natural size, the whole form without
// scrolling; the modal pop-up keeps it inside the window, where the
// scroll gets what is left.
func (e *transportEditor) fit() {
	if e.s == nil {
		return
	}
	min := e.s.d.MinSize()
	extra := e.form.MinSize().Height - e.scroll.MinSize().Height
	e.s.d.Resize(fyne.NewSize(max(min.Width, editorWidth), min.Height+max(extra, 0)))
}

// changed says whether the fields differ from what the editor opened with.
func (e *transportEditor) changed() bool {
	t, err := e.transport()
	return err != nil || !reflect.DeepEqual(t, e.initial)
}

// mayDiscard is asked before Escape or Cancel closes the editor: the first
// press on a changed form says what would be lost, the second discards.
func (e *transportEditor) mayDiscard() bool {
	if e.discardArmed || !e.changed() {
		return true
	}
	e.discardArmed = true
	e.errors.SetText("This transport has unsaved changes. Press Escape or Discard changes again to drop them, or Save to keep them.")
	e.errors.Importance = widget.WarningImportance
	e.errors.Show()
	e.errors.Refresh()
	if b := e.s.button("Cancel"); b != nil {
		b.SetText("Discard changes")
	}
	// No fit: the button just pressed stays under the pointer for the second press.
	e.scroll.ScrollToTop()
	return false
}

func (e *transportEditor) build() fyne.CanvasObject {
	d := e.n.h.dialogs()
	e.name = newEntry(d)
	e.typ = widget.NewSelect([]string{string(credentials.TransportHTTP), string(credentials.TransportWSSOAP)}, func(string) { e.sync() })
	e.typ.SetSelected(string(credentials.TransportHTTP))
	e.url = newEntry(d)
	e.url.SetPlaceHolder("https://api.example.com/v1/orders")
	e.method = widget.NewSelect(requestMethods, nil)
	e.method.SetSelected(http.MethodGet)
	e.headers = newEntry(d)
	e.headers.MultiLine = true
	e.headers.SetMinRowsVisible(3)
	e.headers.SetPlaceHolder("Accept: application/json\n(one 'Name: value' per line; the token is added from the credential)")
	e.body = newEntry(d)
	e.body.MultiLine = true
	e.body.SetMinRowsVisible(4)
	e.bodyFile = newEntry(d)
	e.bodyFile.SetPlaceHolder("/path/read/at/each/run.xml")
	e.soapVersion = widget.NewSelect([]string{credentials.SOAPVersion11, credentials.SOAPVersion12}, nil)
	e.soapVersion.SetSelected(credentials.SOAPVersion11)
	e.soapAction = newEntry(d)
	e.soapAction.SetPlaceHolder("urn:example:Operation")
	e.timeout = newEntry(d)
	e.timeout.SetPlaceHolder("30s")
	e.auth = widget.NewSelect([]string{authNone, authCredential}, func(string) { e.sync() })
	e.auth.SetSelected(authNone)
	var labels []string
	labels = append(labels, noProfile)
	for _, p := range e.n.h.allProfiles() {
		label := fmt.Sprintf("%s (%s)", p.Name, p.Type.Label())
		e.profileIDs[label] = p.ID
		labels = append(labels, label)
	}
	e.profile = widget.NewSelect(labels, nil)
	e.profile.SetSelected(noProfile)
	e.tokenIn = widget.NewSelect([]string{tokenInHeader, tokenInWSSE}, nil)
	e.tokenIn.SetSelected(tokenInHeader)
	e.errors = widget.NewLabel("")
	e.errors.Wrapping = fyne.TextWrapWord
	e.errors.Importance = widget.DangerImportance
	e.errors.Hide()
	e.result = widget.NewLabel("")
	e.result.Wrapping = fyne.TextWrapWord
	e.result.Hide()

	// Short fields share a line (Type and Method, Body file and Timeout,
	// Authorization and Name), so the whole form fits a dialog in an
	// 800×600 window.
	row := func(label string, o fyne.CanvasObject) fyne.CanvasObject {
		l := widget.NewLabel(label)
		return container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(130, l.MinSize().Height), l), nil, o)
	}
	half := func(label string, o fyne.CanvasObject) fyne.CanvasObject {
		return container.NewBorder(nil, nil, widget.NewLabel(label), nil, o)
	}
	methodHalf, versionHalf := half("Method", e.method), half("SOAP version", e.soapVersion)
	actionRow := row("SOAP action", e.soapAction)
	nameHalf, tokenRow := half("Name", e.profile), row("Token in", e.tokenIn)
	e.httpRows = []fyne.CanvasObject{methodHalf}
	e.soapRows = []fyne.CanvasObject{versionHalf, actionRow}
	e.credRows = []fyne.CanvasObject{nameHalf, tokenRow}
	pair := func(left, right fyne.CanvasObject) fyne.CanvasObject {
		return container.NewGridWithColumns(2, left, right)
	}
	e.form = container.NewVBox(
		e.errors,
		row("Transport name", e.name),
		pair(row("Type", e.typ), container.NewStack(methodHalf, versionHalf)),
		row("URL", e.url), actionRow,
		row("Headers", e.headers), row("Body", e.body),
		pair(row("Body file", e.bodyFile), half("Timeout", e.timeout)),
		widget.NewSeparator(),
		pair(row("Authorization", e.auth), nameHalf), tokenRow,
		e.result,
	)
	e.scroll = container.NewVScroll(nil)
	// The wheel scrolls the form wherever the pointer is: over an entry it
	// would otherwise go to the entry and the form would not move.
	e.scroll.Content = container.NewStack(e.form, newWheelForwarder(e.scroll))
	e.scroll.SetMinSize(fyne.NewSize(editorWidth-40, 120))
	return e.scroll
}

// sync shows the rows the type and the Authorization choice need.
func (e *transportEditor) sync() {
	if len(e.credRows) < 2 || e.typ == nil || e.auth == nil {
		return // still being built
	}
	soap := e.typ.Selected == string(credentials.TransportWSSOAP)
	cred := e.auth.Selected == authCredential
	for _, r := range e.httpRows {
		setVisible(r, !soap)
	}
	for _, r := range e.soapRows {
		setVisible(r, soap)
	}
	setVisible(e.credRows[0], cred)
	setVisible(e.credRows[1], cred && soap)
	e.fit()
}

func setVisible(o fyne.CanvasObject, v bool) {
	if v {
		o.Show()
	} else {
		o.Hide()
	}
}

func (e *transportEditor) fill(t credentials.Transport) {
	e.name.SetText(t.Name)
	if t.Type != "" {
		e.typ.SetSelected(string(t.Type))
	}
	e.url.SetText(t.URL)
	if t.Method != "" {
		e.method.SetSelected(t.Method)
	}
	var hs []string
	for _, h := range t.Headers {
		hs = append(hs, h.Name+": "+h.Value)
	}
	e.headers.SetText(strings.Join(hs, "\n"))
	e.body.SetText(t.Body)
	e.bodyFile.SetText(t.BodyFile)
	if t.SOAPVersion != "" {
		e.soapVersion.SetSelected(t.SOAPVersion)
	}
	e.soapAction.SetText(t.SOAPAction)
	if t.Timeout > 0 {
		e.timeout.SetText(t.Timeout.D().String())
	}
	if t.Authorization == credentials.AuthCredential {
		e.auth.SetSelected(authCredential)
		for label, id := range e.profileIDs {
			if id == t.ProfileID {
				e.profile.SetSelected(label)
			}
		}
	}
	if t.TokenIn == credentials.TokenInWSSE {
		e.tokenIn.SetSelected(tokenInWSSE)
	}
}

// transport reads the fields; the error is a problem the fields cannot express.
func (e *transportEditor) transport() (credentials.Transport, error) {
	var t credentials.Transport
	if e.orig != nil {
		t = *e.orig
	}
	t.Name = e.name.Text
	t.Type = credentials.TransportType(e.typ.Selected)
	t.URL = strings.TrimSpace(e.url.Text)
	t.Method = e.method.Selected
	t.Headers = nil
	for i, line := range strings.Split(e.headers.Text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return t, fmt.Errorf("headers, line %d: write it as 'Name: value'", i+1)
		}
		t.Headers = append(t.Headers, credentials.Header{Name: textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(k)), Value: strings.TrimSpace(v)})
	}
	t.Body, t.BodyFile = e.body.Text, strings.TrimSpace(e.bodyFile.Text)
	t.SOAPVersion, t.SOAPAction = e.soapVersion.Selected, e.soapAction.Text
	t.Timeout = 0
	if s := strings.TrimSpace(e.timeout.Text); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			return t, fmt.Errorf("the timeout %q is not a duration like 30s or 2m", s)
		}
		t.Timeout = credentials.Duration(d)
	}
	t.Authorization, t.ProfileID, t.TokenIn = credentials.AuthNone, "", credentials.TokenInHeader
	if e.auth.Selected == authCredential {
		t.Authorization = credentials.AuthCredential
		t.ProfileID = e.profileIDs[e.profile.Selected]
		if e.tokenIn.Selected == tokenInWSSE && t.Type == credentials.TransportWSSOAP {
			t.TokenIn = credentials.TokenInWSSE
		}
	}
	return t, nil
}

func (e *transportEditor) showErrors(err error) {
	var ve *credentials.ValidationError
	if errors.As(err, &ve) {
		var lines []string
		for _, f := range ve.Fields {
			lines = append(lines, f.Message)
		}
		e.errors.SetText(strings.Join(lines, "\n"))
	} else {
		e.errors.SetText(err.Error())
	}
	e.errors.Importance = widget.DangerImportance
	e.errors.Show()
	e.errors.Refresh()
	e.fit()
	e.scroll.ScrollToTop()
}

// save validates and stores the transport; the dialog stays open on errors.
func (e *transportEditor) save() {
	t, err := e.transport()
	if err != nil {
		e.showErrors(err)
		return
	}
	ops := e.n.ops()
	if ops == nil {
		return
	}
	saved, err := ops.Transports().Save(t)
	if err != nil {
		e.showErrors(err)
		return
	}
	e.n.h.dialogs().hide(e.s)
	delete(e.n.transport.results, saved.ID)
	e.n.reload()
	e.n.selectTransport(saved.ID)
	cred := "no credential" // #nosec G101 -- a label, not a credential
	if saved.Authorization == credentials.AuthNone {
		cred = "Authorization None"
	} else if p := e.n.h.profileOf(saved.ProfileID); p != nil {
		cred = "credential " + p.Name
	}
	e.n.h.setStatus(fmt.Sprintf("Saved transport %q (%s)", saved.Name, cred))
}

// runUnsaved sends what the fields say without saving it: an unsaved
// transport, the way the old Send-request dialog worked.
func (e *transportEditor) runUnsaved() {
	ops := e.n.ops()
	if ops == nil {
		return
	}
	t, err := e.transport()
	if err != nil {
		e.showErrors(err)
		return
	}
	e.errors.Hide()
	e.result.SetText("Running…")
	e.result.Show()
	e.fit()
	var res *oauthflow.RunResult
	e.n.h.background("Running "+t.Name+"…", func(ctx context.Context) error {
		res = ops.Transports().RunUnsaved(ctx, t, oauthflow.RunOptions{})
		return nil
	}, func(error) {
		text := runLine(res)
		if res.Response != nil {
			text += "\n\n" + truncateText(res.Pretty, 2000)
		}
		if res.Diagnosis != nil && !res.OK() {
			text = res.Diagnosis.String() + "\n\n" + text
		}
		e.result.SetText(text)
		e.fit()
	})
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// saveAsTransport turns the Send-request dialog's call into a transport
// with this profile as its credential, in the Transport configuration
// editor: the request is the same call, now with a name and kept.
func (d *requestDialog) saveAsTransport() {
	d.closing()
	t := transportFromRequest(d.method.Selected, d.url.Text, d.headers.Text, d.body.Text)
	t.Authorization, t.ProfileID = credentials.AuthCredential, d.profileID
	d.editTransport(&t)
}

// transportFromRequest makes a transport of a request: a SOAP 1.1 or 1.2
// call (by its Content-Type) becomes WS_SOAP with its action, and the
// headers the SOAP type sets itself are left out.
func transportFromRequest(method, rawURL, headerText, body string) credentials.Transport {
	t := credentials.Transport{Type: credentials.TransportHTTP, Method: method, URL: strings.TrimSpace(rawURL), Body: body}
	h, _ := parseHeaderLines(headerText)
	ct := strings.ToLower(h.Get("Content-Type"))
	switch {
	case strings.HasPrefix(ct, "application/soap+xml"):
		t.Type, t.SOAPVersion = credentials.TransportWSSOAP, credentials.SOAPVersion12
		if _, after, ok := strings.Cut(h.Get("Content-Type"), "action="); ok {
			t.SOAPAction = strings.Trim(strings.TrimSpace(strings.Split(after, ";")[0]), `"`)
		}
	case strings.HasPrefix(ct, "text/xml") && h.Get("SOAPAction") != "":
		t.Type, t.SOAPVersion = credentials.TransportWSSOAP, credentials.SOAPVersion11
		t.SOAPAction = strings.Trim(h.Get("SOAPAction"), `"`)
	}
	for _, k := range sortedKeys(h) {
		if t.Type == credentials.TransportWSSOAP && (k == "Content-Type" || k == "Soapaction" || k == "Accept") {
			continue
		}
		for _, v := range h[k] {
			t.Headers = append(t.Headers, credentials.Header{Name: k, Value: v})
		}
	}
	return t
}

func sortedKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

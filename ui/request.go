package ui

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// requestMethods are the methods the dialog offers.
var requestMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead}

// requestMemory is what the dialog remembers per profile for the session,
// so a second test request to the same API is one click.
type requestMemory struct {
	url, method, headers, body string
}

// soapAction is the placeholder action the SOAP presets fill in; the user
// replaces it with the operation's action.
const soapAction = "urn:example:Operation"

// soapEnvelopes are the presets' envelope skeletons.
var soapEnvelopes = map[oauthflow.SOAPVersion]string{
	oauthflow.SOAP11: `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Header/>
  <soap:Body>
    <!-- the operation's request element -->
  </soap:Body>
</soap:Envelope>`,
	oauthflow.SOAP12: `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">
  <soap:Header/>
  <soap:Body>
    <!-- the operation's request element -->
  </soap:Body>
</soap:Envelope>`,
}

// requestDialog is "Send a test request": the request on top, the answer
// below. Every widget a user touches is a field, so tests drive it.
type requestDialog struct {
	h         requestHost
	s         *shownDialog
	profileID string
	name      string

	url        *entry
	urlMsg     *widget.Label
	method     *widget.Select
	headers    *entry
	headersMsg *widget.Label
	body       *entry
	soap11     *widget.Button
	soap12     *widget.Button
	send       *widget.Button
	cancel     *widget.Button
	copyBtn    *widget.Button

	progress *widget.ProgressBarInfinite
	status   *widget.Label // "HTTP 200 OK · 123 ms", or the failure
	raw      string        // the response as shown, before hard wrapping (what Copy copies)
	problem  *widget.Label // 401/403 reason, or the failure's category
	advice   *widget.Label // what to check
	response *widget.Label // headers and body excerpt, monospace
	scroll   *container.Scroll

	// memory is the drafts by profile ID (the session's, shared by every
	// request dialog); editTransport opens the transport editor.
	memory        map[string]requestMemory
	editTransport func(*credentials.Transport) *transportEditor
	onClosed      func()

	header http.Header // parsed from the headers entry while valid
	stop   context.CancelFunc
	seq    int // which send the answer belongs to
	closed bool
}

// requestHost is what the request dialog asks of the window.
type requestHost interface {
	uiHost
	startWork(label string) (finish func())
}

func newRequestDialog(h requestHost, id, name string, memory map[string]requestMemory,
	editTransport func(*credentials.Transport) *transportEditor) *requestDialog {
	return &requestDialog{h: h, profileID: id, name: name, memory: memory, editTransport: editTransport}
}

// open shows the dialog.
func (d *requestDialog) open() {
	h, dl := d.h, d.h.dialogs()
	d.url = newEntry(dl)
	d.url.SetPlaceHolder("https://api.example.com/v1/resource")
	d.urlMsg = inlineMessage()
	d.method = widget.NewSelect(requestMethods, func(string) {})
	d.method.SetSelected(http.MethodGet)

	d.headers = newEntry(dl)
	d.headers.MultiLine = true
	d.headers.Wrapping = fyne.TextWrapOff
	d.headers.SetMinRowsVisible(2)
	d.headers.SetPlaceHolder("Accept: application/json\n(one \"Name: value\" per line)")
	d.headersMsg = inlineMessage()

	d.body = newEntry(dl)
	d.body.MultiLine = true
	d.body.Wrapping = fyne.TextWrapOff
	d.body.TextStyle.Monospace = true
	// SOAP envelopes want a screenful; an 800×600 window leaves room for 4.
	d.body.SetMinRowsVisible(4)
	if h.window().Canvas().Size().Height >= 760 {
		d.body.SetMinRowsVisible(8)
	}
	d.body.SetPlaceHolder("Request body (optional)")

	d.soap11 = widget.NewButton("SOAP 1.1", func() { d.soapPreset(oauthflow.SOAP11) })
	d.soap12 = widget.NewButton("SOAP 1.2", func() { d.soapPreset(oauthflow.SOAP12) })
	note := widget.NewLabel("Authorization: Bearer and the tenant header are added from the profile.")
	note.Importance = widget.LowImportance
	note.Wrapping = fyne.TextWrapWord

	d.progress = widget.NewProgressBarInfinite()
	d.progress.Stop()
	d.progress.Hide()
	d.status = heading("No request sent yet")
	d.problem = wrapLabel()
	d.problem.Importance = widget.DangerImportance
	d.problem.TextStyle.Bold = true
	d.problem.Hide()
	d.advice = wrapLabel()
	d.advice.Hide()
	d.response = widget.NewLabel("")
	d.response.TextStyle.Monospace = true
	// No word wrapping: Fyne re-measures a wrapped 64 KiB line for seconds;
	// responseText breaks long lines itself (the text is monospace).
	d.response.Wrapping = fyne.TextWrapOff
	d.scroll = container.NewScroll(d.response)
	d.scroll.SetMinSize(fyne.NewSize(0, 120))

	if m, ok := d.memory[d.profileID]; ok {
		d.url.SetText(m.url)
		d.method.SetSelected(m.method)
		d.headers.SetText(m.headers)
		d.body.SetText(m.body)
	}

	form := container.New(layout.NewFormLayout(),
		widget.NewLabelWithStyle("URL", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}),
		container.NewVBox(container.NewBorder(nil, nil, d.method, nil, d.url), d.urlMsg),
		widget.NewLabelWithStyle("Headers", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}),
		container.NewVBox(d.headers, d.headersMsg),
		widget.NewLabelWithStyle("Body", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}),
		d.body,
		widget.NewLabel(""),
		container.NewBorder(nil, nil, container.NewHBox(d.soap11, d.soap12), nil, note),
	)
	answer := container.NewBorder(
		container.NewVBox(widget.NewSeparator(), d.progress, d.status, d.problem, d.advice), nil, nil, nil, d.scroll)
	content := container.NewStack(dl.fitSpacer(820, 640), container.NewBorder(form, nil, nil, nil, answer))

	d.s = dl.show("Send a test request with "+d.name, content,
		dialogButton{label: "Close"},
		dialogButton{label: "Save as transport", fn: d.saveAsTransport},
		dialogButton{label: "Copy response", keepOpen: true, fn: d.copyResponse},
		dialogButton{label: "Cancel request", keepOpen: true, fn: d.cancelSend},
		dialogButton{label: "Send", importance: widget.HighImportance, keepOpen: true, fn: d.sendNow})
	d.send, d.cancel, d.copyBtn = d.s.button("Send"), d.s.button("Cancel request"), d.s.button("Copy response")
	d.s.input = d.url
	// Escape, Close and a replacing dialog all end here: stop the request.
	d.s.d.SetOnClosed(d.closing)
	d.cancel.Disable()
	d.copyBtn.Disable()

	d.url.OnChanged = func(string) { d.validate() }
	d.url.OnSubmitted = func(string) {
		if !d.send.Disabled() {
			d.sendNow()
		}
	}
	d.headers.OnChanged = func(string) { d.validate() }
	d.validate()
	h.window().Canvas().Focus(d.url)
}

func inlineMessage() *widget.Label {
	l := wrapLabel()
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

func setMessage(l *widget.Label, msg string) {
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// validate checks the URL and headers as they are typed; Send is enabled
// only when both are usable and no request is in flight.
func (d *requestDialog) validate() {
	urlMsg := checkRequestURL(d.url.Text)
	setMessage(d.urlMsg, urlMsg)
	h, headerMsg := parseHeaderLines(d.headers.Text)
	setMessage(d.headersMsg, headerMsg)
	d.header = h
	if urlMsg != "" || headerMsg != "" || strings.TrimSpace(d.url.Text) == "" || d.stop != nil {
		d.send.Disable()
	} else {
		d.send.Enable()
	}
}

// checkRequestURL says what is wrong with a typed URL ("" when it is fine
// or still empty: an empty field only keeps Send disabled).
func checkRequestURL(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "Enter a full http:// or https:// URL, e.g. https://api.example.com/v1/items"
	}
	return ""
}

// parseHeaderLines reads "Name: value" lines by the request operation's
// rules (the same ones credctl request applies) and says which line is wrong.
func parseHeaderLines(text string) (http.Header, string) {
	h, err := oauthflow.ParseHeaderLines(text)
	if err != nil {
		return nil, upperFirst(err.Error()) + "."
	}
	return h, ""
}

// soapPreset turns the request into a SOAP call of that version: POST, the
// version's Content-Type and action, and an envelope skeleton. Other header
// lines and a body the user typed are kept.
func (d *requestDialog) soapPreset(v oauthflow.SOAPVersion) {
	action := soapAction
	spec := oauthflow.SOAPRequest(v, strings.TrimSpace(d.url.Text), action, nil)
	var lines []string
	for _, line := range strings.Split(d.headers.Text, "\n") {
		name, _, _ := strings.Cut(line, ":")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "content-type", "soapaction", "accept":
			continue // replaced by the preset's
		}
		if strings.TrimSpace(line) != "" {
			lines = append(lines, line)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(spec.Header)) {
		name := k
		if name == "Soapaction" {
			name = "SOAPAction" // as the SOAP 1.1 spec spells it; header names are case-insensitive
		}
		lines = append(lines, name+": "+spec.Header.Get(k))
	}
	d.method.SetSelected(spec.Method)
	d.headers.SetText(strings.Join(lines, "\n"))
	body := strings.TrimSpace(d.body.Text)
	if body == "" || body == soapEnvelopes[oauthflow.SOAP11] || body == soapEnvelopes[oauthflow.SOAP12] {
		d.body.SetText(soapEnvelopes[v])
	}
	d.validate()
}

// sendNow sends the request in the background; the dialog stays usable
// and Cancel request stops it.
func (d *requestDialog) sendNow() {
	d.validate()
	if d.send.Disabled() {
		return
	}
	h := d.h
	spec := oauthflow.RequestSpec{Method: d.method.Selected, URL: strings.TrimSpace(d.url.Text), Header: d.header}
	if d.body.Text != "" {
		spec.Body = []byte(d.body.Text)
	}
	d.memory[d.profileID] = requestMemory{url: spec.URL, method: spec.Method, headers: d.headers.Text, body: d.body.Text}

	ctx, cancel := context.WithTimeout(h.appContext(), opTimeout)
	d.stop = cancel
	d.seq++
	seq := d.seq
	d.send.Disable()
	d.cancel.Enable()
	d.progress.Show()
	d.progress.Start()
	d.status.SetText(fmt.Sprintf("Sending %s %s…", spec.Method, spec.URL))
	d.status.Importance = widget.MediumImportance
	d.status.Refresh()
	d.problem.Hide()
	d.advice.Hide()
	finish := h.startWork(fmt.Sprintf("%s: sending %s %s…", d.name, spec.Method, spec.URL))
	go func() {
		defer cancel()
		resp, err := h.service().Request(ctx, d.profileID, spec)
		h.onUI(func() {
			finish()
			if err != nil {
				h.noteKeyring(err)
			}
			if d.seq != seq {
				return
			}
			d.stop = nil
			d.finish(resp, err)
		})
	}()
}

func (d *requestDialog) cancelSend() {
	if d.stop != nil {
		d.stop()
	}
}

// closing is Escape or Close: stop what is in flight; its answer is dropped.
func (d *requestDialog) closing() {
	if d.closed {
		return
	}
	d.closed = true
	d.cancelSend()
	// An unsent draft is kept for the next Request on this profile, as a
	// sent one is: closing the dialog must not throw typing away.
	d.memory[d.profileID] = requestMemory{url: strings.TrimSpace(d.url.Text), method: d.method.Selected,
		headers: d.headers.Text, body: d.body.Text}
	if d.onClosed != nil {
		d.onClosed()
	}
}

// finish shows the answer, or why there is none.
func (d *requestDialog) finish(resp *oauthflow.Response, err error) {
	d.progress.Stop()
	d.progress.Hide()
	d.cancel.Disable()
	d.validate()
	if err != nil {
		d.showError(err)
		return
	}
	line := fmt.Sprintf("HTTP %d %s · %s", resp.Status, resp.StatusText, formatDuration(resp.Duration))
	d.status.SetText(line)
	switch {
	case resp.Status >= 200 && resp.Status < 300:
		d.status.Importance = widget.SuccessImportance
	case resp.Status >= 400:
		d.status.Importance = widget.DangerImportance
	default:
		d.status.Importance = widget.WarningImportance
	}
	d.status.Refresh()
	if resp.AuthProblem != "" || resp.Status == http.StatusUnauthorized || resp.Status == http.StatusForbidden {
		problem := resp.AuthProblem
		if problem == "" {
			problem = fmt.Sprintf("The API refused the request (%d %s).", resp.Status, resp.StatusText)
		}
		setMessage(d.problem, upperFirst(problem))
		setMessage(d.advice, "What to check: "+oauthflow.AuthAdvice(resp.Status, resp.AuthProblem))
	}
	if fault := oauthflow.ParseSOAPFault(resp.Body); fault != nil && d.problem.Hidden {
		setMessage(d.problem, fault.String())
		explain := fault.Explain()
		if explain == "" {
			explain = "Check the envelope, the SOAP version and the action against the service's WSDL."
		}
		setMessage(d.advice, "What to check: "+explain)
	}
	d.raw = responseText(resp)
	d.response.SetText(hardWrap(d.raw, d.columns()))
	d.scroll.ScrollToTop()
	d.copyBtn.Enable()
	d.h.setStatus(fmt.Sprintf("%s: %s %s → %s", d.name, d.method.Selected, strings.TrimSpace(d.url.Text), line))
	d.offerStepUp(resp) // stepup.go
}

func (d *requestDialog) showError(err error) {
	d.status.Importance = widget.DangerImportance
	d.response.SetText("")
	d.copyBtn.Disable()
	f, ok := oauthflow.AsFailure(err)
	switch {
	case ok && f.Category == oauthflow.CatCancelled, errors.Is(err, context.Canceled):
		d.status.Importance = widget.MediumImportance
		d.status.SetText("Request cancelled: no answer.")
		d.h.setStatus(d.name + ": request cancelled")
		return
	case ok && model.NotLoggedIn("", f):
		d.status.SetText("Not logged in: no token to send.")
		setMessage(d.problem, "Not logged in.")
		setMessage(d.advice, "Log in with this profile first (Login, Ctrl+L), then send the request again.")
	case ok:
		d.status.SetText("No answer: the request failed.")
		setMessage(d.problem, fmt.Sprintf("%s: %s", f.Category.Label(), oauthflow.RedactBearer(f.Error())))
		if a := f.Advice(); a != "" {
			setMessage(d.advice, "What to check: "+a)
		}
	default:
		d.status.SetText("No answer: the request failed.")
		setMessage(d.problem, upperFirst(oauthflow.RedactBearer(err.Error())))
	}
	d.status.Refresh()
	d.h.setStatus(fmt.Sprintf("%s: request failed: %s", d.name, d.problem.Text))
}

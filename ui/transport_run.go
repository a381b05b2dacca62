package ui

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// transportPane is the right side when a transport is selected: what it
// calls with which credential, Run / Edit / Delete, and the last answer
// (status, time, headers, the body indented) with the diagnosis.
type transportPane struct {
	nav  *navigator
	id   string // "" = the Transports node: the list hint
	root fyne.CanvasObject

	title      *widget.Label
	summary    *widget.Label
	credential *widget.Label // the profile, "no credential", or "runs as …"
	run        *widget.Button
	edit       *widget.Button
	del        *widget.Button
	add        *widget.Button
	stopAs     *widget.Button
	progress   *widget.ProgressBarInfinite

	status    *widget.Label // HTTP 200 OK · 12 ms · when
	diagnosis *widget.Label
	headers   *widget.Label
	body      *widget.Label

	results map[string]*oauthflow.RunResult // this session's last result per transport
}

func newTransportPane(n *navigator) *transportPane {
	p := &transportPane{nav: n, results: map[string]*oauthflow.RunResult{}}
	p.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.summary = widget.NewLabel("")
	p.summary.Wrapping = fyne.TextWrapWord
	p.credential = widget.NewLabel("")
	p.credential.Wrapping = fyne.TextWrapWord
	p.run = widget.NewButtonWithIcon("Run", theme.MediaPlayIcon(), func() { n.run(p.id) })
	p.run.Importance = widget.HighImportance
	p.edit = widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() {
		if t := n.find(p.id); t != nil {
			tc := *t
			n.edit(&tc)
		}
	})
	p.del = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), func() { n.delete(p.id) })
	p.add = widget.NewButtonWithIcon("Add transport", theme.ContentAddIcon(), func() { n.edit(nil) })
	p.stopAs = widget.NewButton("Run with its own credential", func() {
		delete(n.runAs, p.id)
		p.refresh()
	})
	p.progress = widget.NewProgressBarInfinite()
	p.progress.Stop()
	p.progress.Hide()
	p.status = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.diagnosis = widget.NewLabel("")
	p.diagnosis.Wrapping = fyne.TextWrapWord
	p.diagnosis.Importance = widget.DangerImportance
	p.headers = widget.NewLabel("")
	p.headers.Selectable = true
	p.headers.TextStyle.Monospace = true
	p.headers.Wrapping = fyne.TextWrapBreak
	p.body = widget.NewLabel("")
	p.body.Selectable = true
	p.body.TextStyle.Monospace = true
	p.body.Wrapping = fyne.TextWrapBreak
	answer := container.NewVBox(p.status, p.diagnosis,
		widget.NewAccordion(widget.NewAccordionItem("Response headers", p.headers)), p.body)
	top := container.NewVBox(p.title, p.summary, p.credential,
		container.NewHBox(p.run, p.edit, p.del, p.add, p.stopAs), p.progress, widget.NewSeparator())
	p.root = container.NewBorder(top, nil, nil, nil, container.NewVScroll(answer))
	return p
}

func (p *transportPane) setTransport(id string) {
	p.id = id
	p.refresh()
}

// refresh shows the selected transport as stored and its last answer.
func (p *transportPane) refresh() {
	n := p.nav
	t := n.find(p.id)
	for _, b := range []*widget.Button{p.run, p.edit, p.del} {
		b.Show()
	}
	p.add.Hide()
	p.stopAs.Hide()
	if t == nil {
		p.title.SetText("Transports")
		p.summary.SetText(fmt.Sprintf("%d saved HTTP and WS_SOAP call(s). A transport with Authorization: Credential gets its "+
			"token from the profile you pick; right-click a transport to run it, edit it, or log in with a User profile "+
			"(User External Credentials).", len(n.transports)))
		p.credential.SetText("")
		for _, b := range []*widget.Button{p.run, p.edit, p.del} {
			b.Hide()
		}
		p.add.Show()
		p.showResult(nil)
		return
	}
	p.title.SetText(t.Name)
	s := fmt.Sprintf("%s %s %s", t.Type, t.Method, t.URL)
	if t.Type == credentials.TransportWSSOAP {
		s = fmt.Sprintf("WS_SOAP %s, SOAP %s, action %q", t.URL, t.SOAPVersion, t.SOAPAction)
	}
	p.summary.SetText(s)
	p.credential.SetText(p.credentialText(*t))
	if _, ok := n.runAs[t.ID]; ok {
		p.stopAs.Show()
	}
	if n.ops() == nil {
		p.run.Disable()
	} else {
		p.run.Enable()
	}
	if res := p.results[t.ID]; res != nil {
		p.showResult(res)
		return
	}
	p.showResult(nil)
	if r := t.LastRun; !r.At.IsZero() {
		state := "OK"
		if !r.OK {
			state = "failed"
		}
		text := fmt.Sprintf("Last run %s: %s", r.At.Local().Format("2006-01-02 15:04:05"), state)
		if r.StatusCode != 0 {
			text += fmt.Sprintf(" · HTTP %d · %d ms", r.StatusCode, r.DurationMS)
		}
		p.status.SetText(text)
		p.diagnosis.SetText(r.Error)
		p.diagnosis.Show()
	}
}

// credentialText is the Authorization line: None, the profile (and its
// status), "no credential", or the user it runs as.
func (p *transportPane) credentialText(t credentials.Transport) string {
	h := p.nav.h
	if pid, ok := p.nav.runAs[t.ID]; ok {
		if rp := h.profileOf(pid); rp != nil {
			return fmt.Sprintf("Authorization: Credential · runs as the logged-in user of %q (User External Credentials)", rp.Name)
		}
	}
	if t.Authorization != credentials.AuthCredential {
		return "Authorization: None (no token is sent)"
	}
	cp := h.profileOf(t.ProfileID)
	if t.ProfileID == "" || cp == nil {
		return "Authorization: Credential · no credential (select a profile under Name in Edit)"
	}
	where := ""
	if t.Type == credentials.TransportWSSOAP && t.TokenIn == credentials.TokenInWSSE {
		where = " · token in the WS-Security header"
	}
	return fmt.Sprintf("Authorization: Credential · Name: %s (%s)%s", cp.Name, cp.StatusAt(h.clock()), where)
}

// run runs a saved transport in the background and shows the answer.
func (n *navigator) run(tid string) {
	ops := n.ops()
	t := n.find(tid)
	if ops == nil || t == nil {
		return
	}
	opt := oauthflow.RunOptions{}
	if pid, ok := n.runAs[tid]; ok {
		opt.AsProfile = pid
	}
	p := n.transport
	if p.id == tid {
		p.progress.Show()
		p.progress.Start()
		p.run.Disable()
	}
	var res *oauthflow.RunResult
	name := t.Name
	n.h.background("Running "+name+"…", func(ctx context.Context) error {
		var err error
		res, err = ops.Transports().Run(ctx, tid, opt)
		return err
	}, func(err error) {
		p.progress.Stop()
		p.progress.Hide()
		p.run.Enable()
		if err != nil {
			n.h.dialogs().showError("Cannot run "+name, err)
			return
		}
		p.results[tid] = res
		n.reload()
		n.h.setStatus(runLine(res))
		if n.offerStepUp(tid, res) { // stepup.go; the pane shows the notice too
			return
		}
		if d := n.h.dialogs(); res.Notice != "" && d.top() == nil { // never over a form being edited: the pane shows it too
			d.showMessage("The token went to another host", res.Notice)
		}
	})
}

// runLine is the status-bar summary of a run.
func runLine(res *oauthflow.RunResult) string {
	if res.OK() {
		return fmt.Sprintf("%s: HTTP %d in %d ms", res.Transport.Name, res.Response.Status, res.Response.Duration.Milliseconds())
	}
	if res.Diagnosis != nil {
		return res.Transport.Name + ": " + res.Diagnosis.Cause
	}
	return res.Transport.Name + ": " + string(res.Outcome)
}

// showResult shows an answer, or clears the answer area.
func (p *transportPane) showResult(res *oauthflow.RunResult) {
	if res == nil {
		p.status.SetText("")
		p.diagnosis.SetText("")
		p.diagnosis.Hide()
		p.headers.SetText("")
		p.body.SetText("")
		return
	}
	status := string(res.Outcome)
	if r := res.Response; r != nil {
		status = fmt.Sprintf("HTTP %d %s · %d ms", r.Status, r.StatusText, r.Duration.Milliseconds())
		if r.Truncated {
			status += fmt.Sprintf(" · only the first %d KiB shown", oauthflow.MaxResponseExcerpt>>10)
		}
	}
	status += " · " + res.At.Local().Format("15:04:05")
	if res.AsUser {
		status += " · as " + res.Profile
	}
	p.status.SetText(status)
	var diag []string
	if res.Notice != "" {
		diag = append(diag, "Notice: "+res.Notice)
	}
	if d := res.Diagnosis; d != nil {
		diag = append(diag, d.String())
	}
	if len(diag) > 0 {
		p.diagnosis.SetText(strings.Join(diag, "\n\n"))
		p.diagnosis.Show()
	} else {
		p.diagnosis.SetText("")
		p.diagnosis.Hide()
	}
	if res.Response != nil {
		p.headers.SetText(headerText(res.Response.Header))
		p.body.SetText(res.Pretty)
	} else {
		p.headers.SetText("")
		p.body.SetText("")
	}
}

func headerText(h http.Header) string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

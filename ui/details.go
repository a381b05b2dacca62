package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/credworkbench/credworkbench/ui/model"
)

// detailsPane shows the selected profile: its settings (never a secret),
// what its current token says, its last error with advice, and its recent
// events.
type detailsPane struct {
	m   *model.List
	ops Operations
	// fit gives the pane its share of the window (or none, with nothing shown).
	fit func(shown bool)
	// The next steps the status can call for.
	setSecret, login, loginAnother func()
	box                            *fyne.Container
	scroll                         *container.Scroll

	// Widgets tests read.
	title    *widget.Label
	status   *widget.Label
	expires  *widget.Label
	fields   *fyne.Container // form layout: label, value, label, value…
	token    *fyne.Container
	failure  *widget.Label
	advice   *widget.Label
	history  *widget.Label
	action   *widget.Button // the one next step the status calls for (Log in, Set secret)
	noToken  *widget.Label  // says why no claims are shown for an Active profile
	current  *row
	sections map[string]*fyne.Container
	idp      *idpSection // IdP management lines and actions (details_idp.go)
}

func newDetailsPane(m *model.List, ops Operations, fit func(bool)) *detailsPane {
	d := &detailsPane{m: m, ops: ops, fit: fit, setSecret: func() {}, login: func() {}, loginAnother: func() {}, idp: newIDPSection()}
	d.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.title.Wrapping = fyne.TextWrapWord
	d.status = widget.NewLabel("")
	d.status.Wrapping = fyne.TextWrapWord
	d.expires = widget.NewLabel("")
	d.action = widget.NewButton("", nil)
	d.action.Importance = widget.HighImportance
	d.action.Hide()
	d.noToken = wrapLabel()
	d.noToken.Importance = widget.LowImportance
	d.fields = container.New(layout.NewFormLayout())
	d.token = container.New(layout.NewFormLayout())
	d.failure = wrapLabel()
	d.failure.Importance = widget.DangerImportance
	d.advice = wrapLabel()
	d.history = wrapLabel() // monospace once it shows events (show)
	d.sections = map[string]*fyne.Container{
		"token":   container.NewVBox(heading("Current token"), d.token, d.noToken),
		"failure": container.NewVBox(heading("Last error"), d.failure, d.advice),
		"history": container.NewVBox(heading("Recent events"), d.history),
		"idp":     d.idp.box, // hidden with nothing selected; details_idp.go shows it
	}
	// Settings on the left; state (error, token, history) on the right.
	d.box = container.NewGridWithColumns(2,
		container.NewVBox(d.title, d.status, container.NewHBox(d.action), d.idp.box, d.expires, d.fields),
		container.NewVBox(d.sections["failure"], d.sections["token"], d.sections["history"]))
	d.scroll = container.NewVScroll(container.NewPadded(d.box))
	d.scroll.SetMinSize(fyne.NewSize(0, 160))
	d.show(nil)
	return d
}

func heading(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func wrapLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	return l
}

func valueLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	if isURL(s) {
		// A URL broken in the middle reads as two; cut at the end instead
		// (a wider pane shows it whole).
		l.Wrapping = fyne.TextWrapOff
		l.Truncation = fyne.TextTruncateEllipsis
	}
	return l
}

// isURL is a value that is one URL (or path) without spaces.
func isURL(s string) bool {
	return !strings.ContainsAny(s, " \n") && (strings.Contains(s, "://") || strings.HasPrefix(s, "/"))
}

// publicClient is a User profile without a client secret or key: it sends
// only its client ID.
func publicClient(p credentials.Profile) bool {
	return p.Type == credentials.TypeUser && !p.HasSecret && !p.AuthMethod.UsesKey()
}

// show fills the pane for r (nil: nothing selected).
func (d *detailsPane) show(r *row) {
	d.fit(r != nil) // largelist.go: no selection, no room for details
	if r == nil || d.current == nil || r.P.ID != d.current.P.ID {
		d.scroll.ScrollToTop() // another profile: start at its top
	}
	d.current = r
	d.action.Hide()
	if r == nil {
		d.title.SetText("No profile selected")
		d.status.SetText("Select a profile in the table to see its settings, its token and its history.")
		d.status.Importance = widget.MediumImportance
		d.expires.SetText("")
		setItems(d.fields, nil)
		for _, s := range d.sections {
			s.Hide()
		}
		return
	}
	p := *r.P // a copy: the row's profile may be the store's shared one
	d.title.SetText(p.Name)
	text, tone := d.m.Status(r)
	imp := importance(tone)
	d.status.SetText("Status: " + text)
	d.status.Importance = imp
	d.status.Refresh()
	d.refreshCountdown()

	items := []item{{"Type", p.Type.Label() + " — " + p.GrantType.Label()}}
	add := func(label, v string) {
		if v != "" {
			items = append(items, item{label, v})
		}
	}
	add("Issuer", p.IssuerURL)
	add("Token endpoint", p.TokenURL)
	add("Authorization endpoint", p.AuthURL)
	add("Client ID", p.ClientID)
	add("Client secret", secretState(p.HasSecret, p.SecretSetAt, p.SecretRotatedAt))
	now := d.m.Now()
	add(idpExpiryDetail(p, now))
	if !publicClient(p) { // a public client authenticates with nothing
		add("Client authentication", string(p.AuthMethod))
	}
	add("Mutual TLS", mtlsDetails(p)) // form_mtls.go
	add("Scope", p.Scope)
	add("Audience", p.Audience)
	add("Resource", p.Resource)
	add(derivedDetails(p, profileNameOf(d.ops))) // form_derived.go
	add("Refresh interval", humanDuration(p.RefreshInterval.D()))
	switch p.Proxy.Mode {
	case credentials.ProxyURL:
		add("Proxy", p.Proxy.URL)
		if p.Proxy.Username != "" {
			add("Proxy user", p.Proxy.Username+" (password "+map[bool]string{true: "set", false: "not set"}[p.HasProxyPass]+")")
		}
	case credentials.ProxySystem:
		add("Proxy", "system (HTTPS_PROXY / NO_PROXY)")
	}
	add("CA bundle", p.TLS.CAFile)
	if p.TLS.InsecureSkipVerify {
		add("TLS", "⚠ certificate verification is OFF")
	}
	if p.Type == credentials.TypeUser {
		port := "any free port"
		if p.RedirectPort != 0 {
			port = fmt.Sprint(p.RedirectPort)
		}
		add("Redirect port", port)
		add("MFA", mfaDetails(p)) // form_mfa.go
		add("Login request", loginDetails(p))
	}
	add("DPoP", dpopDetails(d.ops, p)) // form_dpop.go
	add("Username claim", p.UsernameClaim)
	add("Roles claim", p.RolesClaim)
	add("Tenant", p.Tenant)
	add("Git hosts", p.GitHosts)
	add("Last checked", model.ShortTime(p.LastChecked, now))
	items = append(items, idpItems(p, now, d.m.Find)...)
	setItems(d.fields, items)
	d.idp.show(p, now)

	// The next step the status calls for.
	act := model.Action(-1)
	switch {
	case model.NeedsSecret(&p):
		act = actSetSecret
		d.action.Importance = widget.HighImportance
		d.action.SetText("Set client secret…")
		d.action.OnTapped = d.setSecret
		d.action.Show()
	case p.Type == credentials.TypeUser && (d.m.Effective(r) == credentials.StatusLoggedOut || !model.MayHaveSession(&p)):
		act = actLogin
		d.action.Importance = widget.HighImportance
		d.action.SetText("Log in")
		d.action.OnTapped = d.login
		d.action.Show()
	case p.Type == credentials.TypeUser && d.m.Effective(r) == credentials.StatusActive:
		// Comparing what two users may do needs a login the IdP does not
		// answer from its browser session.
		act = actLogin
		d.action.SetText("Log in as another user")
		d.action.OnTapped = d.loginAnother
		d.action.Importance = widget.MediumImportance
		d.action.Show()
	}

	if act >= 0 && !d.m.Allowed(act, r) {
		d.action.Disable()
	} else {
		d.action.Enable()
	}

	// Current token: what the token store holds now (shared with credctl
	// and kept across restarts), never an older result of this session: it
	// may have been logged out or replaced elsewhere.
	res, err := d.ops.Status(p.ID)
	ok := err == nil
	// Only an Active profile can have one: the others cost no keyring read
	// (the token store lives there).
	var tok *oauthflow.TokenInfo
	haveTok := false
	active := d.m.Standing(r).Status == credentials.StatusActive // renewal failing too: the token is valid
	if active {
		tok, haveTok = d.ops.CurrentToken(p.ID)
	}
	switch {
	case haveTok && tok != nil:
		setItems(d.token, tokenItems(tok, tok.Expiry))
		d.noToken.Hide()
		d.sections["token"].Show()
	case active:
		setItems(d.token, nil)
		d.noToken.SetText("The token store holds no valid token of this profile now (it expired, or was " +
			"dropped elsewhere). Test fetches one and shows its claims.")
		d.noToken.Show()
		d.sections["token"].Show()
	default:
		d.sections["token"].Hide()
	}

	// Last error, with the category's advice. Not being logged in and not
	// having a secret yet are states with a next step, not errors.
	var f *oauthflow.Failure
	if ok && res.Failure != nil {
		f = res.Failure
	}
	switch {
	case model.NeedsSecret(&p), p.Type == credentials.TypeUser && (d.m.Effective(r) == credentials.StatusLoggedOut || (f != nil && model.NotLoggedIn(res.Status, f))):
		d.sections["failure"].Hide()
	case f != nil:
		d.failure.SetText(fmt.Sprintf("%s: %s", f.Category.Label(), f.Error()))
		d.advice.SetText("What to check: " + f.Advice())
		d.sections["failure"].Show()
	case p.LastError != "" && d.m.Effective(r) == credentials.StatusFailed:
		d.failure.SetText(fmt.Sprintf("%s: %s", model.CategoryLabel(p.LastCategory), p.LastError))
		d.advice.SetText("What to check: " + oauthflow.AdviceFor(p, oauthflow.Category(p.LastCategory), p.LastError))
		d.sections["failure"].Show()
	default:
		d.sections["failure"].Hide()
	}
	if d.advice.Text == "What to check: " {
		d.advice.SetText("")
	}

	// Recent events, newest first.
	h := d.m.History(p.ID)
	if len(h) == 0 {
		d.history.TextStyle.Monospace = false // a sentence, not a log
		d.history.SetText("Nothing happened to this profile since the workbench started.")
	} else {
		var b strings.Builder
		for i := len(h) - 1; i >= 0; i-- {
			ev := h[i]
			fmt.Fprintf(&b, "%s  %s", ev.Time.Local().Format("15:04:05"), ev.Kind)
			if ev.Result != nil && ev.Result.Failure != nil {
				fmt.Fprintf(&b, " (%s)", ev.Result.Failure.Category.Label())
			}
			b.WriteString("\n")
		}
		// Monospace only now: Fyne lays out hidden labels too, and the first
		// monospace text loads that font (about 7 MiB of parsed tables, its
		// emoji fallback included), which a workbench nobody has clicked
		// in yet need not hold.
		d.history.TextStyle.Monospace = true
		d.history.SetText(strings.TrimRight(b.String(), "\n"))
	}
	d.sections["history"].Show()
}

func (d *detailsPane) refreshCountdown() {
	if d.current == nil {
		return
	}
	if e := d.m.ExpiresIn(d.current); e != "—" {
		d.expires.SetText("Token expires in " + e)
		d.expires.Show()
	} else {
		d.expires.SetText("")
		d.expires.Hide()
	}
}

// item is one "label: value" line of the details.
type item struct{ label, value string }

// setItems replaces the lines of a form-layout container.
func setItems(c *fyne.Container, items []item) {
	objs := make([]fyne.CanvasObject, 0, 2*len(items))
	for _, it := range items {
		l := widget.NewLabelWithStyle(it.label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		objs = append(objs, l, valueLabel(it.value))
	}
	c.Objects = objs
	c.Refresh()
}

func tokenItems(t *oauthflow.TokenInfo, expiry time.Time) []item {
	var items []item
	add := func(label, v string) {
		if v != "" {
			items = append(items, item{label, v})
		}
	}
	if t.Opaque {
		add("Token", "opaque (not a JWT): nothing to decode")
	}
	add("Username", t.Username)
	add("Roles", strings.Join(t.Roles, ", "))
	add("Tenant", t.Tenant)
	add("Scopes", strings.Join(t.Scopes, " "))
	add("Issuer", t.Issuer)
	add("Audience", strings.Join(t.Audience, ", "))
	exp := t.Expiry // t is shared with the service: read it, never write it
	if exp.IsZero() {
		exp = expiry
	}
	if !exp.IsZero() {
		add("Expires", exp.Local().Format("2006-01-02 15:04:05"))
	}
	return items
}

// secretState says whether a secret is set and since when; never its value.
func secretState(has bool, setAt, rotatedAt time.Time) string {
	if !has {
		return "not set"
	}
	return secretDates(setAt, rotatedAt) + " (kept in the OS keyring)"
}

// secretDates is "set on 2025-03-04 10:00, rotated 2025-06-01 09:00".
func secretDates(setAt, rotatedAt time.Time) string {
	s := "set"
	if !setAt.IsZero() {
		s += " on " + setAt.Local().Format("2006-01-02 15:04")
	}
	if !rotatedAt.IsZero() {
		s += ", rotated " + rotatedAt.Local().Format("2006-01-02 15:04")
	}
	return s
}

// humanDuration writes a duration as people do: 5m, 1h30m, 45s (not 5m0s).
func humanDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

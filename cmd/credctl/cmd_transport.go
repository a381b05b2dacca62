package main

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// transportSubcommands are the words after `credctl transport`, with the
// flags each one takes (all are defined on one flag set).
var transportSubcommands = map[string][]string{
	"list":   {"json"},
	"show":   {"json"},
	"add":    {"name", "type", "url", "method", "header", "body", "soap-version", "soap-action", "credential", "token-in", "timeout"},
	"edit":   {"type", "url", "method", "header", "body", "soap-version", "soap-action", "credential", "token-in", "timeout", "rename"},
	"delete": {"yes"},
	"run":    {"json", "as"},
}

type transportFlags struct {
	fs                                                          *flag.FlagSet
	asJSON, yes                                                 *bool
	name, typ, url, method, body, soapVersion, soapAction, cred *string
	tokenIn, rename, as                                         *string
	timeout                                                     *time.Duration
	headers                                                     headerFlag
}

func defineTransport(fs *flag.FlagSet) func(*app, []string) error {
	f := &transportFlags{fs: fs}
	f.asJSON = fs.Bool("json", false, "list, show, run: print JSON")
	f.yes = fs.Bool("yes", false, "delete: do not ask for confirmation (required when standard input is not a terminal)")
	f.name = fs.String("name", "", "add: the transport's `name` (letters, digits, space, _ - & .)")
	f.typ = fs.String("type", "", "`http|ws_soap`")
	f.url = fs.String("url", "", "the `URL` to call")
	f.method = fs.String("method", "", "HTTP `method` (HTTP transports; default GET)")
	fs.Var(&f.headers, "header", "request header `'Name: value'` (repeatable; on edit, replaces all headers)")
	f.body = fs.String("body", "", "request body: @FILE (read at each run) or - (standard input, stored); other text is stored as is")
	f.soapVersion = fs.String("soap-version", "", "WS_SOAP: `1.1` (text/xml + SOAPAction) or 1.2 (application/soap+xml; action=…)")
	f.soapAction = fs.String("soap-action", "", "WS_SOAP: the operation's `action`")
	f.cred = fs.String("credential", "", "Authorization: Credential with this `PROFILE`; \"\" or none for no credential")
	f.tokenIn = fs.String("token-in", "", "WS_SOAP: where the token goes, `header` (Authorization: Bearer) or wsse (WS-Security BinarySecurityToken)")
	f.timeout = fs.Duration("timeout", 0, "give up a run after this `duration` (default 30s)")
	f.rename = fs.String("rename", "", "edit: the new `name`")
	f.as = fs.String("as", "", "run: run as this logged-in User `PROFILE` instead of the transport's credential")
	return func(a *app, args []string) error {
		if len(args) == 0 {
			return &usageError{cmd: "transport", msg: "missing the subcommand: list, show, add, edit, delete or run"}
		}
		sub, rest := args[0], args[1:]
		allowed, ok := transportSubcommands[sub]
		if !ok {
			return &usageError{cmd: "transport", msg: fmt.Sprintf("unknown subcommand %q: use list, show, add, edit, delete or run", sub)}
		}
		var bad []string
		fs.Visit(func(fl *flag.Flag) {
			if !containsString(allowed, fl.Name) {
				bad = append(bad, "--"+fl.Name)
			}
		})
		if len(bad) > 0 {
			return &usageError{cmd: "transport", msg: fmt.Sprintf("transport %s does not take %s", sub, strings.Join(bad, ", "))}
		}
		cmd := "transport " + sub
		switch sub {
		case "list":
			if err := wantArgs(cmd, rest); err != nil {
				return err
			}
			return a.transportList(*f.asJSON)
		case "show":
			if err := wantArgs(cmd, rest, "NAME"); err != nil {
				return err
			}
			return a.transportShow(rest[0], *f.asJSON)
		case "add":
			if err := wantArgs(cmd, rest); err != nil {
				return err
			}
			return a.transportSave(f, credentials.Transport{Name: *f.name}, true)
		case "edit":
			if err := wantArgs(cmd, rest, "NAME"); err != nil {
				return err
			}
			t, err := a.transport(rest[0])
			if err != nil {
				return err
			}
			return a.transportSave(f, t, false)
		case "delete":
			if err := wantArgs(cmd, rest, "NAME"); err != nil {
				return err
			}
			return a.transportDelete(rest[0], *f.yes)
		case "run":
			if err := wantArgs(cmd, rest, "NAME"); err != nil {
				return err
			}
			return a.transportRun(rest[0], *f.as, *f.asJSON)
		}
		return nil
	}
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func (a *app) transports() (*oauthflow.Transports, error) {
	svc, err := a.service()
	if err != nil {
		return nil, err
	}
	return svc.Transports(), nil
}

func (a *app) transport(nameOrID string) (credentials.Transport, error) {
	ts, err := a.transports()
	if err != nil {
		return credentials.Transport{}, err
	}
	return ts.Get(nameOrID)
}

// transportJSON is a transport in `transport list/show --json`.
type transportJSON struct {
	Name          string                 `json:"name"`
	ID            string                 `json:"id"`
	Type          string                 `json:"type"`
	URL           string                 `json:"url"`
	Method        string                 `json:"method"`
	Headers       []credentials.Header   `json:"headers,omitempty"`
	Body          string                 `json:"body,omitempty"`
	BodyFile      string                 `json:"bodyFile,omitempty"`
	SOAPVersion   string                 `json:"soapVersion,omitempty"`
	SOAPAction    string                 `json:"soapAction,omitempty"`
	Timeout       string                 `json:"timeout"`
	Authorization string                 `json:"authorization"`
	Credential    string                 `json:"credential,omitempty"` // the profile's name
	CredentialID  string                 `json:"credentialId,omitempty"`
	NoCredential  bool                   `json:"noCredential,omitempty"` // Credential without a (still existing) profile
	TokenIn       string                 `json:"tokenIn,omitempty"`
	LastRun       *credentials.RunRecord `json:"lastRun,omitempty"`
}

func toTransportJSON(t credentials.Transport, ps []credentials.Profile) transportJSON {
	out := transportJSON{Name: t.Name, ID: t.ID, Type: string(t.Type), URL: t.URL, Method: t.Method, Headers: t.Headers,
		Body: t.Body, BodyFile: t.BodyFile, SOAPVersion: t.SOAPVersion, SOAPAction: t.SOAPAction,
		Timeout: t.RunTimeout().String(), Authorization: string(t.Authorization)}
	if t.Authorization == credentials.AuthCredential {
		out.CredentialID, out.NoCredential = t.ProfileID, true
		if name := profileName(ps, t.ProfileID); name != "" {
			out.Credential, out.NoCredential = name, false
		}
		if t.Type == credentials.TransportWSSOAP {
			out.TokenIn = string(t.TokenIn)
		}
	}
	if !t.LastRun.At.IsZero() {
		r := t.LastRun
		out.LastRun = &r
	}
	return out
}

func profileName(ps []credentials.Profile, id string) string {
	for _, p := range ps {
		if id != "" && p.ID == id {
			return p.Name
		}
	}
	return ""
}

// credentialLabel is the Authorization column: None, the profile, or "no credential".
func credentialLabel(t credentials.Transport, ps []credentials.Profile) string {
	if t.Authorization != credentials.AuthCredential {
		return "None"
	}
	if name := profileName(ps, t.ProfileID); name != "" {
		return name
	}
	return "no credential"
}

func lastRunLabel(r credentials.RunRecord) string {
	switch {
	case r.At.IsZero():
		return "never run"
	case r.OK:
		return fmt.Sprintf("OK %d (%s)", r.StatusCode, humanTime(r.At))
	case r.StatusCode != 0:
		return fmt.Sprintf("failed %d (%s)", r.StatusCode, humanTime(r.At))
	}
	return fmt.Sprintf("failed: %s (%s)", r.Category, humanTime(r.At))
}

func (a *app) transportList(asJSON bool) error {
	ts, err := a.transports()
	if err != nil {
		return err
	}
	all, err := ts.List()
	if err != nil {
		return err
	}
	ps, err := a.profiles()
	if err != nil {
		return err
	}
	if asJSON {
		out := make([]transportJSON, 0, len(all))
		for _, t := range all {
			out = append(out, toTransportJSON(t, ps))
		}
		return writeJSON(a.stdout, out)
	}
	if len(all) == 0 {
		fmt.Fprintln(a.stderr, "No transports yet. Add one with: credctl transport add --name NAME --type http --url URL --credential PROFILE")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tURL\tCREDENTIAL\tLAST RUN")
	for _, t := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, t.Type, t.URL, credentialLabel(t, ps), lastRunLabel(t.LastRun))
	}
	return tw.Flush()
}

func (a *app) transportShow(name string, asJSON bool) error {
	t, err := a.transport(name)
	if err != nil {
		return err
	}
	ps, err := a.profiles()
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(a.stdout, toTransportJSON(t, ps))
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, v)
		}
	}
	row("Name", t.Name)
	row("Type", string(t.Type))
	row("URL", t.URL)
	if t.Type == credentials.TransportHTTP {
		row("Method", t.Method)
	} else {
		row("SOAP version", t.SOAPVersion)
		row("SOAP action", t.SOAPAction)
	}
	for _, h := range t.Headers {
		row("Header", h.Name+": "+h.Value)
	}
	if t.BodyFile != "" {
		row("Body file", t.BodyFile)
	} else if t.Body != "" {
		row("Body", fmt.Sprintf("%d bytes of text", len(t.Body)))
	}
	row("Timeout", t.RunTimeout().String())
	row("Authorization", string(t.Authorization))
	if t.Authorization == credentials.AuthCredential {
		row("Name (credential)", credentialLabel(t, ps))
		if t.Type == credentials.TransportWSSOAP {
			row("Token in", string(t.TokenIn))
		}
	}
	row("Last run", lastRunLabel(t.LastRun))
	if t.LastRun.Error != "" {
		row("Last error", t.LastRun.Error)
	}
	return tw.Flush()
}

// transportSave applies the flags to t (a new one when add) and saves it.
func (a *app) transportSave(f *transportFlags, t credentials.Transport, add bool) error {
	cmd := "transport edit"
	if add {
		cmd = "transport add"
		for _, need := range []string{"name", "type", "url"} {
			if !isFlagSet(f.fs, need) {
				return &usageError{cmd: "transport", msg: "transport add needs --" + need}
			}
		}
	}
	set := func(name string) bool { return isFlagSet(f.fs, name) }
	if set("type") {
		switch strings.ToLower(*f.typ) {
		case "http":
			t.Type = credentials.TransportHTTP
		case "ws_soap", "ws-soap", "soap":
			t.Type = credentials.TransportWSSOAP
		default:
			return &usageError{cmd: "transport", msg: fmt.Sprintf("--type must be http or ws_soap, not %q", *f.typ)}
		}
	}
	if set("url") {
		t.URL = *f.url
	}
	if set("method") {
		t.Method = *f.method
	}
	if set("header") {
		t.Headers = nil
		for k, vs := range f.headers.h {
			for _, v := range vs {
				t.Headers = append(t.Headers, credentials.Header{Name: k, Value: v})
			}
		}
	}
	if set("body") {
		t.Body, t.BodyFile = "", ""
		switch {
		case *f.body == "-":
			b, err := readInput(a, "-")
			if err != nil {
				return err
			}
			t.Body = string(b)
		case strings.HasPrefix(*f.body, "@"):
			name := strings.TrimPrefix(*f.body, "@")
			if name == "" {
				return &usageError{cmd: "transport", msg: "--body @ needs a file name"}
			}
			abs, err := filepath.Abs(name)
			if err != nil {
				return err
			}
			t.BodyFile = abs
		default:
			t.Body = *f.body
		}
	}
	if set("soap-version") {
		t.SOAPVersion = *f.soapVersion
	}
	if set("soap-action") {
		t.SOAPAction = *f.soapAction
	}
	if set("timeout") {
		t.Timeout = credentials.Duration(*f.timeout)
	}
	if set("token-in") {
		t.TokenIn = credentials.TokenPlacement(strings.ToLower(*f.tokenIn))
	}
	ps, err := a.profiles()
	if err != nil {
		return err
	}
	if set("credential") {
		if *f.cred == "" || strings.EqualFold(*f.cred, "none") {
			t.Authorization, t.ProfileID = credentials.AuthNone, ""
		} else {
			p, err := a.profile(*f.cred)
			if err != nil {
				return err
			}
			t.Authorization, t.ProfileID = credentials.AuthCredential, p.ID
		}
	} else if add {
		t.Authorization = credentials.AuthNone
	}
	if set("rename") {
		t.Name = *f.rename
	}
	if t.Type == credentials.TransportHTTP && t.Method == "" && t.Body != "" {
		t.Method = http.MethodPost
	}
	ts, err := a.transports()
	if err != nil {
		return err
	}
	saved, err := ts.Save(t)
	var ve *credentials.ValidationError
	if errors.As(err, &ve) {
		fmt.Fprintln(a.stderr, "credctl: invalid transport:")
		for _, fe := range ve.Fields {
			fmt.Fprintf(a.stderr, "  %s: %s\n", transportFlagOf(fe.Field), fe.Message)
		}
		return &exitError{code: exitValidation, msg: "invalid transport", quiet: true}
	}
	if err != nil {
		return err
	}
	verb := "Saved"
	if add {
		verb = "Added"
	}
	_ = cmd
	fmt.Fprintf(a.stdout, "%s transport %q (%s, Authorization: %s).\n", verb, saved.Name, saved.Type, credentialLabel(saved, ps))
	return nil
}

func transportFlagOf(field string) string {
	switch field {
	case credentials.FieldTransportName:
		return "--name"
	case credentials.FieldHeaders:
		return "--header"
	case credentials.FieldSOAPVersion:
		return "--soap-version"
	case credentials.FieldSOAPAction:
		return "--soap-action"
	case credentials.FieldCredential, credentials.FieldAuthorization:
		return "--credential"
	case credentials.FieldTokenIn:
		return "--token-in"
	}
	return "--" + field
}

func (a *app) transportDelete(name string, yes bool) error {
	t, err := a.transport(name)
	if err != nil {
		return err
	}
	if !yes {
		if !a.stdinIsTerminal() {
			return &usageError{cmd: "transport", msg: "deleting cannot be undone and standard input is not a terminal to confirm it: pass --yes"}
		}
		ok, err := a.confirm(fmt.Sprintf("Delete transport %q? This cannot be undone.", t.Name))
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintln(a.stderr, "Nothing was deleted.")
			return nil
		}
	}
	ts, err := a.transports()
	if err != nil {
		return err
	}
	if err := ts.Delete(t.ID); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Deleted transport %q.\n", t.Name)
	return nil
}

// runJSON is `transport run --json`.
type runJSON struct {
	Transport  string               `json:"transport"`
	Credential string               `json:"credential,omitempty"`
	AsUser     bool                 `json:"asUser,omitempty"`
	Outcome    string               `json:"outcome"`
	Status     int                  `json:"status,omitempty"`
	StatusText string               `json:"statusText,omitempty"`
	Headers    http.Header          `json:"headers,omitempty"`
	Body       string               `json:"body,omitempty"`
	Truncated  bool                 `json:"truncated,omitempty"`
	DurationMS int64                `json:"durationMs"`
	Fault      *oauthflow.SOAPFault `json:"fault,omitempty"`
	Diagnosis  *oauthflow.Diagnosis `json:"diagnosis,omitempty"`
	Advice     string               `json:"advice,omitempty"`
	ExitCode   int                  `json:"exitCode"`
}

// runExit maps an outcome to the documented exit code: 0 for 2xx, 5 when
// the API or the IdP refused the credentials, 6 for network, proxy or TLS,
// 4 when the transport cannot be sent as it is (no credential selected,
// bad body file), 1 for any other non-2xx answer and for a SOAP Fault.
func runExit(res *oauthflow.RunResult) int {
	switch res.Outcome {
	case oauthflow.OutcomeOK:
		return exitOK
	case oauthflow.OutcomeAPIRefused:
		return exitAuth
	case oauthflow.OutcomeNetwork:
		return exitNetwork
	case oauthflow.OutcomeNoCredential, oauthflow.OutcomeInvalid:
		return exitValidation
	case oauthflow.OutcomeNoToken:
		if d := res.Diagnosis; d != nil && d.Category != "" {
			return categoryExit(d.Category)
		}
		return exitAuth
	}
	return exitFailure
}

func (a *app) transportRun(name, as string, asJSON bool) error {
	svc, err := a.service()
	if err != nil {
		return err
	}
	res, err := svc.Transports().Run(a.ctx, name, oauthflow.RunOptions{AsProfile: as})
	if err != nil {
		return err
	}
	if res.Notice != "" {
		fmt.Fprintln(a.stderr, "Notice: "+res.Notice)
	}
	code := runExit(res)
	if asJSON {
		out := runJSON{Transport: res.Transport.Name, Credential: res.Profile, AsUser: res.AsUser, Outcome: string(res.Outcome),
			Fault: res.Fault, Diagnosis: res.Diagnosis, ExitCode: code}
		if r := res.Response; r != nil {
			out.Status, out.StatusText, out.Headers, out.Body, out.Truncated, out.DurationMS =
				r.Status, r.StatusText, r.Header, res.Pretty, r.Truncated, r.Duration.Milliseconds()
		}
		if d := res.Diagnosis; d != nil && d.Failure != nil {
			out.Advice = d.Failure.Advice()
		}
		if err := writeJSON(a.stdout, out); err != nil {
			return err
		}
		if code != exitOK {
			return &exitError{code: code, msg: string(res.Outcome), quiet: true}
		}
		return nil
	}
	if r := res.Response; r != nil {
		fmt.Fprintf(a.stdout, "HTTP %d %s (%d ms)\n", r.Status, r.StatusText, r.Duration.Milliseconds())
		if res.Pretty != "" {
			fmt.Fprintln(a.stdout, strings.TrimRight(res.Pretty, "\n"))
		}
		if r.Truncated {
			fmt.Fprintf(a.stderr, "Warning: only the first %d KiB of the answer are shown.\n", oauthflow.MaxResponseExcerpt>>10)
		}
	}
	if d := res.Diagnosis; d != nil {
		fmt.Fprintf(a.stderr, "credctl: transport %q: %s\n", res.Transport.Name, d.Cause)
		for _, c := range d.Checks {
			if c != "" {
				fmt.Fprintf(a.stderr, "Check: %s\n", c)
			}
		}
	}
	if code != exitOK {
		return &exitError{code: code, msg: string(res.Outcome), quiet: true}
	}
	return nil
}

// checkTransportsUsing refuses to delete a profile that transports use,
// naming them, unless force is set; with force it says which transports
// are left without a credential.
func (a *app) checkTransportsUsing(p credentials.Profile, force bool) error {
	svc, err := a.service()
	if err != nil {
		return err
	}
	inUse, err := svc.InUse(p.ID)
	if err != nil || inUse == nil {
		return err
	}
	if !force {
		return &usageError{cmd: "delete", msg: fmt.Sprintf("profile %q is the credential of transport(s) %s; pass --force to delete it anyway (they will have no credential), or pick another credential first with 'credctl transport edit NAME --credential PROFILE'", p.Name, inUse.List())}
	}
	fmt.Fprintf(a.stderr, "Warning: transport(s) %s will have no credential.\n", inUse.List())
	return nil
}

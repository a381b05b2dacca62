package main

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// transportFlags are the settings of transport add and edit.
type transportFlags struct {
	fs                                                    *pflag.FlagSet
	name, typ, url, method, body, soapVersion, soapAction string
	cred, tokenIn, rename                                 string
	timeout                                               time.Duration
	headers                                               headerFlag
}

// registerTransportFlags defines the flags of transport add (edit: of
// edit) on cmd, with their completions. The texts are those of the group's
// help, which lists them once.
func registerTransportFlags(a *app, cmd *cobra.Command, edit bool) *transportFlags {
	fs := cmd.Flags()
	f := &transportFlags{fs: fs}
	if edit {
		fs.StringVar(&f.rename, "rename", "", "edit: the new `name`")
	} else {
		fs.StringVar(&f.name, "name", "", "add: the transport's `name` (letters, digits, space, _ - & .)")
	}
	fs.StringVar(&f.typ, "type", "", "`http|ws_soap`")
	fs.StringVar(&f.url, "url", "", "the `URL` to call")
	fs.StringVar(&f.method, "method", "", "HTTP `method` (HTTP transports; default GET)")
	fs.Var(&f.headers, "header", "request header `'Name: value'` (repeatable; on edit, replaces all headers)")
	fs.StringVar(&f.body, "body", "", "request body: @FILE (read at each run) or - (standard input, stored); other text is stored as is")
	fs.StringVar(&f.soapVersion, "soap-version", "", "WS_SOAP: `1.1` (text/xml + SOAPAction) or 1.2 (application/soap+xml; action=…)")
	fs.StringVar(&f.soapAction, "soap-action", "", "WS_SOAP: the operation's `action`")
	fs.StringVar(&f.cred, "credential", "", "Authorization: Credential with this `PROFILE`; \"\" or none for no credential")
	fs.StringVar(&f.tokenIn, "token-in", "", "WS_SOAP: where the token goes, `header` (Authorization: Bearer) or wsse (WS-Security BinarySecurityToken)")
	fs.DurationVar(&f.timeout, "timeout", 0, "give up a run after this `duration` (default 30s)")
	_ = cmd.RegisterFlagCompletionFunc("credential", a.completeProfileFlag)
	_ = cmd.RegisterFlagCompletionFunc("body", completeAtFile)
	a.completeWords(cmd, "type", "http", "ws_soap")
	a.completeWords(cmd, "soap-version", "1.1", "1.2")
	a.completeWords(cmd, "token-in", "header", "wsse")
	a.completeWords(cmd, "method", http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead)
	return f
}

func newTransportAddCmd(a *app) *cobra.Command {
	var f *transportFlags
	cmd := &cobra.Command{
		Use:   "add --name NAME --type http|ws_soap --url URL [FLAGS]",
		Short: "Save a new transport",
		Args:  wantArgs("transport add"),
		RunE: func(*cobra.Command, []string) error {
			return a.transportSave(f, credentials.Transport{Name: f.name}, true)
		},
	}
	f = registerTransportFlags(a, cmd, false)
	return cmd
}

func newTransportEditCmd(a *app) *cobra.Command {
	var f *transportFlags
	cmd := &cobra.Command{
		Use:               "edit NAME [FLAGS] [--rename NEW]",
		Short:             "Change a transport; only the flags given change",
		Args:              wantArgs("transport edit", "NAME"),
		ValidArgsFunction: a.completeTransport,
		RunE: func(_ *cobra.Command, args []string) error {
			t, err := a.transport(args[0])
			if err != nil {
				return err
			}
			return a.transportSave(f, t, false)
		},
	}
	f = registerTransportFlags(a, cmd, true)
	return cmd
}

// transportSave applies the flags to t (a new one when add) and saves it.
func (a *app) transportSave(f *transportFlags, t credentials.Transport, add bool) error {
	if add {
		for _, need := range []string{"name", "type", "url"} {
			if !f.fs.Changed(need) {
				return &usageError{cmd: "transport", msg: "transport add needs --" + need}
			}
		}
	}
	set := f.fs.Changed
	if set("type") {
		switch strings.ToLower(f.typ) {
		case "http":
			t.Type = credentials.TransportHTTP
		case "ws_soap", "ws-soap", "soap":
			t.Type = credentials.TransportWSSOAP
		default:
			return &usageError{cmd: "transport", msg: fmt.Sprintf("--type must be http or ws_soap, not %q", f.typ)}
		}
	}
	if set("url") {
		t.URL = f.url
	}
	if set("method") {
		t.Method = f.method
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
		case f.body == "-":
			b, err := readInput(a, "-")
			if err != nil {
				return err
			}
			t.Body = string(b)
		case strings.HasPrefix(f.body, "@"):
			name := strings.TrimPrefix(f.body, "@")
			if name == "" {
				return &usageError{cmd: "transport", msg: "--body @ needs a file name"}
			}
			abs, err := filepath.Abs(name)
			if err != nil {
				return err
			}
			t.BodyFile = abs
		default:
			t.Body = f.body
		}
	}
	if set("soap-version") {
		t.SOAPVersion = f.soapVersion
	}
	if set("soap-action") {
		t.SOAPAction = f.soapAction
	}
	if set("timeout") {
		t.Timeout = credentials.Duration(f.timeout)
	}
	if set("token-in") {
		t.TokenIn = credentials.TokenPlacement(strings.ToLower(f.tokenIn))
	}
	ps, err := a.profiles()
	if err != nil {
		return err
	}
	if set("credential") {
		if f.cred == "" || strings.EqualFold(f.cred, "none") {
			t.Authorization, t.ProfileID = credentials.AuthNone, ""
		} else {
			p, err := a.profile(f.cred)
			if err != nil {
				return err
			}
			t.Authorization, t.ProfileID = credentials.AuthCredential, p.ID
		}
	} else if add {
		t.Authorization = credentials.AuthNone
	}
	if set("rename") {
		t.Name = f.rename
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
		return quiet(&exitError{code: exitValidation, msg: "invalid transport"})
	}
	if err != nil {
		return err
	}
	verb := "Saved"
	if add {
		verb = "Added"
	}
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

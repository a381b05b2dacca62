package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"os"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/cobra"
)

type requestOptions struct {
	Name, URL             string
	Method, Data          string
	Headers               headerFlag
	Include, InsecureHTTP bool
	Timeout               time.Duration
	StepUp                bool // stepup.go
}

func newRequestCmd(a *app) *cobra.Command {
	opts := &requestOptions{}
	cmd := &cobra.Command{
		Use:   "request NAME URL [--method M] [--header 'K: V'] [--data @file|STRING]",
		Short: "Send an HTTP request with the profile's token",
		Long: `--data @FILE reads the body from a file, --data @- from standard input.
The tenant header of the profile is added when the profile has a tenant.
A non-2xx answer exits with 1; 401 exits with 5 and prints the
WWW-Authenticate reason.
`,
		Args:              wantArgs("request", "NAME", "URL"),
		ValidArgsFunction: a.completeProfile,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Name, opts.URL = args[0], args[1]
			return requestRun(a, opts, c.Flags().Changed("data"))
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Method, "method", "", "HTTP `method` (default GET, or POST with --data)")
	fs.Var(&opts.Headers, "header", "extra request header `'Name: value'` (repeatable)")
	fs.StringVar(&opts.Data, "data", "", "request body: a `string`, @FILE, or @- for standard input")
	fs.BoolVar(&opts.Include, "include", false, "print the status line and response headers before the body")
	fs.DurationVar(&opts.Timeout, "timeout", 30*time.Second, "give up after this `duration`")
	fs.BoolVar(&opts.InsecureHTTP, "insecure-http", false, "send the token to a plain-http URL of another machine (anyone on the network path can read it)")
	registerStepUp(fs, &opts.StepUp)
	_ = cmd.RegisterFlagCompletionFunc("data", completeAtFile)
	a.completeWords(cmd, "method", http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead)
	return cmd
}

func requestRun(a *app, opts *requestOptions, dataGiven bool) error {
	spec := oauthflow.RequestSpec{Method: opts.Method, URL: opts.URL, Header: opts.Headers.h, Timeout: opts.Timeout, AllowInsecureHTTP: opts.InsecureHTTP}
	if opts.InsecureHTTP {
		fmt.Fprintln(a.stderr, "Warning: --insecure-http: a plain-http URL of another machine gets the access token unencrypted.")
	}
	if dataGiven {
		body, err := requestBody(a, opts.Data)
		if err != nil {
			return err
		}
		spec.Body = body
		if spec.Method == "" {
			spec.Method = http.MethodPost
		}
	}
	svc, err := a.service()
	if err != nil {
		return err
	}
	// The same token `credctl token` would print (the shared store's while
	// it is good); a 401 drops it from the store.
	resp, err := requestStepUp(a, svc, opts.Name, spec, opts.StepUp) // stepup.go
	if err != nil {
		return err
	}
	statusLine := fmt.Sprintf("HTTP %d %s", resp.Status, resp.StatusText)
	fmt.Fprintf(a.stderr, "%s (%d ms)\n", statusLine, resp.Duration.Milliseconds())
	if opts.Include {
		fmt.Fprintln(a.stdout, statusLine)
		_ = resp.Header.Write(a.stdout)
		fmt.Fprintln(a.stdout)
	}
	if _, err := a.stdout.Write(resp.Body); err != nil {
		return err
	}
	if resp.Truncated {
		fmt.Fprintf(a.stderr, "Warning: only the first %d KiB of the answer are shown.\n", oauthflow.MaxResponseExcerpt>>10)
	}
	if resp.Advice != "" {
		fmt.Fprintf(a.stderr, "Check: %s\n", resp.Advice)
	}
	switch {
	case resp.Status == http.StatusUnauthorized:
		return &exitError{code: exitAuth, msg: stepUpVerdict(a, opts.Name, resp, orDefault(resp.AuthProblem, "the API refused the token (401 Unauthorized)"))}
	case resp.Status < 200 || resp.Status > 299:
		msg := fmt.Sprintf("the API answered %s", statusLine)
		if resp.AuthProblem != "" {
			msg = resp.AuthProblem
		}
		return &exitError{code: exitFailure, msg: msg}
	}
	return nil
}

// headerFlag collects repeated --header 'K: V'.
type headerFlag struct{ h http.Header }

func (f *headerFlag) String() string { return "" }

// Type names the value in help, as Go's flag package did for its own.
func (f *headerFlag) Type() string { return "value" }

func (f *headerFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, ":")
	k = strings.TrimSpace(k)
	if !ok || k == "" || strings.ContainsAny(k, " \t") {
		// Only the first word is repeated: the rest may be a token.
		name, _, _ := strings.Cut(strings.TrimSpace(v), " ")
		return fmt.Errorf("header %q… must look like 'Name: value'", name)
	}
	if f.h == nil {
		f.h = http.Header{}
	}
	f.h.Add(textproto.CanonicalMIMEHeaderKey(k), strings.TrimSpace(val))
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// requestBody reads --data: a literal, @FILE or @- (standard input).
func requestBody(a *app, data string) ([]byte, error) {
	name, isFile := strings.CutPrefix(data, "@")
	if !isFile {
		return []byte(data), nil
	}
	if name == "" {
		return nil, &usageError{cmd: "request", msg: "--data @ needs a file name, or @- for standard input"}
	}
	b, err := readInput(a, name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, &usageError{cmd: "request", msg: fmt.Sprintf("--data: %v", err)}
	}
	return b, err
}

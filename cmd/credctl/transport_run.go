package main

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/cobra"
)

type transportRunOptions struct {
	Name, As string
	JSON     bool
	StepUp   bool // stepup.go
}

func newTransportRunCmd(a *app) *cobra.Command {
	opts := &transportRunOptions{}
	cmd := &cobra.Command{
		Use:               "run NAME [--json] [--as USERPROFILE]",
		Short:             "Send a transport with its credential's token",
		Args:              wantArgs("transport run", "NAME"),
		ValidArgsFunction: a.completeTransport,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name = args[0]
			return transportRunRun(a, opts)
		},
	}
	jsonFlag(cmd, &opts.JSON)
	cmd.Flags().StringVar(&opts.As, "as", "", "run: run as this logged-in User `PROFILE` instead of the transport's credential")
	registerStepUp(cmd.Flags(), &opts.StepUp)
	_ = cmd.RegisterFlagCompletionFunc("as", a.completeProfileFlag)
	return cmd
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

func transportRunRun(a *app, opts *transportRunOptions) error {
	svc, err := a.service()
	if err != nil {
		return err
	}
	res, err := runStepUp(a, svc, opts.Name, oauthflow.RunOptions{AsProfile: opts.As}, opts.StepUp) // stepup.go
	if err != nil {
		return err
	}
	if res.Notice != "" {
		fmt.Fprintln(a.stderr, "Notice: "+res.Notice)
	}
	verdict := runOutcome(res)
	code := exitCode(verdict)
	if opts.JSON {
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
		return quiet(verdict)
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
	return quiet(verdict)
}

// runOutcome is a run's verdict: nil when OK.
func runOutcome(res *oauthflow.RunResult) error {
	if res.OK() {
		return nil
	}
	return &runVerdict{res: res}
}

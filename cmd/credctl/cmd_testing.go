package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/cobra"
)

type testOptions struct {
	Names     []string
	All, JSON bool
}

func newTestCmd(a *app) *cobra.Command {
	opts := &testOptions{}
	cmd := &cobra.Command{
		Use:   "test NAME|--all [--json]",
		Short: "Get a token with the profile(s); exit 0 only when all are Active",
		Args: func(_ *cobra.Command, args []string) error {
			if opts.All && len(args) > 0 {
				return &usageError{cmd: "test", msg: "give either NAME or --all, not both"}
			}
			if opts.All {
				return nil
			}
			return checkArgs("test", args, "NAME")
		},
		ValidArgsFunction: a.completeProfile,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Names = args
			return testRun(a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "test every profile")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON: an object for NAME, an array for --all (see docs/credctl.md)")
	return cmd
}

func testRun(a *app, opts *testOptions) error {
	svc, err := a.service()
	if err != nil {
		return err
	}
	var results []oauthflow.Result
	if opts.All {
		results, err = svc.TestAll(a.ctx, 0)
	} else {
		var r oauthflow.Result
		r, err = svc.Test(a.ctx, opts.Names[0])
		results = []oauthflow.Result{r}
	}
	if err != nil {
		return err
	}
	now := time.Now()
	if opts.JSON {
		out := make([]resultJSON, 0, len(results))
		for _, r := range results {
			out = append(out, toResultJSON(r))
		}
		var v any = out
		if !opts.All {
			v = out[0]
		}
		if err := writeJSON(a.stdout, v); err != nil {
			return err
		}
	} else {
		if len(results) == 0 {
			fmt.Fprintln(a.stderr, "No profiles to test.")
		} else {
			a.writeResults(results, now)
		}
	}
	// Exit 0 only when every tested profile is Active; otherwise the
	// code of the first one (in name order) that is not.
	for _, r := range results {
		if err := resultVerdict(r); err != nil {
			return quiet(err)
		}
	}
	return nil
}

// resultJSON is one outcome in `test --json` and `login --json`.
type resultJSON struct {
	Name      string     `json:"name"`
	ID        string     `json:"id"`
	Status    string     `json:"status"`
	Active    bool       `json:"active"`
	Expiry    time.Time  `json:"expiry,omitzero"`
	CheckedAt time.Time  `json:"checkedAt,omitzero"`
	Username  string     `json:"username,omitempty"`
	Roles     []string   `json:"roles,omitempty"`
	Tenant    string     `json:"tenant,omitempty"`
	Scopes    []string   `json:"scopes,omitempty"`
	Issuer    string     `json:"issuer,omitempty"`
	Audience  []string   `json:"audience,omitempty"`
	Warnings  []string   `json:"warnings,omitempty"`
	Error     *errorJSON `json:"error,omitempty"`
	ExitCode  int        `json:"exitCode"`
}

// errorJSON is why a profile is not Active.
type errorJSON struct {
	Category       string `json:"category"`
	Message        string `json:"message"`
	Advice         string `json:"advice,omitempty"`
	IdPError       string `json:"idpError,omitempty"`
	IdPDescription string `json:"idpDescription,omitempty"`
	HTTPStatus     int    `json:"httpStatus,omitempty"`
}

func toResultJSON(r oauthflow.Result) resultJSON {
	out := resultJSON{
		Name: r.Name, ID: r.ProfileID, Status: string(r.Status), Active: r.Active(),
		Expiry: utc(r.Expiry), CheckedAt: utc(r.CheckedAt), Warnings: r.Warnings, ExitCode: exitCode(resultVerdict(r)),
	}
	if t := r.Token; t != nil {
		out.Username, out.Roles, out.Tenant, out.Scopes, out.Issuer, out.Audience = t.Username, t.Roles, t.Tenant, t.Scopes, t.Issuer, t.Audience
	}
	if f := r.Failure; f != nil {
		out.Error = &errorJSON{Category: string(f.Category), Message: oneLine(f.Error()), Advice: f.Advice(),
			IdPError: f.IdPError, IdPDescription: f.IdPDescription, HTTPStatus: f.HTTPStatus}
	}
	return out
}

// writeResults prints a table of outcomes on stdout, and each failure's
// category and advice on stderr.
func (a *app) writeResults(results []oauthflow.Result, now time.Time) {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS\tDETAIL")
	for _, r := range results {
		detail := ""
		if r.Active() {
			var parts []string
			if !r.Expiry.IsZero() {
				parts = append(parts, "expires "+humanUntil(r.Expiry, now))
			}
			if t := r.Token; t != nil {
				if t.Username != "" {
					parts = append(parts, "as "+t.Username)
				}
				if len(t.Roles) > 0 {
					parts = append(parts, "roles "+strings.Join(t.Roles, ", "))
				}
				if len(t.Scopes) > 0 {
					parts = append(parts, "scopes "+strings.Join(t.Scopes, " "))
				}
			}
			detail = strings.Join(parts, "; ")
		} else if r.Failure != nil {
			detail = r.Failure.Category.Label() + ": " + oneLine(r.Failure.Error())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Name, r.Status, orDash(detail))
	}
	_ = tw.Flush()
	for _, r := range results {
		for _, w := range r.Warnings {
			fmt.Fprintf(a.stderr, "Warning: %s: %s\n", r.Name, w)
		}
		if r.Failure != nil && r.Failure.Category != oauthflow.CatCancelled {
			writeFailure(a.stderr, r.Name+": ", r.Failure)
		}
	}
}

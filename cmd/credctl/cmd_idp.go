package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/cobra"
)

// `credctl idp …`: the IdP side of client secrets (#26).
func newIdPCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "idp secrets|pending|complete|cancel|refresh",
		Short: "Client secrets at the IdP: list a tenant's, finish or cancel pending rotation steps, read expiry",
		Args:  cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &usageError{cmd: "idp", msg: "missing the subcommand: secrets, pending, complete, cancel or refresh"}
			}
			return &usageError{cmd: "idp", msg: fmt.Sprintf("unknown subcommand %q: use secrets, pending, complete, cancel or refresh", args[0])}
		},
		// These commands show and handle pending steps themselves: the
		// pending revocation the admin wants to cancel must not run first.
		PersistentPreRun: func(*cobra.Command, []string) { a.noRunDue = true },
	}
	cmd.AddCommand(newIdPSecretsCmd(a), newIdPPendingCmd(a), newIdPStepCmd(a, "complete"), newIdPStepCmd(a, "cancel"), newIdPRefreshCmd(a))
	return cmd
}

type idpSecretsOptions struct {
	Management, Within string
	JSON               bool
}

func newIdPSecretsCmd(a *app) *cobra.Command {
	opts := &idpSecretsOptions{}
	cmd := &cobra.Command{
		Use:   "secrets --management-profile NAME [--within 30d] [--json]",
		Short: "List every client secret and certificate the management connection sees; exit 8 when any expires within the window",
		Args:  wantArgs("idp secrets"),
		RunE:  func(*cobra.Command, []string) error { return idpSecretsRun(a, opts) },
	}
	cmd.Flags().StringVar(&opts.Management, "management-profile", "", "the management `profile` (its token reads the IdP's apps)")
	cmd.Flags().StringVar(&opts.Within, "within", "30d", "the `window`: days (30d) or a duration (36h)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON (an array, see docs/credctl.md)")
	return cmd
}

type tenantCredentialJSON struct {
	App         string    `json:"app"`
	ClientID    string    `json:"clientId"`
	AppID       string    `json:"appId"`
	Kind        string    `json:"kind"`
	KeyID       string    `json:"keyId"`
	Hint        string    `json:"hint,omitempty"`
	DisplayName string    `json:"displayName,omitempty"`
	Status      string    `json:"status,omitempty"`
	Created     time.Time `json:"created,omitzero"`
	Expires     time.Time `json:"expires,omitzero"`
	DaysLeft    *int      `json:"daysLeft,omitempty"`
	Due         bool      `json:"expiresWithinWindow"`
	UsedBy      []string  `json:"usedBy"`
}

func idpSecretsRun(a *app, opts *idpSecretsOptions) error {
	if opts.Management == "" {
		return &usageError{cmd: "idp secrets", msg: "give the management profile: --management-profile NAME"}
	}
	win, err := parseWithin(opts.Within)
	if err != nil {
		return &usageError{cmd: "idp secrets", msg: err.Error()}
	}
	svc, err := a.service()
	if err != nil {
		return err
	}
	tcs, err := svc.Secrets().Tenant(a.ctx, opts.Management)
	if err != nil {
		return err
	}
	now := time.Now()
	out := make([]tenantCredentialJSON, 0, len(tcs))
	due := 0
	for _, c := range tcs {
		j := tenantCredentialJSON{App: c.App.Name, ClientID: c.App.ClientID, AppID: c.App.ID, Kind: string(c.Kind), KeyID: c.KeyID, Hint: c.Hint,
			DisplayName: c.DisplayName, Status: c.Status, Created: c.Created, Expires: c.Expires, UsedBy: c.UsedBy}
		if j.UsedBy == nil {
			j.UsedBy = []string{}
		}
		if !c.Expires.IsZero() {
			n := daysLeft(c.Expires, now)
			j.DaysLeft = &n
			j.Due = c.Expires.Before(now.Add(win))
		}
		if j.Due {
			due++
		}
		out = append(out, j)
	}
	if opts.JSON {
		if err := writeJSON(a.stdout, out); err != nil {
			return err
		}
	} else if len(out) == 0 {
		fmt.Fprintln(a.stdout, "The management connection sees no client secrets or certificates.")
	} else {
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "APP\tCLIENT ID\tKIND\tKEY\tCREATED\tEXPIRES\tUSED BY")
		for _, c := range out {
			exp := "never"
			if !c.Expires.IsZero() {
				exp = c.Expires.Format("2006-01-02")
				if c.Due {
					exp += " (!)"
				}
			}
			created := "-"
			if !c.Created.IsZero() {
				created = c.Created.Format("2006-01-02")
			}
			key := c.KeyID
			if c.Hint != "" {
				key += " (" + c.Hint + "…)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", orWord(c.App, "-"), c.ClientID, c.Kind, key, created, exp, orWord(strings.Join(c.UsedBy, ", "), "-"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if due > 0 {
		return quiet(&exitError{code: exitExpiring, msg: fmt.Sprintf("%d credential(s) expire within %s", due, opts.Within)})
	}
	return nil
}

func newIdPPendingCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "pending",
		Short: "List the pending rotation steps (switches and revocations still to do at the IdP)",
		Args:  wantArgs("idp pending"),
		RunE: func(*cobra.Command, []string) error {
			ps, err := a.profiles()
			if err != nil {
				return err
			}
			n := 0
			for _, p := range ps {
				if !p.PendingAtIdP.IsZero() {
					fmt.Fprintf(a.stdout, "%s: %s\n", p.Name, pendingLine(p.PendingAtIdP))
					n++
				}
			}
			if n == 0 {
				fmt.Fprintln(a.stdout, "Nothing is pending at the IdP.")
			}
			return nil
		},
	}
}

// newIdPStepCmd is `idp complete NAME` (do the pending step now) and
// `idp cancel NAME` (drop it).
func newIdPStepCmd(a *app, verb string) *cobra.Command {
	short := "Carry out a profile's pending step now: the switch to the minted secret, or the revocation of the old one"
	aliases := []string{"revoke"}
	if verb == "cancel" {
		short = "Drop a profile's pending step (a pending revocation: the old secret stays at the IdP; a pending switch: the minted secret is removed)"
		aliases = nil
	}
	return &cobra.Command{
		Use:               verb + " NAME",
		Aliases:           aliases,
		Short:             short,
		Args:              wantArgs("idp "+verb, "NAME"),
		ValidArgsFunction: a.completeProfile,
		RunE: func(_ *cobra.Command, args []string) error {
			svc, p, err := a.serviceProfile(args[0])
			if err != nil {
				return err
			}
			var r oauthflow.Rotation
			if verb == "cancel" {
				r, err = svc.Secrets().Cancel(a.ctx, p.ID)
			} else {
				r, err = svc.Secrets().Complete(a.ctx, p.ID)
			}
			if err != nil {
				return err
			}
			if verb == "cancel" && r.OK() && !r.Skipped {
				fmt.Fprintf(a.stdout, "%s: the pending step was dropped.\n", r.Profile)
				if r.Left != "" {
					fmt.Fprintf(a.stdout, "  Left: %s.\n", r.Left)
				}
				return nil
			}
			writeRotation(a.stdout, r)
			if !r.OK() {
				return quiet(&exitError{code: rotationExit(r), msg: verb + " failed"})
			}
			return nil
		},
	}
}

func newIdPRefreshCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:               "refresh NAME",
		Short:             "Read the client secret's key ID, creation and expiry from the IdP now",
		Args:              wantArgs("idp refresh", "NAME"),
		ValidArgsFunction: a.completeProfile,
		RunE: func(_ *cobra.Command, args []string) error {
			svc, p, err := a.serviceProfile(args[0])
			if err != nil {
				return err
			}
			info, err := svc.Secrets().RefreshExpiry(a.ctx, p.ID)
			if err != nil {
				return err
			}
			exp := "no expiry at the IdP"
			if !info.Expires.IsZero() {
				exp = "expires " + info.Expires.Format("2006-01-02")
			}
			fmt.Fprintf(a.stdout, "%s: secret key %s at %s app %s, %s.\n", info.Profile, orWord(info.KeyID, "unknown"), info.API, info.App, exp)
			if !info.MaxAgeDue.IsZero() {
				fmt.Fprintf(a.stdout, "  Maximum age reached on %s.\n", info.MaxAgeDue.Format("2006-01-02"))
			}
			for _, c := range info.Certificates {
				if !c.Expires.IsZero() {
					fmt.Fprintf(a.stdout, "  Certificate %s expires %s.\n", c.KeyID, c.Expires.Format("2006-01-02"))
				}
			}
			return nil
		},
	}
}

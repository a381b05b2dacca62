package main

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/spf13/cobra"
)

// exitExpiring is what `credctl expiring` exits with when a credential
// expires within the window (or has expired): monitoring jobs alert on it.
const exitExpiring = 8

// expiryJSON is a profile's client credential expiry in `list --json`,
// `show --json` and `expiring --json`.
type expiryJSON struct {
	Credential string    `json:"credential"` // "client secret", "client secret (maximum age)" or "certificate"
	ExpiresAt  time.Time `json:"expiresAt"`
	DaysLeft   int       `json:"daysLeft"` // negative once expired
	Expired    bool      `json:"expired"`
}

func toExpiryJSON(p credentials.Profile, now time.Time) *expiryJSON {
	at, what := p.CredentialExpiry()
	if at.IsZero() {
		return nil
	}
	return &expiryJSON{Credential: what, ExpiresAt: at.UTC(), DaysLeft: daysLeft(at, now), Expired: !now.Before(at)}
}

// daysLeft counts whole days until at, rounding down (never promise more).
func daysLeft(at, now time.Time) int {
	d := at.Sub(now)
	if d < 0 {
		return -int((-d + 24*time.Hour - 1) / (24 * time.Hour))
	}
	return int(d / (24 * time.Hour))
}

// humanExpiry is "in 12 days", "today", "expired 2026-01-31".
func humanExpiry(p credentials.Profile, now time.Time) string {
	at, _ := p.CredentialExpiry()
	switch n := daysLeft(at, now); {
	case at.IsZero():
		return ""
	case !now.Before(at):
		return "expired " + at.UTC().Format("2006-01-02")
	case n == 0:
		return "expires today"
	case n == 1:
		return "in 1 day"
	default:
		return fmt.Sprintf("in %d days", n)
	}
}

// parseWithin reads --within: days ("30d") or a Go duration ("36h").
func parseWithin(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days >= 0 && days <= 36500 {
			return time.Duration(days) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d, nil
	}
	return 0, fmt.Errorf("--within must be a number of days like 30d, or a duration like 36h, not %q", s)
}

// secretExpiresFlag reads --secret-expires YYYY-MM-DD ("" or "none" clears).
func secretExpiresFlag(cmd, v string) (time.Time, error) {
	if strings.EqualFold(strings.TrimSpace(v), "none") {
		return time.Time{}, nil
	}
	t, err := credentials.ParseExpiryDate(v)
	if err != nil {
		return time.Time{}, &usageError{cmd: cmd, msg: "--secret-expires: " + err.Error()}
	}
	return t, nil
}

type expiringOptions struct {
	Within string
	JSON   bool
}

func newExpiringCmd(a *app) *cobra.Command {
	opts := &expiringOptions{}
	cmd := &cobra.Command{
		Use:   "expiring [--within 30d] [--json]",
		Short: "List client secrets and certificates that expire within the window; exit 8 when any do",
		Long: `Lists every profile whose client secret (its --secret-expires date) or
certificate (its NotAfter) expires within --within, expired ones included,
and exits with 8 when there is any, 0 when there is none:
  credctl expiring --within 14d --json || notify-admins
`,
		Args: wantArgs("expiring"),
		RunE: func(*cobra.Command, []string) error { return expiringRun(a, opts) },
	}
	cmd.Flags().StringVar(&opts.Within, "within", "30d", "the `window`: days (30d) or a duration (36h)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON (an array, see docs/credctl.md)")
	a.completeWords(cmd, "within", "7d", "14d", "30d", "90d")
	return cmd
}

func expiringRun(a *app, opts *expiringOptions) error {
	win, err := parseWithin(opts.Within)
	if err != nil {
		return &usageError{cmd: "expiring", msg: err.Error()}
	}
	ps, err := a.profiles()
	if err != nil {
		return err
	}
	now := time.Now()
	type item struct {
		Name string `json:"name"`
		ID   string `json:"id"`
		expiryJSON
	}
	var due []item
	for _, p := range ps {
		e := toExpiryJSON(p, now)
		if e != nil && e.ExpiresAt.Before(now.Add(win)) {
			due = append(due, item{Name: p.Name, ID: p.ID, expiryJSON: *e})
		}
	}
	if opts.JSON {
		if due == nil {
			due = []item{}
		}
		if err := writeJSON(a.stdout, due); err != nil {
			return err
		}
	} else if len(due) == 0 {
		fmt.Fprintf(a.stdout, "No client secret or certificate expires within %s.\n", opts.Within)
	} else {
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tCREDENTIAL\tEXPIRES\tWHEN")
		for _, d := range due {
			when := fmt.Sprintf("in %d days", d.DaysLeft)
			if d.Expired {
				when = "EXPIRED"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Name, d.Credential, d.ExpiresAt.Format("2006-01-02"), when)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(due) > 0 {
		return quiet(&exitError{code: exitExpiring, msg: fmt.Sprintf("%d credential(s) expire within %s", len(due), opts.Within)})
	}
	return nil
}

package main

import (
	"fmt"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/spf13/cobra"
)

// newTransportCmd is the transport group: saved HTTP and WS_SOAP calls.
// Its help lists every subcommand's flags, as before the group had
// subcommands of its own.
func newTransportCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "transport list|show|add|edit|delete|run [NAME] [FLAGS]",
		Short: "Saved HTTP and WS_SOAP calls that use a profile's token",
		Long: `Subcommands:
  transport list [--json]
  transport show NAME [--json]
  transport add --name NAME --type http|ws_soap --url URL [--method M] [--header 'K: V']...
                [--body @FILE|-] [--soap-version 1.1|1.2] [--soap-action ACTION]
                [--credential PROFILE] [--token-in header|wsse] [--timeout 30s]
  transport edit NAME [same flags] [--rename NEW]
  transport delete NAME [--yes]
  transport run NAME [--json] [--as USERPROFILE]
A transport keeps no secret: its token comes from the profile named by
--credential at each run (the same token 'credctl token' prints). Headers
that carry credentials (Authorization, Cookie, …) are refused.
run prints the status line and the body (JSON and XML indented) and exits
0 for a 2xx answer, 5 when the API or the IdP refused the credentials,
6 for network, proxy or TLS problems, 4 when no credential is selected or
the transport cannot be sent, 1 for any other non-2xx answer and for a
SOAP Fault. --json adds the headers, the duration and the diagnosis.
`,
		Args: cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &usageError{cmd: "transport", msg: "missing the subcommand: list, show, add, edit, delete or run"}
			}
			return &usageError{cmd: "transport", msg: fmt.Sprintf("unknown subcommand %q: use list, show, add, edit, delete or run", args[0])}
		},
	}
	cmd.AddCommand(
		newTransportListCmd(a),
		newTransportShowCmd(a),
		newTransportAddCmd(a),
		newTransportEditCmd(a),
		newTransportDeleteCmd(a),
		newTransportRunCmd(a),
	)
	return cmd
}

// jsonFlag is --json of list, show and run (one text: the group's help
// lists it once).
func jsonFlag(cmd *cobra.Command, v *bool) {
	cmd.Flags().BoolVar(v, "json", false, "list, show, run: print JSON")
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

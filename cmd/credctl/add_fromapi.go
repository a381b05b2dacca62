package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// credctl add [NAME] --from-api URL (and edit NAME --from-api URL, which
// fills what the profile lacks): the API's protected-resource metadata
// (RFC 9728) names its authorization server; discovery there prefills the
// issuer, endpoints, scopes, resource and the DPoP / certificate-binding
// requirements. Flags given on the command line win; the client ID (and
// secret) still come from the user.

func registerFromAPI(cmd *cobra.Command, apiURL *string) {
	cmd.Flags().StringVar(apiURL, "from-api", "", "prefill the profile from the protected-resource metadata (RFC 9728) of the API at `URL`: "+
		"issuer, endpoints, scopes, resource, DPoP and certificate-bound tokens (the flags given and, on edit, the profile's own settings win)")
}

// addArgs: the profile name may come as the one argument instead of --name.
func addArgs(_ *cobra.Command, args []string) error {
	if len(args) > 1 {
		return &usageError{cmd: "add", msg: fmt.Sprintf("unexpected argument %q (quote a name that holds spaces)", args[1])}
	}
	return nil
}

// nameArg takes the NAME argument as --name.
func nameArg(f *profileFlags, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if f.given("name") {
		return &usageError{cmd: "add", msg: "give the name once: as the argument or with --name"}
	}
	return f.fs.Set("name", args[0])
}

// applyFromAPI fills p from the API's metadata and says what it found.
func applyFromAPI(a *app, svc *oauthflow.Service, apiURL string, p *credentials.Profile) error {
	if apiURL == "" {
		return nil
	}
	out, err := svc.ProfileFromAPI(a.ctx, apiURL, *p)
	if err != nil {
		return &exitError{code: exitFailure, msg: "--from-api: " + err.Error()}
	}
	*p = out.Profile
	for _, n := range out.Notes {
		fmt.Fprintln(a.stderr, "From the API: "+n)
	}
	return nil
}

package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
)

// exitCode is the one mapping from errors and verdicts to the documented
// exit codes (docs/credctl.md, "Exit codes").
func TestExitCode(t *testing.T) {
	run := func(o oauthflow.Outcome, d *oauthflow.Diagnosis) error {
		return quiet(runOutcome(&oauthflow.RunResult{Outcome: o, Diagnosis: d}))
	}
	failed := func(c oauthflow.Category) oauthflow.Result {
		return oauthflow.Result{Name: "api", Status: credentials.StatusFailed, Failure: &oauthflow.Failure{Category: c, Message: "x"}}
	}
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, exitOK},
		{"other", errors.New("cannot read x"), exitFailure},
		{"usage", &usageError{cmd: "show", msg: "missing NAME"}, exitUsage},
		{"used by transports", &oauthflow.InUseError{Profile: "api", Transports: []string{"Orders"}}, exitUsage},
		{"not found", fmt.Errorf("x: %w", credentials.ErrNotFound), exitNotFound},
		{"validation", &credentials.ValidationError{Fields: []credentials.FieldError{{Field: credentials.FieldName, Message: "m"}}}, exitValidation},
		{"keyring", &credentials.KeyringError{Op: "read"}, exitKeyring},
		{"expiring", quiet(&exitError{code: exitExpiring}), exitExpiring},
		{"active", resultVerdict(oauthflow.Result{Status: credentials.StatusActive}), exitOK},
		{"credentials", resultVerdict(failed(oauthflow.CatCredentials)), exitAuth},
		{"mfa", resultVerdict(failed(oauthflow.CatMFA)), exitAuth},
		{"tls", resultVerdict(failed(oauthflow.CatTLS)), exitNetwork},
		{"keyring failure", resultVerdict(failed(oauthflow.CatKeyring)), exitKeyring},
		{"configuration", resultVerdict(failed(oauthflow.CatConfig)), exitValidation},
		{"cancelled", resultVerdict(failed(oauthflow.CatCancelled)), exitFailure},
		{"untested, no failure", resultVerdict(oauthflow.Result{Status: credentials.StatusUntested}), exitFailure},
		{"run ok", run(oauthflow.OutcomeOK, nil), exitOK},
		{"run refused", run(oauthflow.OutcomeAPIRefused, &oauthflow.Diagnosis{Failure: &oauthflow.Failure{Category: oauthflow.CatNetwork}}), exitAuth},
		{"run network", run(oauthflow.OutcomeNetwork, nil), exitNetwork},
		{"run no credential", run(oauthflow.OutcomeNoCredential, nil), exitValidation},
		{"run invalid", run(oauthflow.OutcomeInvalid, nil), exitValidation},
		{"run no token", run(oauthflow.OutcomeNoToken, nil), exitAuth},
		{"run no token, network", run(oauthflow.OutcomeNoToken, &oauthflow.Diagnosis{Category: oauthflow.CatNetwork}), exitNetwork},
		{"run soap fault", run(oauthflow.OutcomeSOAPFault, nil), exitFailure},
		{"run http error", run(oauthflow.OutcomeHTTPError, nil), exitFailure},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("%s: exit %d, want %d (%v)", tc.name, got, tc.want, tc.err)
		}
	}
}

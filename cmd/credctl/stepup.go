package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/credworkbench/credworkbench/oauthflow"
)

// Step-up authentication (RFC 9470) for request and transport run: an API
// that answers 401 error="insufficient_user_authentication" gets, with
// --step-up, a new login with the acr values and max_age it named and the
// call once more; without it, our diagnosis says what to do.

const stepUpFlag = "--step-up"

func registerStepUp(fs *pflag.FlagSet, on *bool) {
	fs.BoolVar(on, "step-up", false, "when the API asks for a stronger or more recent sign-in (RFC 9470 insufficient_user_authentication), "+
		"log in again with what it asks (acr_values, max_age) and retry once")
}

// stepUpLogin runs the new login the API asked for.
func stepUpLogin(a *app, svc *oauthflow.Service, name string, s *oauthflow.StepUp) error {
	fmt.Fprintf(a.stderr, "Step-up: %s; logging in again.\n", s.Describe())
	res, err := svc.Login(a.ctx, name, oauthflow.LoginOptions{
		Timeout: oauthflow.DefaultLoginTimeout,
		StepUp:  s,
		OnURL: a.browserPrompt(false, browserTexts{
			open:   "Open this URL in a browser on this computer to log in (it works once):",
			resume: "Continue the login in the browser window that opened.",
			wait:   fmt.Sprintf("Waiting up to %s for the login; Ctrl-C cancels.", oauthflow.DefaultLoginTimeout),
		}),
	})
	if err != nil {
		return err
	}
	if !res.Active() {
		if res.Failure != nil {
			return resultVerdict(res)
		}
		return fmt.Errorf("the step-up login did not complete (status %s)", res.Status)
	}
	if res.Token != nil && res.Token.MFA != "" {
		fmt.Fprintf(a.stderr, "Step-up: %s\n", res.Token.MFA)
	}
	return nil
}

// requestStepUp is svc.Request with the step-up retry.
func requestStepUp(a *app, svc *oauthflow.Service, name string, spec oauthflow.RequestSpec, stepUp bool) (*oauthflow.Response, error) {
	resp, err := svc.Request(a.ctx, name, spec)
	if err != nil || resp.StepUp == nil || !stepUp {
		return resp, err
	}
	if err := stepUpLogin(a, svc, name, resp.StepUp); err != nil {
		return nil, err
	}
	return svc.Request(a.ctx, name, spec)
}

// stepUpVerdict is the exit message for an API's step-up challenge that
// was not (or could not be) met.
func stepUpVerdict(a *app, name string, resp *oauthflow.Response, problem string) string {
	if resp == nil || resp.StepUp == nil {
		return problem
	}
	p, err := a.profile(name)
	if err != nil {
		return problem + "; " + resp.StepUp.Describe()
	}
	return problem + "; " + oauthflow.StepUpAdvice(p, resp.StepUp, stepUpFlag)
}

// runStepUp is a transport run with the step-up retry.
func runStepUp(a *app, svc *oauthflow.Service, name string, opt oauthflow.RunOptions, stepUp bool) (*oauthflow.RunResult, error) {
	res, err := svc.Transports().Run(a.ctx, name, opt)
	if err != nil || !stepUp || res.Response == nil || res.Response.StepUp == nil || res.Profile == "" {
		return res, err
	}
	if err := stepUpLogin(a, svc, res.Profile, res.Response.StepUp); err != nil {
		return nil, err
	}
	return svc.Transports().Run(a.ctx, name, opt)
}

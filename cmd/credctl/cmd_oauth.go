package main

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/textproto"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/credworkbench/credworkbench/oauthflow"
)

// service opens the shared operations on first use.
func (a *app) service() (*oauthflow.Service, error) {
	if a.svc == nil {
		repo, err := a.repository()
		if err != nil {
			return nil, err
		}
		a.svc = oauthflow.NewService(repo, nil, nil)
		a.svc.Log = a.log
		a.svc.OneShot = true
	}
	return a.svc, nil
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
		Expiry: utc(r.Expiry), CheckedAt: utc(r.CheckedAt), Warnings: r.Warnings, ExitCode: resultExit(r),
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

// resultExit is the exit code a single result stands for.
func resultExit(r oauthflow.Result) int {
	switch {
	case r.Active():
		return exitOK
	case r.Failure != nil:
		return categoryExit(r.Failure.Category)
	}
	return exitFailure
}

func defineTest(fs *flag.FlagSet) func(*app, []string) error {
	all := fs.Bool("all", false, "test every profile")
	asJSON := fs.Bool("json", false, "print JSON: an object for NAME, an array for --all (see docs/credctl.md)")
	return func(a *app, args []string) error {
		if *all && len(args) > 0 {
			return &usageError{cmd: "test", msg: "give either NAME or --all, not both"}
		}
		if !*all {
			if err := wantArgs("test", args, "NAME"); err != nil {
				return err
			}
		}
		svc, err := a.service()
		if err != nil {
			return err
		}
		var results []oauthflow.Result
		if *all {
			results, err = svc.TestAll(a.ctx, 0)
		} else {
			var r oauthflow.Result
			r, err = svc.Test(a.ctx, args[0])
			results = []oauthflow.Result{r}
		}
		if err != nil {
			return err
		}
		now := time.Now()
		if *asJSON {
			out := make([]resultJSON, 0, len(results))
			for _, r := range results {
				out = append(out, toResultJSON(r))
			}
			var v any = out
			if !*all {
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
			if code := resultExit(r); code != exitOK {
				return &exitError{code: code, msg: r.Name + " is not Active", quiet: true}
			}
		}
		return nil
	}
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

// tokenJSON is the `token --json` output.
type tokenJSON struct {
	Name        string    `json:"name"`
	AccessToken string    `json:"accessToken"`
	TokenType   string    `json:"tokenType"`
	Expiry      time.Time `json:"expiry,omitzero"`
	ExpiresIn   int64     `json:"expiresIn,omitempty"` // seconds
	Cached      bool      `json:"cached"`
}

func defineToken(fs *flag.FlagSet) func(*app, []string) error {
	asJSON := fs.Bool("json", false, "print JSON with the token, its type and expiry (see docs/credctl.md)")
	fresh := fs.Bool("fresh", false, "ignore the cached token and get a new one")
	return func(a *app, args []string) error {
		if err := wantArgs("token", args, "NAME"); err != nil {
			return err
		}
		out, err := a.accessToken(args[0], *fresh)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(a.stdout, out)
		}
		_, err = fmt.Fprintln(a.stdout, out.AccessToken)
		return err
	}
}

// accessToken returns a valid access token from the token store every
// process shares (the workbench's token serves here, and this one serves
// it), fetching a new one only when none has more than
// oauthflow.MinTokenValidity left.
func (a *app) accessToken(name string, fresh bool) (tokenJSON, error) {
	svc, err := a.service()
	if err != nil {
		return tokenJSON{}, err
	}
	p, err := svc.Profile(name)
	if err != nil {
		return tokenJSON{}, err
	}
	tok, cached, err := svc.FetchToken(a.ctx, p.ID, oauthflow.TokenOptions{Fresh: fresh})
	if err != nil {
		return tokenJSON{}, err
	}
	out := tokenJSON{Name: p.Name, AccessToken: tok.AccessToken, TokenType: tok.Type(), Cached: cached}
	if !tok.Expiry.IsZero() {
		out.Expiry, out.ExpiresIn = tok.Expiry.UTC(), int64(time.Until(tok.Expiry)/time.Second)
	}
	return out, nil
}

func defineLogin(fs *flag.FlagSet) func(*app, []string) error {
	noBrowser := fs.Bool("no-browser", false, "do not open a browser; print the URL to open instead")
	timeout := fs.Duration("timeout", oauthflow.DefaultLoginTimeout, "give up when the login has not finished after this `duration`")
	asJSON := fs.Bool("json", false, "print the outcome as JSON (like test --json)")
	device := fs.Bool("device", false, "log in with a code on another device (RFC 8628 device authorization grant) instead of a browser here")
	another := fs.Bool("another-user", false, "make the IdP ask who is logging in even if the browser is still signed in there (prompt=login, or select_account where the IdP offers it)")
	return func(a *app, args []string) error {
		if err := wantArgs("login", args, "NAME"); err != nil {
			return err
		}
		if *timeout <= 0 {
			return &usageError{cmd: "login", msg: "--timeout must be positive, e.g. 5m"}
		}
		if *device && *noBrowser {
			return &usageError{cmd: "login", msg: "--device and --no-browser exclude each other (a device login never opens a browser here)"}
		}
		if *device && !isFlagSet(fs, "timeout") {
			*timeout = oauthflow.DefaultDeviceLoginTimeout
		}
		svc, err := a.service()
		if err != nil {
			return err
		}
		res, err := svc.Login(a.ctx, args[0], oauthflow.LoginOptions{
			Timeout:     *timeout,
			NoBrowser:   *noBrowser,
			AnotherUser: *another,
			OnURL: func(authURL string, browserErr error) {
				switch {
				case browserErr != nil:
					fmt.Fprintf(a.stderr, "The browser could not be opened: %v\nOpen this URL in a browser on this computer to log in (it works once):\n\n  %s\n\n", browserErr, authURL)
				case *noBrowser:
					fmt.Fprintf(a.stderr, "Open this URL in a browser on this computer to log in (it works once):\n\n  %s\n\n", authURL)
				default:
					fmt.Fprintln(a.stderr, "Continue the login in the browser window that opened (if none did, run again with --no-browser).")
				}
				fmt.Fprintf(a.stderr, "Waiting up to %s for the login; Ctrl-C cancels.\n", *timeout)
			},
			Device:       *device,
			OnDeviceCode: func(c oauthflow.DeviceCode) { printDeviceCode(a, c, *timeout) },
		})
		if err != nil {
			return err
		}
		if *asJSON {
			if err := writeJSON(a.stdout, toResultJSON(res)); err != nil {
				return err
			}
		}
		if !res.Active() {
			if res.Failure != nil {
				return res.Failure
			}
			return fmt.Errorf("the login did not complete (status %s)", res.Status)
		}
		for _, w := range res.Warnings {
			fmt.Fprintf(a.stderr, "Warning: %s\n", w)
		}
		if !*asJSON {
			user, roles := "", "none"
			if res.Token != nil {
				user = res.Token.Username
				if len(res.Token.Roles) > 0 {
					roles = strings.Join(res.Token.Roles, ", ")
				}
			}
			if user == "" {
				user = "an unnamed user (the username claim is not in the token: check --username-claim)"
			}
			fmt.Fprintf(a.stdout, "Logged in as %s (roles: %s)\n", user, roles)
			if res.Token != nil && res.Token.MFA != "" {
				fmt.Fprintln(a.stdout, res.Token.MFA) // the profile requires MFA: what the login proved
			}
		}
		return nil
	}
}

func defineLogout(fs *flag.FlagSet) func(*app, []string) error {
	endSession := fs.Bool("end-session", false, "also end the IdP's session in the browser (RP-initiated logout), so the next login asks who you are")
	noBrowser := fs.Bool("no-browser", false, "with --end-session: do not open a browser; print the URL to open instead")
	timeout := fs.Duration("timeout", oauthflow.DefaultIdPLogoutTimeout, "with --end-session: give up waiting for the browser after this `duration`")
	return func(a *app, args []string) error {
		if err := wantArgs("logout", args, "NAME"); err != nil {
			return err
		}
		if *timeout <= 0 {
			return &usageError{cmd: "logout", msg: "--timeout must be positive, e.g. 2m"}
		}
		svc, err := a.service()
		if err != nil {
			return err
		}
		p, err := svc.Profile(args[0])
		if err != nil {
			return err
		}
		opt := oauthflow.LogoutOptions{EndIdPSession: *endSession, NoBrowser: *noBrowser, Timeout: *timeout,
			OnURL: func(u string, browserErr error) {
				switch {
				case browserErr != nil:
					fmt.Fprintf(a.stderr, "The browser could not be opened: %v\nOpen this URL in the browser you log in with to end the IdP session (it works once):\n\n  %s\n\n", browserErr, u)
				case *noBrowser:
					fmt.Fprintf(a.stderr, "Open this URL in the browser you log in with to end the IdP session (it works once):\n\n  %s\n\n", u)
				default:
					fmt.Fprintln(a.stderr, "Confirm the sign-out in the browser window that opened (if none did, run again with --no-browser).")
				}
				fmt.Fprintf(a.stderr, "Waiting up to %s for the browser; Ctrl-C stops waiting (you are logged out here already).\n", *timeout)
			}}
		// Logout also removes the cached token, for every process.
		res, err := svc.LogoutWith(a.ctx, p.ID, opt)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "Logged out of %q.\n", p.Name)
		switch res.IdPSession {
		case oauthflow.IdPSessionEnded:
			fmt.Fprintln(a.stdout, "The IdP's session was ended too: the next login asks who you are.")
		case oauthflow.IdPSessionUnsupported:
			fmt.Fprintln(a.stderr, res.Message)
		case oauthflow.IdPSessionUnknown:
			return &exitError{code: exitFailure, msg: res.Message}
		}
		return nil
	}
}

// headerFlag collects repeated --header 'K: V'.
type headerFlag struct{ h http.Header }

func (f *headerFlag) String() string { return "" }

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

func defineRequest(fs *flag.FlagSet) func(*app, []string) error {
	method := fs.String("method", "", "HTTP `method` (default GET, or POST with --data)")
	var headers headerFlag
	fs.Var(&headers, "header", "extra request header `'Name: value'` (repeatable)")
	data := fs.String("data", "", "request body: a `string`, @FILE, or @- for standard input")
	include := fs.Bool("include", false, "print the status line and response headers before the body")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this `duration`")
	insecure := fs.Bool("insecure-http", false, "send the token to a plain-http URL of another machine (anyone on the network path can read it)")
	return func(a *app, args []string) error {
		if err := wantArgs("request", args, "NAME", "URL"); err != nil {
			return err
		}
		spec := oauthflow.RequestSpec{Method: *method, URL: args[1], Header: headers.h, Timeout: *timeout, AllowInsecureHTTP: *insecure}
		if *insecure {
			fmt.Fprintln(a.stderr, "Warning: --insecure-http: a plain-http URL of another machine gets the access token unencrypted.")
		}
		if isFlagSet(fs, "data") {
			body, err := requestBody(a, *data)
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
		resp, err := svc.Request(a.ctx, args[0], spec)
		if err != nil {
			return err
		}
		statusLine := fmt.Sprintf("HTTP %d %s", resp.Status, resp.StatusText)
		fmt.Fprintf(a.stderr, "%s (%d ms)\n", statusLine, resp.Duration.Milliseconds())
		if *include {
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
			return &exitError{code: exitAuth, msg: orDefault(resp.AuthProblem, "the API refused the token (401 Unauthorized)")}
		case resp.Status < 200 || resp.Status > 299:
			msg := fmt.Sprintf("the API answered %s", statusLine)
			if resp.AuthProblem != "" {
				msg = resp.AuthProblem
			}
			return &exitError{code: exitFailure, msg: msg}
		}
		return nil
	}
}

func isFlagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
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

// printDeviceCode tells the user where to enter which code (standard
// error: standard output stays for the outcome).
func printDeviceCode(a *app, c oauthflow.DeviceCode, timeout time.Duration) {
	fmt.Fprintf(a.stderr, "On any device with a browser, open\n\n  %s\n\nand enter the code\n\n  %s\n\n", c.VerificationURI, c.UserCode)
	if c.VerificationURIComplete != "" {
		fmt.Fprintf(a.stderr, "(or open %s, which has the code in it)\n", c.VerificationURIComplete)
	}
	wait := timeout
	if !c.Expiry.IsZero() {
		if left := time.Until(c.Expiry).Round(time.Second); left < wait {
			wait = left
		}
	}
	fmt.Fprintf(a.stderr, "Waiting up to %s for the sign-in there; Ctrl-C cancels.\n", wait)
}

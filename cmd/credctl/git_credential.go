package main

import (
	"bufio"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"github.com/credworkbench/credworkbench/oauthflow"
	"github.com/spf13/cobra"
)

type gitCredentialOptions struct {
	Profile string
	Action  string
}

func newGitCredentialCmd(a *app) *cobra.Command {
	opts := &gitCredentialOptions{}
	cmd := &cobra.Command{
		Use:   "git-credential [--profile NAME] get|store|erase",
		Short: "Answer git's credential helper protocol with an access token",
		Long: `git calls it as a credential helper; it answers get with the profile's
access token as the password (store and erase never write anything; erase of
a token the server rejected replaces the cached token). The profile is
--profile, else the one whose --git-host patterns match the remote:
  git config --global credential.https://dev.azure.com.helper '!credctl git-credential'
A path pattern (git.example.com/team/*) needs credential.useHttpPath true.
`,
		Args: func(_ *cobra.Command, args []string) error {
			if err := checkArgs("git-credential", args, "get|store|erase"); err != nil {
				return err
			}
			switch args[0] {
			case "get", "store", "erase":
				return nil
			}
			return &usageError{cmd: "git-credential", msg: fmt.Sprintf("the action must be get, store or erase, not %q", args[0])}
		},
		ValidArgs: []string{"get", "store", "erase"},
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Action = args[0]
			return gitCredentialRun(a, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Profile, "profile", "", "profile `NAME` to use instead of the one whose git hosts match the remote")
	_ = cmd.RegisterFlagCompletionFunc("profile", a.completeProfile)
	return cmd
}

// gitRequest is what git sends: key=value lines up to an empty line.
type gitRequest struct {
	Protocol, Host, Path, Username, Password string
}

func readGitRequest(r io.Reader) (gitRequest, error) {
	var q gitRequest
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20) // a token as password may be long
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			break
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return q, fmt.Errorf("git sent a line without '=': the input must be git's key=value lines")
		}
		switch k {
		case "protocol":
			q.Protocol = v
		case "host":
			q.Host = v
		case "path":
			q.Path = v
		case "username":
			q.Username = v
		case "password":
			q.Password = v
		}
	}
	return q, sc.Err()
}

func gitCredentialRun(a *app, opts *gitCredentialOptions) error {
	var in io.Reader = os.Stdin
	if a.stdin != nil {
		in = a.stdin
	}
	q, err := readGitRequest(in)
	if err != nil {
		return err
	}
	switch opts.Action {
	case "store":
		return nil // the token lives in the shared store already
	case "erase":
		return gitErase(a, opts, q)
	}
	name, err := gitProfile(a, opts.Profile, q)
	if err != nil || name == "" {
		return err // "": not ours; git's expected answer is silence
	}
	if err := gitTransportSafe(q); err != nil {
		return err
	}
	interactive := stderrIsTerminal() && os.Getenv("GIT_TERMINAL_PROMPT") != "0"
	tok, p, err := a.helperToken(name, interactive)
	if err == nil {
		err = dpopHelperRefusal("git-credential", p) // helpers_dpop.go
	}
	if err != nil {
		return err
	}
	user := p.GitUsername
	if user == "" {
		user = q.Username
	}
	if user == "" {
		user = "oauth2"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "username=%s\npassword=%s\n", user, tok.AccessToken)
	if !tok.Expiry.IsZero() {
		// git 2.41+ drops the password at expiry; older gits ignore it.
		fmt.Fprintf(&b, "password_expiry_utc=%d\n", tok.Expiry.Unix())
	}
	_, err = io.WriteString(a.stdout, b.String())
	return err
}

// gitErase drops a cached token that the server rejected (the password
// git erases), by fetching a new one: the next get hands that out. A
// password that is not the current token leaves the store alone.
func gitErase(a *app, opts *gitCredentialOptions, q gitRequest) error {
	if q.Password == "" {
		return nil
	}
	name, err := gitProfile(a, opts.Profile, q)
	if err != nil || name == "" {
		return err
	}
	svc, err := a.service()
	if err != nil {
		return err
	}
	if _, ok := svc.CurrentToken(name); !ok {
		return nil // nothing cached: the next get fetches anyway
	}
	tok, _, err := svc.FetchToken(a.ctx, name, oauthflow.TokenOptions{})
	if err != nil || subtle.ConstantTimeCompare([]byte(tok.AccessToken), []byte(q.Password)) != 1 {
		return nil //nolint:nilerr // not our token (or none to replace): nothing to erase
	}
	_, _, err = svc.FetchToken(a.ctx, name, oauthflow.TokenOptions{Fresh: true})
	return err
}

// gitProfile names the profile for the remote: --profile, else the one
// whose git hosts match it most specifically ("" when none does).
func gitProfile(a *app, flag string, q gitRequest) (string, error) {
	if flag != "" {
		return flag, nil
	}
	ps, err := a.profilesView()
	if err != nil {
		return "", err
	}
	var best []credentials.Profile
	bestScore := 0
	for _, p := range ps {
		switch s := p.GitHostMatch(q.Host, q.Path); {
		case s > bestScore:
			best, bestScore = []credentials.Profile{p}, s
		case s > 0 && s == bestScore:
			best = append(best, p)
		}
	}
	switch len(best) {
	case 0:
		fmt.Fprintf(a.stderr, "credctl git-credential: no profile serves %s (add one with 'credctl edit NAME --git-host %s', or pass --profile NAME)\n", q.Host, q.Host)
		return "", nil
	case 1:
		return best[0].ID, nil
	}
	names := make([]string, len(best))
	for i, p := range best {
		names[i] = fmt.Sprintf("%q", p.Name)
	}
	return "", &usageError{cmd: "git-credential", msg: fmt.Sprintf("profiles %s all serve %s%s: make one --git-host pattern more specific, or pass --profile NAME",
		strings.Join(names, ", "), q.Host, pathSuffix(q.Path))}
}

func pathSuffix(p string) string {
	if p == "" {
		return ""
	}
	return "/" + p
}

// gitTransportSafe refuses to hand a token to a remote over plain http,
// except on this computer (where nothing on the wire can read it).
func gitTransportSafe(q gitRequest) error {
	switch q.Protocol {
	case "https":
		return nil
	case "http":
		host := q.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
			return nil
		}
		return errors.New("refusing to send a token to " + q.Host + " over plain http: use an https:// remote")
	}
	return fmt.Errorf("git asked for %s://%s, but tokens are only for https remotes", q.Protocol, q.Host)
}

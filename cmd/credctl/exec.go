package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"syscall"

	"github.com/spf13/cobra"
)

type execOptions struct {
	Name    string
	Env     string
	Command []string
}

// exitCannotRun is a shell's code for a command that cannot be found or run.
const exitCannotRun = 127

// envNameRE is compiled on first use: every credctl start pays for what
// package variables build.
var envNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })

func newExecCmd(a *app) *cobra.Command {
	opts := &execOptions{}
	cmd := &cobra.Command{
		Use:   "exec NAME [--env VAR] -- COMMAND [ARGS...]",
		Short: "Run a command with a valid access token in its environment",
		Long: `COMMAND gets the token in $VAR (default ACCESS_TOKEN), never in its
arguments, and the profile's tenant (--tenant) in $VAR_TENANT when set. The
token is valid for at least a minute when the command starts. credctl exits
with the command's exit code (127 when it cannot be run). With a DPoP profile
the token is DPoP-bound and $VAR_TYPE is DPoP: the command presents it as
"Authorization: DPoP $VAR" with a proof from
"credctl token NAME --dpop-proof-for METHOD URL" for each request.
  credctl exec api -- sh -c 'curl -H "Authorization: Bearer $ACCESS_TOKEN" https://api.example.com/'
`,
		Args: func(c *cobra.Command, args []string) error {
			dash := c.ArgsLenAtDash()
			switch {
			case len(args) == 0 || dash == 0:
				return &usageError{cmd: "exec", msg: "missing NAME"}
			case dash < 0:
				return &usageError{cmd: "exec", msg: "put -- before the command: credctl exec NAME -- COMMAND [ARGS...]"}
			case dash > 1:
				return &usageError{cmd: "exec", msg: fmt.Sprintf("unexpected argument %q before -- (quote a name that holds spaces)", args[1])}
			case len(args) == 1:
				return &usageError{cmd: "exec", msg: "missing COMMAND after --"}
			}
			return nil
		},
		ValidArgsFunction: a.completeProfile,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Name, opts.Command = args[0], args[1:]
			return execRun(a, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Env, "env", "ACCESS_TOKEN", "environment `VAR`iable that carries the token (the tenant goes to VAR_TENANT)")
	return cmd
}

func execRun(a *app, opts *execOptions) error {
	if !envNameRE().MatchString(opts.Env) {
		return &usageError{cmd: "exec", msg: fmt.Sprintf("--env %q is not a variable name: use letters, digits and _, e.g. API_TOKEN", opts.Env)}
	}
	tok, p, err := a.helperToken(opts.Name, stderrIsTerminal() && a.stdinIsTerminal())
	if err != nil {
		return err
	}
	// The command may run credctl itself: hold no store or lock meanwhile.
	if a.svc != nil { // nil when the running workbench handed out the token
		a.svc.Close()
		a.svc = nil
	}

	env := childEnv(os.Environ(), opts.Env, tok.AccessToken, p.Tenant)
	env = dpopExecEnv(env, opts.Env, tok)
	cmd := exec.Command(opts.Command[0], opts.Command[1:]...) // #nosec G204 -- running the user's command is what exec is for
	cmd.Env, cmd.Stdout, cmd.Stderr = env, a.stdout, a.stderr
	if a.stdin != nil { // a nil *os.File would be a non-nil io.Reader
		cmd.Stdin = a.stdin
	}
	if err := cmd.Start(); err != nil {
		return &exitError{code: exitCannotRun, msg: fmt.Sprintf("cannot run %q: %v", opts.Command[0], unwrapExecErr(err))}
	}
	// Ctrl-C reaches the command from the terminal; a SIGTERM or SIGHUP sent
	// to credctl alone is passed on, and credctl waits for the command.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code := ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal()) // as shells report it
		}
		return quiet(&exitError{code: code, msg: fmt.Sprintf("%s exited with %d", opts.Command[0], code)})
	}
	return err
}

// childEnv is env with VAR=token and VAR_TENANT=tenant (when set) instead
// of any inherited values of theirs.
func childEnv(env []string, name, token, tenant string) []string {
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if k == name || k == name+"_TENANT" {
			continue
		}
		out = append(out, kv)
	}
	out = append(out, name+"="+token)
	if tenant != "" {
		out = append(out, name+"_TENANT="+tenant)
	}
	return out
}

// unwrapExecErr drops exec's repeat of the command name.
func unwrapExecErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}

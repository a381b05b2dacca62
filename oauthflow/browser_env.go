package oauthflow

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// errNoBrowserEnv: $BROWSER is unset or empty, so the platform's opener is
// next.
var errNoBrowserEnv = errors.New("BROWSER is not set")

// openFromEnv tries the openers $BROWSER names, in order: a list separated
// by the platform's list separator (":"; ";" on Windows, where ":" is part
// of a path), each entry a program with optional arguments (split at
// spaces, no shell), "%s" replaced by the URL ("%%" is a literal "%"), or
// the URL appended as the last argument when no "%s" appears. The first
// entry that exits 0 wins. The error never names the URL: it is the
// one-time local start address, whose path must not end up in logs.
func openFromEnv(rawURL string) error {
	env := strings.TrimSpace(os.Getenv("BROWSER"))
	if env == "" {
		return errNoBrowserEnv
	}
	var problems []string
	for _, entry := range strings.Split(env, string(os.PathListSeparator)) {
		args := strings.Fields(entry)
		if len(args) == 0 {
			continue
		}
		args = browserArgs(args, rawURL)
		path, err := exec.LookPath(args[0])
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: not found", failure.Sanitize(args[0], 100)))
			continue
		}
		cmd := exec.Command(path, args[1:]...) // #nosec G204 -- the user's own $BROWSER program; the URL is one argument, no shell
		cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, io.Discard, io.Discard
		if err := cmd.Run(); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s", failure.Sanitize(args[0], 100), exitText(err)))
			continue
		}
		return nil
	}
	if len(problems) == 0 {
		return errNoBrowserEnv
	}
	return fmt.Errorf("the browser named in BROWSER could not be opened (%s): fix BROWSER, "+
		"or open the login URL in a browser yourself", strings.Join(problems, "; "))
}

// browserArgs puts the URL into an entry's arguments.
func browserArgs(args []string, rawURL string) []string {
	out := make([]string, 0, len(args)+1)
	placed := false
	r := strings.NewReplacer("%%", "%", "%s", rawURL)
	for _, a := range args {
		if strings.Contains(a, "%s") {
			placed = true
		}
		out = append(out, r.Replace(a))
	}
	if !placed {
		out = append(out, rawURL)
	}
	return out
}

// exitText describes a failed run without its arguments.
func exitText(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Sprintf("exit status %d", ee.ExitCode())
	}
	var xe *exec.Error
	if errors.As(err, &xe) {
		return failure.Sanitize(xe.Err.Error(), 200)
	}
	return "could not be started"
}

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/credworkbench/credworkbench/credentials"
	"golang.org/x/term"
)

// maxSecretLine bounds what is read as one secret.
const maxSecretLine = 64 << 10

// secretPrompt names one secret to read and the field it belongs to.
type secretPrompt struct {
	label string // "client secret"
	field string // credentials.Field…, for the validation error when empty
}

// readSecrets reads secrets only from standard input: on a terminal with a
// prompt that does not echo, otherwise one per line in the order given.
// Arguments and environment variables are never used, so secrets stay out
// of shell history and process lists.
func (a *app) readSecrets(profile string, prompts ...secretPrompt) ([]string, error) {
	out := make([]string, 0, len(prompts))
	if a.stdinIsTerminal() {
		for _, p := range prompts {
			fmt.Fprintf(a.stderr, "%s for %q (input hidden): ", capitalize(p.label), profile)
			b, err := term.ReadPassword(int(a.stdin.Fd()))
			fmt.Fprintln(a.stderr)
			if a.ctx != nil && a.ctx.Err() != nil {
				// Ctrl-C at the hidden prompt: the read only ends at Enter,
				// but what was typed must not be saved.
				return nil, errors.New("cancelled (Ctrl-C): nothing was saved")
			}
			if err != nil {
				return nil, fmt.Errorf("cannot read the %s from the terminal: %w", p.label, err)
			}
			out = append(out, string(b))
		}
	} else {
		if a.stdin == nil {
			return nil, errors.New("no standard input to read the secret from")
		}
		r := bufio.NewReaderSize(io.LimitReader(a.stdin, int64(len(prompts))*maxSecretLine), 4096)
		for i, p := range prompts {
			line, err := r.ReadString('\n')
			if err != nil && !(errors.Is(err, io.EOF) && line != "") {
				what := p.label
				if len(prompts) > 1 {
					what = fmt.Sprintf("%s (line %d of standard input)", p.label, i+1)
				}
				return nil, &credentials.ValidationError{Fields: []credentials.FieldError{{Field: p.field,
					Message: fmt.Sprintf("No %s on standard input: pipe it in, e.g. printf '%%s\\n' \"$SECRET\" | credctl …", what)}}}
			}
			out = append(out, strings.TrimRight(line, "\r\n"))
		}
	}
	for i, p := range prompts {
		if out[i] == "" {
			return nil, &credentials.ValidationError{Fields: []credentials.FieldError{{Field: p.field,
				Message: fmt.Sprintf("The %s read from standard input is empty.", p.label)}}}
		}
	}
	return out, nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// confirm asks a yes/no question on the terminal; the default is no.
func (a *app) confirm(question string) (bool, error) {
	fmt.Fprintf(a.stderr, "%s [y/N]: ", question)
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	ans := strings.ToLower(strings.TrimSpace(line))
	return ans == "y" || ans == "yes", nil
}

package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// docsCommands reads the synopsis block under "### Commands" of
// docs/credctl.md: one entry per command, continuation lines joined.
func docsCommands(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../../docs/credctl.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	_, after, ok := strings.Cut(doc, "### Commands\n\n```\n")
	if !ok {
		t.Fatal("docs/credctl.md has no ### Commands block")
	}
	block, _, _ := strings.Cut(after, "```")
	out := map[string]string{}
	last := ""
	for _, line := range strings.Split(block, "\n") {
		if rest, ok := strings.CutPrefix(line, "credctl "); ok {
			name, _, _ := strings.Cut(rest, " ")
			last = name
			out[name] = rest
		} else if strings.TrimSpace(line) != "" && last != "" {
			out[last] += " " + strings.TrimSpace(line)
		}
	}
	return out
}

var docFlag = regexp.MustCompile(`--[a-z][a-z0-9-]*`)

// flagsOf are the flags of c and its subcommands.
func flagsOf(c *cobra.Command) []string {
	var out []string
	for _, f := range commandFlags(c) {
		out = append(out, f.Name)
	}
	return out
}

// The command list and flags of docs/credctl.md are the CLI's: every
// documented command and flag exists, and every command and flag of the
// CLI is documented.
func TestDocsMatchCommandTree(t *testing.T) {
	root := newRootCmd(&app{}, "")
	docs := docsCommands(t)
	b, err := os.ReadFile("../../docs/credctl.md")
	if err != nil {
		t.Fatal(err)
	}
	whole := string(b)
	for _, c := range root.Commands() {
		if c.Hidden {
			continue
		}
		synopsis, ok := docs[c.Name()]
		if !ok {
			t.Errorf("credctl %s is not in the ### Commands block of docs/credctl.md", c.Name())
			continue
		}
		flags := flagsOf(c)
		for _, f := range docFlag.FindAllString(synopsis, -1) {
			if f != "--help" && !slices.Contains(flags, strings.TrimPrefix(f, "--")) {
				t.Errorf("docs: credctl %s %s: no such flag", c.Name(), f)
			}
		}
		for _, f := range flags {
			if !strings.Contains(whole, "--"+f) {
				t.Errorf("credctl %s --%s is not documented in docs/credctl.md", c.Name(), f)
			}
		}
		// Subcommands and arguments the synopsis lists as a|b|c.
		if subs := c.Commands(); len(subs) > 0 {
			for _, sub := range subs {
				if !strings.Contains(synopsis, sub.Name()) {
					t.Errorf("credctl %s %s is not in the docs' synopsis %q", c.Name(), sub.Name(), synopsis)
				}
			}
		}
	}
	for name := range docs {
		if name == "help" {
			continue
		}
		if c, _, err := root.Find([]string{name}); err != nil || c == root {
			t.Errorf("docs/credctl.md lists credctl %s, which does not exist", name)
		}
	}
	// add's flags are edit's "[same flags]".
	add, _, _ := root.Find([]string{"add"})
	edit, _, _ := root.Find([]string{"edit"})
	add.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name != "name" && edit.Flags().Lookup(f.Name) == nil {
			t.Errorf("edit lacks add's --%s (docs: edit NAME [same flags])", f.Name)
		}
	})
	// The shells of `credctl completion`.
	for _, sh := range completionShells {
		if !strings.Contains(docs["completion"], sh) {
			t.Errorf("docs: credctl completion does not list %s", sh)
		}
	}
}

// The transport examples of docs/credctl.md use the flags of the
// subcommands they name.
func TestDocsTransportExamples(t *testing.T) {
	root := newRootCmd(&app{}, "")
	b, err := os.ReadFile("../../docs/credctl.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.ReplaceAll(string(b), "\\\n", " ")
	n := 0
	for _, line := range strings.Split(doc, "\n") {
		for _, part := range strings.Split(line, ";") {
			_, rest, ok := strings.Cut(part, "credctl transport ")
			if !ok {
				continue
			}
			name, _, _ := strings.Cut(rest, " ")
			sub, _, err := root.Find([]string{"transport", name})
			if err != nil || sub.Name() != name {
				continue // the group's synopsis (list|show|…)
			}
			n++
			for _, f := range docFlag.FindAllString(rest, -1) {
				if sub.Flags().Lookup(strings.TrimPrefix(f, "--")) == nil {
					t.Errorf("docs: credctl transport %s %s: no such flag", name, f)
				}
			}
		}
	}
	if n < 5 {
		t.Errorf("found %d transport examples in docs/credctl.md, want the six of the transport section", n)
	}
}

package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// completeNamesCmd is the hidden command the completion scripts call for
// profile names. It reads only the profile file, never the keyring.
const completeNamesCmd = "__complete-names"

// nameCommands take a profile name as their first argument.
var nameCommands = []string{"show", "edit", "delete", "test", "login", "logout", "token", "request", "rotate-secret"}

// fileFlags take a file name.
var fileFlags = []string{"ca-file", "data"}

func defineCompleteNames(fs *flag.FlagSet) func(*app, []string) error {
	return func(a *app, _ []string) error {
		ps, err := a.profiles()
		if err != nil {
			return err
		}
		for _, p := range ps {
			fmt.Fprintln(a.stdout, p.Name)
		}
		return nil
	}
}

func defineCompletion(fs *flag.FlagSet) func(*app, []string) error {
	return func(a *app, args []string) error {
		if err := wantArgs("completion", args, "SHELL"); err != nil {
			return err
		}
		cmds := visibleCommands()
		switch args[0] {
		case "bash":
			writeBash(a.stdout, cmds)
		case "zsh":
			writeZsh(a.stdout, cmds)
		case "fish":
			writeFish(a.stdout, cmds)
		default:
			return &usageError{cmd: "completion", msg: fmt.Sprintf("unknown shell %q: use bash, zsh or fish", args[0])}
		}
		return nil
	}
}

// flagInfo is one flag of a command, for the scripts.
type flagInfo struct {
	name, usage string
	bool        bool
}

type cmdInfo struct {
	name, summary string
	flags         []flagInfo
}

func visibleCommands() []cmdInfo {
	var out []cmdInfo
	for _, c := range commands() {
		if c.hidden {
			continue
		}
		fs := newFlagSet(c.name)
		c.define(fs)
		ci := cmdInfo{name: c.name, summary: c.summary}
		fs.VisitAll(func(f *flag.Flag) {
			_, usage := flag.UnquoteUsage(f)
			bf, ok := f.Value.(interface{ IsBoolFlag() bool })
			ci.flags = append(ci.flags, flagInfo{name: f.Name, usage: usage, bool: ok && bf.IsBoolFlag()})
		})
		ci.flags = append(ci.flags, flagInfo{name: "help", usage: "show help", bool: true})
		sort.Slice(ci.flags, func(i, j int) bool { return ci.flags[i].name < ci.flags[j].name })
		out = append(out, ci)
	}
	return out
}

func names(cmds []cmdInfo) string {
	var s []string
	for _, c := range cmds {
		s = append(s, c.name)
	}
	return strings.Join(s, " ")
}

func flagWords(c cmdInfo) string {
	var s []string
	for _, f := range c.flags {
		s = append(s, "--"+f.name)
	}
	return strings.Join(s, " ")
}

func writeBash(w io.Writer, cmds []cmdInfo) {
	fmt.Fprintf(w, `# bash completion for credctl. Load it with:
#   source <(credctl completion bash)
# or install it: credctl completion bash > ~/.local/share/bash-completion/completions/credctl
_credctl() {
    local cur prev cmd
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=( $(compgen -W "%s" -- "$cur") )
        return
    fi
    cmd="${COMP_WORDS[1]}"
    case "$prev" in
        --%s)
            COMPREPLY=( $(compgen -f -- "$cur") )
            return ;;
    esac
    if [[ "$cur" == -* ]]; then
        case "$cmd" in
`, names(cmds), strings.Join(fileFlags, "|--"))
	for _, c := range cmds {
		fmt.Fprintf(w, "            %s) COMPREPLY=( $(compgen -W \"%s\" -- \"$cur\") ) ;;\n", c.name, flagWords(c))
	}
	fmt.Fprintf(w, `        esac
        return
    fi
    case "$cmd" in
        %s)
            if [ "$COMP_CWORD" -eq 2 ]; then
                local IFS=$'\n' n
                COMPREPLY=()
                for n in $(credctl %s 2>/dev/null); do
                    [[ "$n" == "$cur"* ]] && COMPREPLY+=( "$(printf '%%q' "$n")" )
                done
            fi ;;
        import|export) COMPREPLY=( $(compgen -f -- "$cur") ) ;;
        completion) COMPREPLY=( $(compgen -W "bash zsh fish" -- "$cur") ) ;;
        help) COMPREPLY=( $(compgen -W "%s" -- "$cur") ) ;;
    esac
}
complete -o default -F _credctl credctl
`, strings.Join(nameCommands, "|"), completeNamesCmd, names(cmds))
}

// quoteSingle escapes s for a single-quoted shell string.
func quoteSingle(s string) string { return strings.ReplaceAll(s, "'", `'\''`) }

func writeZsh(w io.Writer, cmds []cmdInfo) {
	fmt.Fprint(w, `#compdef credctl
# zsh completion for credctl. Load it with:
#   source <(credctl completion zsh)
# or put it in a directory of $fpath as _credctl.
_credctl() {
    local -a cmds
    cmds=(
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "        '%s:%s'\n", c.name, quoteSingle(c.summary))
	}
	fmt.Fprint(w, `    )
    if (( CURRENT == 2 )); then
        _describe 'command' cmds
        return
    fi
    local cmd=${words[2]}
    case ${words[CURRENT-1]} in
        --`+strings.Join(fileFlags, "|--")+`) _files; return ;;
    esac
    if [[ ${words[CURRENT]} == -* ]]; then
        local -a flags
        case $cmd in
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "            %s) flags=(", c.name)
		for _, f := range c.flags {
			fmt.Fprintf(w, " '--%s:%s'", f.name, quoteSingle(strings.ReplaceAll(f.usage, ":", `\:`)))
		}
		fmt.Fprint(w, " ) ;;\n")
	}
	fmt.Fprintf(w, `        esac
        _describe 'flag' flags
        return
    fi
    case $cmd in
        %s)
            if (( CURRENT == 3 )); then
                local -a profiles
                profiles=( ${(f)"$(credctl %s 2>/dev/null)"} )
                compadd -a profiles
            fi ;;
        import|export) _files ;;
        completion) compadd bash zsh fish ;;
        help) _describe 'command' cmds ;;
    esac
}
if [[ "${funcstack[1]}" == "_credctl" ]]; then
    _credctl "$@"
else
    compdef _credctl credctl
fi
`, strings.Join(nameCommands, "|"), completeNamesCmd)
}

func writeFish(w io.Writer, cmds []cmdInfo) {
	fmt.Fprint(w, `# fish completion for credctl. Load it with:
#   credctl completion fish | source
# or install it: credctl completion fish > ~/.config/fish/completions/credctl.fish
complete -c credctl -f
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "complete -c credctl -n __fish_use_subcommand -a %s -d '%s'\n", c.name, fishQuote(c.summary))
	}
	for _, c := range cmds {
		for _, f := range c.flags {
			req := " -r"
			if f.bool {
				req = ""
			}
			fmt.Fprintf(w, "complete -c credctl -n '__fish_seen_subcommand_from %s' -l %s%s -d '%s'\n", c.name, f.name, req, fishQuote(f.usage))
		}
	}
	fmt.Fprintf(w, "complete -c credctl -n '__fish_seen_subcommand_from %s' -a '(credctl %s 2>/dev/null)'\n",
		strings.Join(nameCommands, " "), completeNamesCmd)
	fmt.Fprint(w, "complete -c credctl -n '__fish_seen_subcommand_from import export' -F\n")
	fmt.Fprint(w, "complete -c credctl -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n")
	for _, f := range fileFlags {
		fmt.Fprintf(w, "complete -c credctl -l %s -F -r\n", f)
	}
}

func fishQuote(s string) string {
	return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s)
}

// Command credctl gives scripts and CI the Credential Workbench's profiles and
// tokens: the same store, keyring and operations as the desktop app, without
// Fyne and without cgo. Run `credctl --help` for the commands and exit codes.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/credworkbench/credworkbench/internal/hardening"
)

func main() {
	// Before any secret is read: no core file, no ptrace by other processes.
	if err := hardening.Apply(); err != nil {
		fmt.Fprintln(os.Stderr, "credctl: could not turn off core dumps:", err)
	}
	// Ctrl-C cancels the running operation (a login closes its listener)
	// instead of killing the process mid-write.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first Ctrl-C the default handling is back: a second one
	// ends credctl at once (e.g. stuck at a hidden prompt).
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

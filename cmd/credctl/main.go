// Command credctl gives scripts and CI the Credential Workbench's profiles and
// tokens: the same store, keyring and operations as the desktop app, without
// Fyne and without cgo. Run `credctl --help` for the commands and exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
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

package main

import (
	"fmt"
	"runtime"

	"github.com/credworkbench/credworkbench/internal/version"
	"github.com/spf13/cobra"
)

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  wantArgs("version"),
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(a.stdout, "credctl %s (%s %s/%s)\n", version.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}

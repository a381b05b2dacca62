package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// buildTool builds the Go command in dir (relative to this package) as
// credctl is built (CGO_ENABLED=0) into the benchmark's temp directory:
// only the benchmarks that compare against it pay for the build.
func buildTool(b *testing.B, dir string) string {
	b.Helper()
	out := filepath.Join(b.TempDir(), filepath.Base(dir))
	cmd := exec.Command("go", "build", "-o", out, dir) // #nosec G204 -- the benchmark's own package
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("building %s: %v\n%s", dir, err, msg)
	}
	return out
}

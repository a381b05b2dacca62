// Package version holds the release version, set at build time from the git
// tag (make sets -ldflags -X …Version=…); "dev" otherwise. The About dialog
// and `credctl version` both read it here.
package version

// Version is the release version, e.g. "1.2.0".
var Version = "dev"

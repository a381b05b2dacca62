package ui

import (
	"fmt"

	"github.com/credworkbench/credworkbench/oauthflow"
)

// inUseWarning is the confirmation's note on what uses a profile: its
// transports and the derived profiles exchanging its token (#28).
func inUseWarning(e *oauthflow.InUseError) string {
	s := ""
	if len(e.Transports) > 0 {
		s = usedWarning(e.Transports)
	}
	if len(e.Derived) > 0 {
		s += fmt.Sprintf("\n\nThe profile(s) %s exchange its token and will then have none.", e.DerivedList())
	}
	return s
}

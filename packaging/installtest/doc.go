// Package installtest installs the built packages the way a user would and
// checks the installed programs (make package-test; CI runs it after make
// package). Its tests carry the build tag "installtest" because they change
// the machine: the .deb test needs root and apt, the MSI test Wine.
//
//	scripts/test.sh -tags installtest -count=1 -run TestDeb ./packaging/installtest/
//
// Either test fails, never skips, when a tool it needs is missing.
package installtest

package testidp

import (
	"os"
	"sync"
	"testing"
)

// shared is the test binary's IdP with the default options (Shared).
var shared struct {
	once sync.Once
	idp  *IdP
	err  error
	// stop is kept (never called) so the server's stdin pipe stays
	// reachable: its finalizer would close it and end the server.
	stop func() string
}

// Shared returns an IdP with the default options that every test of the
// test binary shares: started at the first call (a node start costs
// seconds on a loaded machine), reset (counters, faults, slow_down) at
// every call, so each test begins with zero counts as with Start. Use it
// only in tests that run one at a time (no t.Parallel) and that do not
// change the IdP beyond what Reset undoes; a test that needs options or a
// process of its own (stopping it, its log) uses Start. The server ends
// with the test binary (it exits when its stdin closes).
func Shared(t testing.TB) *IdP {
	t.Helper()
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "testidp-shared-")
		if err != nil {
			shared.err = err
			return
		}
		// The server has read its config once it is ready, and the
		// defaults have no TLS files: nothing in dir is needed later.
		defer os.RemoveAll(dir)
		shared.idp, shared.stop, shared.err = Launch(dir)
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	shared.idp.Reset(t)
	return shared.idp
}

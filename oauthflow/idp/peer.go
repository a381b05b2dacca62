package idp

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// peerGuard lets only this process's own user take part in a loopback
// login or logout: the one-time start address is on the opener's command
// line, which every local user can read. Both listeners use it before they
// look at a request's path-specific meaning, so a refused request changes
// nothing (it neither completes nor cancels the login).
type peerGuard struct {
	// lookup finds the uid owning the client end of a connection (remote,
	// local as the server sees them); ok is false when it cannot be told.
	lookup func(remote, local string) (uid int, ok bool)
	what   string // "login" or "IdP logout", for the messages

	mu      sync.Mutex
	others  []int // other uids refused
	unknown bool  // a connection whose owner could not be found was refused
}

func newPeerGuard(what string) *peerGuard { return &peerGuard{lookup: loopbackPeerUID, what: what} }

// allow reports whether r comes from a socket of our own uid. When not, it
// answers 403 with page(reason) and remembers the refusal for the user.
// Where the owner cannot be found (Linux: netlink and /proc both failed,
// or the client socket is already closed) it refuses too: fail closed.
func (g *peerGuard) allow(w http.ResponseWriter, r *http.Request, page func(reason string) pageData) bool {
	local := ""
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		local = a.String()
	}
	uid, known := g.lookup(r.RemoteAddr, local)
	switch {
	case known && uid == os.Getuid():
		return true
	case !known && !peerOwnerKnowable:
		return true // peer_other.go: no way to tell here
	}
	g.mu.Lock()
	if known && !slices.Contains(g.others, uid) && len(g.others) < 8 {
		g.others = append(g.others, uid)
	}
	g.unknown = g.unknown || !known
	g.mu.Unlock()
	reason := "This address belongs to another user of this computer."
	if !known {
		reason = "This address answers only the user who started it, and the connection could not be traced to that user."
	}
	writePage(w, http.StatusForbidden, page(reason))
	return false
}

// warnings say what allow refused, for a login or logout that went on.
func (g *peerGuard) warnings() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	if len(g.others) > 0 {
		out = append(out, fmt.Sprintf("Another user of this computer (%s) tried to use this %s's local address; it was "+
			"refused. Someone on this computer may be trying to take over your logins.", uidList(g.others), g.what))
	}
	if g.unknown {
		out = append(out, fmt.Sprintf("A connection to this %s's local address could not be traced to your user "+
			"account, so it was refused.", g.what))
	}
	return out
}

// refusedSummary is the sentence that leads the failure of a login or
// logout that did not complete after another user was refused ("" when
// none was): the user must not take the failure for a mere timeout.
func (g *peerGuard) refusedSummary() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case len(g.others) > 0:
		return fmt.Sprintf("Another local user (%s) tried to use this %s's address; it was refused, and the %s did "+
			"not complete. Someone on this computer may be trying to take over your logins.", uidList(g.others), g.what, g.what)
	case g.unknown:
		return fmt.Sprintf("A connection to this %s's address could not be traced to your user account and was "+
			"refused, and the %s did not complete.", g.what, g.what)
	}
	return ""
}

// lead puts refusedSummary in front of f's message (f itself unchanged).
func (g *peerGuard) lead(f *failure.Failure) *failure.Failure {
	sum := g.refusedSummary()
	if sum == "" || f == nil {
		return f
	}
	c := *f
	c.Message = sum + " " + f.Message
	return &c
}

func uidList(uids []int) string {
	s := make([]string, len(uids))
	for i, u := range uids {
		s[i] = fmt.Sprint(u)
	}
	if len(s) == 1 {
		return "uid " + s[0]
	}
	return "uids " + strings.Join(s, ", ")
}

//go:build !linux && !windows

package instance

import "net"

// peerAllowed: the socket lives in a 0700 folder of ours, which only this
// user can enter.
func peerAllowed(net.Conn) bool { return true }

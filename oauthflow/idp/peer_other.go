//go:build !linux

package idp

// peerOwnerKnowable is false here: macOS and Windows offer no way this
// package uses to tell which local user owns the other end of a loopback
// TCP connection, so the login and logout listeners serve a connection whose
// owner is unknown, as before. What still protects a login there: the
// listener binds 127.0.0.1 only, the start address is random and works
// once (a second use stops the login), the callback needs the state and the
// cookie set by the start address, and a login completed by another
// account is flagged by the "signed in another user" warning. On Linux
// (peer_linux.go) an unknown owner is refused.
const peerOwnerKnowable = false

// loopbackPeerUID cannot tell the owner of a loopback connection here.
func loopbackPeerUID(string, string) (int, bool) { return 0, false }

//go:build linux

package oauthflow

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// loopbackPeerUID finds the local user owning the client end of a TCP
// connection to our listener: /proc/net/tcp lists every IPv4 socket of this
// network namespace with its owner's uid (the other end's socket is the
// one whose local address is the request's remote address). ok is false
// when it cannot be told (no such entry: another namespace, a race).
func loopbackPeerUID(remote, local string) (int, bool) {
	rkey, ok := procNetKey(remote)
	if !ok {
		return 0, false
	}
	lkey, ok := procNetKey(local)
	if !ok {
		return 0, false
	}
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid ...
		fs := strings.Fields(sc.Text())
		if len(fs) < 8 || fs[1] != rkey || fs[2] != lkey {
			continue
		}
		uid, err := strconv.Atoi(fs[7])
		if err != nil {
			return 0, false
		}
		return uid, true
	}
	return 0, false
}

// procNetKey writes "127.0.0.1:8080" as /proc/net/tcp does: the address's
// four bytes as one native-endian 32-bit hex number, the port in hex.
func procNetKey(hostport string) (string, bool) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return "", false
	}
	ip := net.ParseIP(host).To4()
	p, err := strconv.Atoi(port)
	if ip == nil || err != nil {
		return "", false
	}
	return fmt.Sprintf("%08X:%04X", binary.NativeEndian.Uint32(ip), p), true
}

//go:build linux

package idp

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// peerOwnerKnowable: on Linux the kernel tells who owns the other end of a
// loopback connection, so a connection whose owner cannot be found is
// refused (fail closed).
const peerOwnerKnowable = true

// loopbackPeerUID finds the local user owning the client end of a TCP
// connection to our listener: remote is the request's remote address (the
// client socket's local address), local the address it connected to. ok is
// false when it cannot be told: no such socket (another network namespace,
// a race), or a socket no process holds any more (closed by its owner right
// after sending: the kernel then reports uid 0 on some versions, which
// would pass for root's).
func loopbackPeerUID(remote, local string) (int, bool) {
	src, err := netip(remote)
	if err != nil {
		return 0, false
	}
	dst, err := netip(local)
	if err != nil {
		return 0, false
	}
	uid, found, err := sockDiagUID(src, dst)
	if err == nil {
		return uid, found
	}
	// Netlink not usable (a seccomp filter, a kernel without inet_diag):
	// both /proc tables, since an AF_INET6 client connecting to
	// ::ffff:127.0.0.1 is listed in tcp6 although our listener is tcp4.
	return procNetUID(src, dst)
}

func netip(hostport string) (*net.TCPAddr, error) {
	a, err := net.ResolveTCPAddr("tcp", hostport)
	if err != nil || a.IP == nil {
		return nil, fmt.Errorf("not an IP address and port: %q", hostport)
	}
	return a, nil
}

// The NETLINK_SOCK_DIAG exact-socket query (linux/inet_diag.h). x/sys/unix
// (v0.50) has the constants (NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY) and
// the netlink header, but neither struct inet_diag_req_v2 nor inet_diag_msg;
// the library that has them (vishvananda/netlink) is a large dependency for
// one fixed-size request, so the two layouts are written out here (byte
// offsets, no unsafe).
const (
	sizeofInetDiagSockID = 48 // sport, dport, src[4], dst[4], if, cookie[2]
	sizeofInetDiagReqV2  = 8 + sizeofInetDiagSockID
	sizeofInetDiagMsg    = 4 + sizeofInetDiagSockID + 20 // ... expires, rqueue, wqueue, uid, inode
)

var diagSeq atomic.Uint32

// sockDiagUID asks the kernel for the socket whose local end is src and
// remote end dst. For AF_INET the kernel looks the 4-tuple up in TCP's
// established table, which holds AF_INET6 sockets connected to a v4-mapped
// address too, so one query finds the client whatever its family (the
// IPv6 test proves it). found is false when the socket does not exist or no
// process holds it; err is set only when netlink itself failed.
func sockDiagUID(src, dst *net.TCPAddr) (uid int, found bool, err error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return 0, false, err
	}
	defer unix.Close(fd)
	// The kernel answers at once; the timeout only guards against a hang.
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 2}); err != nil {
		return 0, false, err
	}
	seq := diagSeq.Add(1)
	if err := unix.Sendto(fd, diagRequest(src, dst, seq), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return 0, false, err
	}
	buf := make([]byte, 8192)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return 0, false, err
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return 0, false, err
		}
		for _, m := range msgs {
			if m.Header.Seq != seq {
				continue
			}
			switch m.Header.Type {
			case unix.NLMSG_ERROR:
				if len(m.Data) < 4 {
					return 0, false, errors.New("short netlink error")
				}
				// nlmsgerr.error: a negative errno as a signed 32-bit int.
				errno := syscall.Errno(-int64(int32(binary.NativeEndian.Uint32(m.Data[:4])))) // #nosec G115 -- see above
				if errno == syscall.ENOENT {
					return 0, false, nil // no such socket
				}
				return 0, false, errno
			case unix.SOCK_DIAG_BY_FAMILY:
				if len(m.Data) < sizeofInetDiagMsg {
					return 0, false, errors.New("short inet_diag answer")
				}
				uid := binary.NativeEndian.Uint32(m.Data[sizeofInetDiagMsg-8:])
				inode := binary.NativeEndian.Uint32(m.Data[sizeofInetDiagMsg-4:])
				if inode == 0 {
					return 0, false, nil // orphaned: no process holds it
				}
				return int(uid), true, nil
			}
		}
	}
}

// diagRequest is nlmsghdr + inet_diag_req_v2 for one exact socket.
func diagRequest(src, dst *net.TCPAddr, seq uint32) []byte {
	family, srcIP, dstIP := uint8(unix.AF_INET), src.IP.To4(), dst.IP.To4()
	if srcIP == nil || dstIP == nil {
		family, srcIP, dstIP = unix.AF_INET6, src.IP.To16(), dst.IP.To16()
	}
	b := make([]byte, unix.SizeofNlMsghdr+sizeofInetDiagReqV2)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], uint32(len(b))) // #nosec G115 -- 72 bytes
	ne.PutUint16(b[4:], unix.SOCK_DIAG_BY_FAMILY)
	ne.PutUint16(b[6:], unix.NLM_F_REQUEST)
	ne.PutUint32(b[8:], seq)
	r := b[unix.SizeofNlMsghdr:]
	r[0], r[1] = family, unix.IPPROTO_TCP
	ne.PutUint32(r[4:], ^uint32(0)) // every state
	id := r[8:]
	binary.BigEndian.PutUint16(id[0:], uint16(src.Port)) // #nosec G115 -- a TCP port
	binary.BigEndian.PutUint16(id[2:], uint16(dst.Port)) // #nosec G115 -- a TCP port
	copy(id[4:20], srcIP)
	copy(id[20:36], dstIP)
	ne.PutUint32(id[40:], ^uint32(0)) // INET_DIAG_NOCOOKIE
	ne.PutUint32(id[44:], ^uint32(0))
	return b
}

// procNetUID is the fallback: the client's entry in /proc/net/tcp, or in
// /proc/net/tcp6 in its v4-mapped form.
func procNetUID(src, dst *net.TCPAddr) (int, bool) {
	if uid, ok := scanProcNet("/proc/net/tcp", procNetKey(src, false), procNetKey(dst, false)); ok {
		return uid, true
	}
	return scanProcNet("/proc/net/tcp6", procNetKey(src, true), procNetKey(dst, true))
}

func scanProcNet(path, lkey, rkey string) (int, bool) {
	if lkey == "" || rkey == "" {
		return 0, false
	}
	f, err := os.Open(path) // #nosec G304 -- a fixed /proc path
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
		fs := strings.Fields(sc.Text())
		if len(fs) < 10 || fs[1] != lkey || fs[2] != rkey {
			continue
		}
		uid, err := strconv.Atoi(fs[7])
		if err != nil || fs[9] == "0" { // inode 0: orphaned, as above
			return 0, false
		}
		return uid, true
	}
	return 0, false
}

// procNetKey writes an address as /proc/net/tcp{,6} do: the address's
// 32-bit words in native-endian hex, then the port in hex. v6 gives the
// 16-byte form (v4 addresses v4-mapped); "" when it has no such form.
func procNetKey(a *net.TCPAddr, v6 bool) string {
	ip := a.IP.To4()
	if v6 {
		ip = a.IP.To16()
	}
	if ip == nil {
		return ""
	}
	var sb strings.Builder
	for i := 0; i < len(ip); i += 4 {
		fmt.Fprintf(&sb, "%08X", binary.NativeEndian.Uint32(ip[i:i+4]))
	}
	fmt.Fprintf(&sb, ":%04X", a.Port)
	return sb.String()
}

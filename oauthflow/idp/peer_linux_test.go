//go:build linux

package idp

import (
	"net"
	"os"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/twouser"
)

// The owner lookup finds the client of our tcp4 listener whichever family
// its socket is: an AF_INET6 socket connected to ::ffff:127.0.0.1 is listed
// in /proc/net/tcp6, not tcp (issue #23), and the netlink query and the
// /proc fallback must both find it. A client that already closed its socket
// (no process holds it) is not taken for anyone's.
func TestPeerLookupBothFamilies(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for _, family := range twouser.Families {
		t.Run(family, func(t *testing.T) {
			client, err := twouser.DialContext(family)(t.Context(), "tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			server, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer server.Close()
			remote, local := server.RemoteAddr().String(), server.LocalAddr().String()
			if uid, ok := loopbackPeerUID(remote, local); !ok || uid != os.Getuid() {
				t.Fatalf("loopbackPeerUID(%s, %s) = %d, %v; want %d", remote, local, uid, ok, os.Getuid())
			}
			src, _ := netip(remote)
			dst, _ := netip(local)
			if uid, found, err := sockDiagUID(src, dst); err != nil || !found || uid != os.Getuid() {
				t.Errorf("netlink: %d %v %v", uid, found, err)
			}
			if uid, ok := procNetUID(src, dst); !ok || uid != os.Getuid() {
				t.Errorf("/proc/net fallback: %d %v", uid, ok)
			}
			// Closed by its owner: an orphan, which must not pass for anyone.
			client.Close()
			deadline := time.Now().Add(2 * time.Second)
			for {
				_, ok := loopbackPeerUID(remote, local)
				_, pok := procNetUID(src, dst)
				if !ok && !pok {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("a closed client socket still has an owner (netlink %v, /proc %v)", ok, pok)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// BenchmarkPeerLookup: what the owner check costs per request, through
// netlink and through the /proc fallback (which grows with the number of
// sockets on the machine).
func BenchmarkPeerLookup(b *testing.B) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	client, err := twouser.DialContext("ipv6")(b.Context(), "tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	defer server.Close()
	src, _ := netip(server.RemoteAddr().String())
	dst, _ := netip(server.LocalAddr().String())
	b.Run("netlink", func(b *testing.B) {
		for b.Loop() {
			if _, found, err := sockDiagUID(src, dst); !found || err != nil {
				b.Fatal(found, err)
			}
		}
	})
	b.Run("procfs", func(b *testing.B) {
		for b.Loop() {
			if _, ok := procNetUID(src, dst); !ok {
				b.Fatal("not found")
			}
		}
	})
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// echoOff reports whether the credctl that root (a `script` process this
// test started) runs has turned off its terminal's echo: the sign that
// the hidden prompt reads now. Only root's descendants are looked at, in
// /proc/PID/stat (readable although credctl makes itself non-dumpable).
func echoOff(root int) bool {
	tty := controllingPTY(root, filepath.Base(credctlBin))
	if tty == "" {
		return false
	}
	f, err := os.OpenFile(tty, os.O_RDONLY|unix.O_NOCTTY|unix.O_NONBLOCK, 0) // #nosec G304 -- the test's own pseudo-terminal
	if err != nil {
		return false
	}
	defer f.Close()
	tio, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil && tio.Lflag&unix.ECHO == 0
}

// controllingPTY is the pseudo-terminal (/dev/pts/N) of the descendant of
// root named comm, or "".
func controllingPTY(root int, comm string) string {
	type proc struct {
		ppid, tty int
		comm      string
	}
	procs := map[int]proc{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if err != nil || open < 0 || end < open {
			continue
		}
		// pid (comm) state ppid pgrp session tty_nr …
		f := strings.Fields(s[end+1:])
		if len(f) < 5 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		tty, _ := strconv.Atoi(f[4])
		procs[pid] = proc{ppid: ppid, tty: tty, comm: s[open+1 : end]}
	}
	for _, p := range procs {
		if p.comm != comm {
			continue
		}
		for a := p.ppid; a > 1; a = procs[a].ppid {
			if a != root {
				continue
			}
			// Unix98 pseudo-terminals: majors 136–143, minor = N mod 256.
			major, minor := (p.tty>>8)&0xfff, (p.tty&0xff)|((p.tty>>12)&0xfff00)
			if major < 136 || major > 143 {
				return ""
			}
			return fmt.Sprintf("/dev/pts/%d", (major-136)<<8|minor)
		}
	}
	return ""
}

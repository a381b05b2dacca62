//go:build linux

// Command attacker is the second local user of the security tests (run as
// uid 65534 by twouser.Argv). It attacks only the URL it is given, or the
// URL on the command line of the one opener it is told about: it never
// touches another process's login.
//
//	attacker login  FAMILY START-URL USER PASSWORD
//	attacker logout FAMILY START-URL
//	attacker get    FAMILY COOKIE URL...   (COOKIE "name=value" or "-")
//	attacker watch  FAMILY VICTIM-PID OPENER USER PASSWORD
//
// watch polls /proc for a descendant of VICTIM-PID whose command line holds
// OPENER (the test's stand-in browser opener, a unique path) and takes the
// argument after it. Every mode prints ATTACKER lines for the test to read.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/credworkbench/credworkbench/internal/twouser"
)

func main() {
	fmt.Printf("ATTACKER uid %d\n", os.Getuid())
	if len(os.Args) < 4 {
		fmt.Println("ATTACKER FAILED: usage: attacker MODE FAMILY ARGS...")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Second)
	defer cancel()
	mode, family, args := os.Args[1], os.Args[2], os.Args[3:]
	switch {
	case mode == "login" && len(args) == 3:
		report(twouser.Login(ctx, family, args[0], args[1], args[2]), "LOGGED IN")
	case mode == "logout" && len(args) == 1:
		report(twouser.FakeLogout(ctx, family, args[0]), "ENDED THE SESSION")
	case mode == "get" && len(args) >= 2:
		get(ctx, family, args[0], args[1:])
	case mode == "watch" && len(args) == 4:
		victim, _ := strconv.Atoi(args[0])
		u := watch(ctx, victim, args[1])
		if u == "" {
			fmt.Println("ATTACKER TIMED OUT")
			return
		}
		fmt.Printf("ATTACKER SAW %s\n", u)
		report(twouser.Login(ctx, family, u, args[2], args[3]), "LOGGED IN")
	default:
		fmt.Printf("ATTACKER FAILED: bad arguments %q\n", os.Args[1:])
		os.Exit(2)
	}
}

func report(err error, success string) {
	switch {
	case err == nil:
		fmt.Println("ATTACKER " + success)
	case errors.Is(err, twouser.ErrRefused):
		fmt.Printf("ATTACKER REFUSED: %v\n", err)
	default:
		fmt.Printf("ATTACKER FAILED: %v\n", err)
	}
}

// get fetches each URL in turn (with the cookie, when given) and prints
// its status.
func get(ctx context.Context, family, cookie string, urls []string) {
	c := twouser.Client(family, nil)
	for _, u := range urls {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil) // #nosec G704 -- the test attacker fetches the URLs it is given
		if err == nil && cookie != "-" {
			req.Header.Set("Cookie", cookie)
		}
		status := 0
		if err == nil {
			var resp *http.Response
			if resp, err = c.Do(req); err == nil { // #nosec G704 -- as above
				status = resp.StatusCode
				_ = resp.Body.Close()
			}
		}
		if err != nil {
			fmt.Printf("ATTACKER FAILED: %v\n", err)
			continue
		}
		fmt.Printf("STATUS %d %s\n", status, u)
	}
}

// watch returns the argument after opener on the command line of a
// descendant of victim, polling until ctx ends ("" then).
func watch(ctx context.Context, victim int, opener string) string {
	for ctx.Err() == nil {
		parents := map[int]int{}
		stats, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, f := range stats {
			b, err := os.ReadFile(f) // #nosec G304 -- /proc
			if err != nil {
				continue
			}
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
			// "pid (comm) state ppid ...": comm may hold spaces and parentheses.
			if i := bytes.LastIndexByte(b, ')'); i > 0 {
				if fs := strings.Fields(string(b[i+1:])); len(fs) > 1 {
					parents[pid], _ = strconv.Atoi(fs[1])
				}
			}
		}
		for pid := range parents {
			if !descends(parents, pid, victim) {
				continue // not the victim's: never looked at
			}
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			if err != nil {
				continue
			}
			argv := strings.Split(string(b), "\x00")
			for i, a := range argv {
				if a == opener && i+1 < len(argv) && strings.HasPrefix(argv[i+1], "http://127.0.0.1:") {
					return argv[i+1]
				}
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return ""
}

func descends(parents map[int]int, pid, ancestor int) bool {
	for range 64 {
		p, ok := parents[pid]
		if !ok || p == 0 {
			return false
		}
		if p == ancestor {
			return true
		}
		pid = p
	}
	return false
}

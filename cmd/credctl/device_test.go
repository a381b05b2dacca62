package main

import (
	"bufio"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// runDeviceLogin starts `credctl login NAME --device`, reads the
// verification URI and user code from its standard error and hands them to
// act (the user on another device); it returns the command's outcome.
func runDeviceLogin(t *testing.T, c *cli, name string, act func(ctx context.Context, uri, code string) error) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd, out, _ := c.command(ctx, "", "login", name, "--device")
	cmd.Stderr = nil
	errPipe, perr := cmd.StderrPipe()
	if perr != nil {
		t.Fatal(perr)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var errText strings.Builder
	shown := make(chan [2]string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(errPipe)
		var indented []string
		for sc.Scan() {
			line := sc.Text()
			errText.WriteString(line + "\n")
			if strings.HasPrefix(line, "  ") && strings.TrimSpace(line) != "" {
				indented = append(indented, strings.TrimSpace(line))
				if len(indented) == 2 {
					shown <- [2]string{indented[0], indented[1]}
				}
			}
		}
	}()
	select {
	case s := <-shown:
		if aerr := act(ctx, s[0], s[1]); aerr != nil {
			t.Errorf("on the other device: %v", aerr)
		}
	case <-done:
	case <-ctx.Done():
	}
	err = cmd.Wait()
	<-done
	return out.String(), errText.String(), err
}

func TestLoginDevice(t *testing.T) {
	requireKeyring(t)
	idp := testidp.Start(t)
	c := newCLI(t)
	// No display and no opener: the device login never needs one.
	c.env = append(c.env, "DISPLAY=", "WAYLAND_DISPLAY=", "BROWSER=")
	addUser(t, c, idp, "portal")

	stdout, stderr, err := runDeviceLogin(t, c, "portal", func(ctx context.Context, uri, code string) error {
		if !strings.HasPrefix(uri, idp.Issuer+"/device") {
			t.Errorf("verification URI %q", uri)
		}
		return testidp.DeviceApprove(ctx, uri, code, testidp.Username, testidp.Password)
	})
	if err != nil {
		t.Fatalf("login --device: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	if want := "Logged in as alice (roles: admin, viewer)\n"; stdout != want {
		t.Fatalf("stdout %q, want %q", stdout, want)
	}
	contains(t, "device login stderr", stderr, "enter the code", "Ctrl-C cancels")
	contains(t, "show after the device login", c.must(0, "", "show", "portal").stdout, "Logged in as:", "alice", "Active")
	// The session is like any other: renewal through the refresh token, logout.
	idp.Reset(t)
	c.must(0, "", "token", "portal", "--fresh")
	if st := idp.Stats(t); st.Grants["refresh_token"] != 1 {
		t.Fatalf("--fresh: grants %v", st.Grants)
	}
	c.must(0, "", "logout", "portal")

	stdout, stderr, err = runDeviceLogin(t, c, "portal", func(ctx context.Context, uri, code string) error {
		return testidp.DeviceDeny(ctx, uri, code)
	})
	if err == nil {
		t.Fatalf("a denied device login succeeded: %s", stdout)
	}
	contains(t, "denied device login", stderr, "access_denied", "Advice:")

	contains(t, "--device with --no-browser", c.must(exitUsage, "", "login", "portal", "--device", "--no-browser").stderr, "exclude each other")
}

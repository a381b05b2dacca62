package instance

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary play an app process: with
// INSTANCE_HELPER_DIR set it claims the instance, prints what happened and,
// as the first instance, waits for a show request.
func TestMain(m *testing.M) {
	if sock := os.Getenv("INSTANCE_ASK_SOCK"); sock != "" {
		askAs(sock) // peer_linux_test.go
		return
	}
	if dir := os.Getenv("INSTANCE_HELPER_DIR"); dir != "" {
		if dir == "default" {
			dir = "" // DefaultDir
		}
		shown := make(chan struct{}, 1)
		in, err := Claim("credworkbench-test", dir, func() { shown <- struct{}{} })
		switch {
		case errors.Is(err, ErrOtherRunning):
			fmt.Println("handed over")
			os.Exit(0)
		case err != nil:
			fmt.Println("error:", err)
			os.Exit(2)
		}
		fmt.Println("claimed")
		select {
		case <-shown:
			fmt.Println("shown")
		case <-time.After(60 * time.Second):
			fmt.Println("never shown")
		}
		_ = in.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func helper(t *testing.T, dir string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), "INSTANCE_HELPER_DIR="+dir), env...)
	return cmd
}

// A second process finds the first, asks it to show its window and exits 0.
func TestSecondInstanceHandsOverAndExits(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rt")
	handsOver(t, dir)
	// The first one gone, the next start claims again (its socket removed).
	in, err := Claim("credworkbench-test", dir, nil)
	if err != nil {
		t.Fatalf("claim after the first exited: %v", err)
	}
	_ = in.Close()
}

// handsOver starts a first app process with dir ("default": DefaultDir)
// and env, checks that a second one hands over to it and exits 0, and that
// the first was shown and ends.
func handsOver(t *testing.T, dir string, env ...string) {
	t.Helper()
	first := helper(t, dir, env...)
	out, err := first.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = first.Process.Kill(); _ = first.Wait() })
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "claimed" {
		t.Fatalf("first instance: %q", lines.Text())
	}
	if runtime.GOOS != "windows" && dir != "default" {
		st, err := os.Stat(filepath.Join(dir, "instance.sock"))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("socket: %v %v", st, err)
		}
	}

	start := time.Now()
	second, err := helper(t, dir, env...).Output()
	if err != nil {
		t.Fatalf("second instance: %v (%s)", err, second)
	}
	if strings.TrimSpace(string(second)) != "handed over" {
		t.Fatalf("second instance said %q", second)
	}
	t.Logf("second instance exited 0 after %v", time.Since(start))
	if !lines.Scan() || lines.Text() != "shown" {
		t.Fatalf("first instance: %q", lines.Text())
	}
	if err := first.Wait(); err != nil {
		t.Fatal(err)
	}
}

// A stale socket file of an instance that died does not stop a new one.
func TestStaleSocketReplaced(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix sockets only")
	}
	dir := filepath.Join(t.TempDir(), "rt")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "instance.sock"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	in, err := Claim("credworkbench-test", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = in.Close()
}

// Anything but the one request is ignored; a folder others can read is refused.
func TestOnlyShowRequestsAndPrivateFolder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix sockets only")
	}
	dir := filepath.Join(t.TempDir(), "rt")
	shown := make(chan struct{}, 4)
	in, err := Claim("credworkbench-test", dir, func() { shown <- struct{}{} })
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	c, _, err := dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Write([]byte("open /etc/passwd\n"))
	buf := make([]byte, 8)
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, _ := c.Read(buf); n != 0 {
		t.Errorf("answered a bad request: %q", buf[:n])
	}
	_ = c.Close()
	if err := requestShow(dir); err != nil {
		t.Fatal(err)
	}
	select {
	case <-shown:
	case <-time.After(5 * time.Second):
		t.Fatal("not shown")
	}
	if len(shown) != 0 {
		t.Error("the bad request showed the window")
	}

	// A folder others can write is refused; one they can only read is
	// made private (the store's rule: internal/fileguard).
	open := filepath.Join(t.TempDir(), "open")
	if err := os.MkdirAll(open, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := Claim("credworkbench-test", open, nil); err == nil || !strings.Contains(err.Error(), "chmod go-w") {
		t.Errorf("open folder: %v", err)
	}
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	in2, err := Claim("credworkbench-test", open, nil)
	if err != nil {
		t.Fatalf("readable folder: %v", err)
	}
	_ = in2.Close()
	if st, _ := os.Stat(open); st.Mode().Perm() != 0o700 {
		t.Errorf("readable folder left %v", st.Mode().Perm())
	}
}

package main

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// ptyRun runs credctl on a pseudo-terminal (util-linux `script`), answering
// each prompt once it appears. It returns everything the terminal showed.
func ptyRun(t *testing.T, c *cli, answers []ptyAnswer, args ...string) string {
	t.Helper()
	script, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("util-linux `script` is needed for terminal tests (apt-get install -y bsdutils): %v", err)
	}
	quoted := make([]string, 0, len(args)+1)
	for _, a := range append([]string{credctlBin}, args...) {
		quoted = append(quoted, shellQuote(a))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, "-qec", strings.Join(quoted, " "), "/dev/null")
	cmd.Env = append(c.environ(), "SHELL=/bin/sh")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var screen bytes.Buffer
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		buf := make([]byte, 4096)
		for {
			n, err := pr.Read(buf)
			mu.Lock()
			screen.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	shown := func() string { mu.Lock(); defer mu.Unlock(); return screen.String() }
	for _, a := range answers {
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(shown(), a.prompt) {
			if time.Now().After(deadline) {
				t.Fatalf("prompt %q did not appear; the terminal shows:\n%s", a.prompt, shown())
			}
			time.Sleep(20 * time.Millisecond)
		}
		// The prompt is written just before the terminal's echo is turned
		// off: type the hidden answer only once it is.
		for strings.Contains(a.prompt, "(input hidden)") && !echoOff(cmd.Process.Pid) {
			if time.Now().After(deadline) {
				t.Fatalf("the terminal's echo was not turned off for %q", a.prompt)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if _, err := io.WriteString(stdin, a.input+"\r"); err != nil {
			t.Fatal(err)
		}
	}
	err = cmd.Wait()
	pw.Close()
	<-copied
	if err != nil {
		t.Fatalf("credctl %s on a terminal: %v\n%s", strings.Join(args, " "), err, shown())
	}
	return shown()
}

type ptyAnswer struct{ prompt, input string }

func TestTerminalPrompts(t *testing.T) {
	requireKeyring(t)
	c := newCLI(t)
	const secret = "typed-secret-5e7"
	screen := ptyRun(t, c, []ptyAnswer{{"Client secret for \"tty\" (input hidden): ", secret}},
		"add", "--name", "tty", "--type", "application", "--token-url", "http://127.0.0.1:1/token",
		"--client-id", "c", "--client-secret-stdin")
	if strings.Contains(screen, secret) {
		t.Fatalf("the secret was echoed:\n%s", screen)
	}
	contains(t, "terminal", screen, `Added profile "tty"`)
	if p := decode[profileJSON](t, c.must(0, "", "show", "tty", "--json").stdout); !p.ClientSecret.Set {
		t.Fatal("the typed secret was not stored")
	}

	const question = `Delete profile "tty" and its secrets from the keyring? This cannot be undone. [y/N]: `
	screen = ptyRun(t, c, []ptyAnswer{{question, "n"}}, "delete", "tty")
	contains(t, "terminal", screen, "Nothing was deleted.")
	c.must(0, "", "show", "tty")
	screen = ptyRun(t, c, []ptyAnswer{{question, "y"}}, "delete", "tty")
	contains(t, "terminal", screen, `Deleted profile "tty".`)
	c.must(exitNotFound, "", "show", "tty")
}

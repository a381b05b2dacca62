package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/credworkbench/credworkbench/internal/testidp"
)

// credctlTimeout bounds one credctl run (a login waits for its browser).
const credctlTimeout = 90 * time.Second

// Result is what a finished credctl run printed and its exit code.
type Result struct {
	Args           []string
	Stdout, Stderr string
	Code           int
}

func (r Result) String() string {
	return fmt.Sprintf("credctl %s: exit %d\n--- stdout:\n%s--- stderr:\n%s", strings.Join(r.Args, " "), r.Code, r.Stdout, r.Stderr)
}

// JSON decodes the standard output into v.
func (r Result) JSON(v any) error { return json.Unmarshal([]byte(r.Stdout), v) }

// Credctl runs bin/credctl to the end with no standard input.
func (h *H) Credctl(args ...string) Result {
	h.t.Helper()
	return h.CredctlIn("", args...)
}

// CredctlIn runs bin/credctl with stdin as its standard input.
func (h *H) CredctlIn(stdin string, args ...string) Result {
	h.t.Helper()
	p := h.StartCredctl(stdin, args...)
	return p.Wait()
}

// MustCredctl runs credctl and fails the test unless it exits 0.
func (h *H) MustCredctl(args ...string) Result {
	h.t.Helper()
	return h.MustCredctlIn("", args...)
}

// MustCredctlIn is MustCredctl with a standard input.
func (h *H) MustCredctlIn(stdin string, args ...string) Result {
	h.t.Helper()
	r := h.CredctlIn(stdin, args...)
	if r.Code != 0 {
		h.t.Fatalf("want exit 0: %s", r)
	}
	return r
}

// Proc is a running credctl (a login that waits for the browser or the
// other device).
type Proc struct {
	h      *H
	args   []string
	cmd    *exec.Cmd
	ctx    context.Context
	cancel context.CancelFunc
	once   sync.Once
	err    error
	stdout bytes.Buffer
	done   chan struct{} // closed when both output readers finished

	mu     sync.Mutex
	stderr strings.Builder
	lines  chan string // every stderr line, also kept in stderr
}

// StartCredctl starts bin/credctl; read its standard error line by line
// with Lines (or wait for a line with WaitLine), then Wait.
func (h *H) StartCredctl(stdin string, args ...string) *Proc {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), credctlTimeout)
	cmd := exec.CommandContext(ctx, credctlBin, args...) // #nosec G204 -- the binary under test
	cmd.Env = h.Environ()
	cmd.Stdin = strings.NewReader(stdin)
	cmd.WaitDelay = 5 * time.Second
	p := &Proc{h: h, args: args, cmd: cmd, ctx: ctx, cancel: cancel, done: make(chan struct{}), lines: make(chan string, 1000)}
	cmd.Stdout = &p.stdout
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		h.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		h.t.Fatalf("starting credctl: %v", err)
	}
	go func() {
		defer close(p.done)
		defer close(p.lines)
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default: // nobody reads them: they are in stderr
			}
		}
		_, _ = io.Copy(io.Discard, errPipe)
	}()
	h.t.Cleanup(func() { p.cancel(); p.wait() })
	return p
}

// WaitLine returns the first standard-error line (from here on) that
// contains substr, or fails the test after timeout.
func (p *Proc) WaitLine(substr string, timeout time.Duration) string {
	p.h.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				p.h.t.Fatalf("credctl %s ended without printing %q:\n%s", strings.Join(p.args, " "), substr, p.Wait())
			}
			if strings.Contains(l, substr) {
				return l
			}
		case <-deadline:
			p.h.t.Fatalf("credctl %s did not print %q within %s; stderr so far:\n%s", strings.Join(p.args, " "), substr, timeout, p.stderrText())
		}
	}
}

// Lines is the channel of standard-error lines (closed at exit).
func (p *Proc) Lines() <-chan string { return p.lines }

func (p *Proc) stderrText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// Wait waits for the end (at most credctlTimeout from the start) and
// returns the outcome; a run that timed out fails the test.
func (p *Proc) Wait() Result {
	p.h.t.Helper()
	p.wait()
	r := Result{Args: p.args, Stdout: p.stdout.String(), Stderr: p.stderrText()}
	if ee, ok := p.err.(*exec.ExitError); ok {
		r.Code = ee.ExitCode()
	} else if p.err != nil {
		p.h.t.Fatalf("credctl %s: %v\n%s", strings.Join(p.args, " "), p.err, r)
	}
	if p.ctx.Err() == context.DeadlineExceeded {
		p.h.t.Fatalf("credctl did not finish within %s:\n%s", credctlTimeout, r)
	}
	return r
}

// wait reaps the process once (Wait, or the test's cleanup).
func (p *Proc) wait() {
	p.once.Do(func() {
		<-p.done // the pipe is read to its end before cmd.Wait closes it
		p.err = p.cmd.Wait()
		p.cancel()
	})
}

// DeviceLogin runs `credctl login NAME --device` and completes the device
// flow on "another device" as user: it reads the verification address and
// the user code credctl shows (the first two indented lines of its
// standard error) and approves them at the IdP.
func (h *H) DeviceLogin(name, user, password string, extra ...string) Result {
	h.t.Helper()
	p := h.StartCredctl("", append([]string{"login", name, "--device"}, extra...)...)
	var shown []string
	for l := range p.Lines() {
		if strings.HasPrefix(l, "  ") && strings.TrimSpace(l) != "" {
			if shown = append(shown, strings.TrimSpace(l)); len(shown) == 2 {
				break
			}
		}
	}
	if len(shown) == 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := testidp.DeviceApprove(ctx, shown[0], shown[1], user, password); err != nil {
			h.t.Errorf("approving the device login at %s: %v", shown[0], err)
		}
	}
	return p.Wait()
}

//go:build unix

package testidp

import (
	"os/exec"
	"syscall"
)

// setProcessGroup makes the child the leader of a new process group so that
// killProcessGroup also reaches its descendants (Chromium's helpers, ...).
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func killProcessGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}

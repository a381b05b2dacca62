// Package hardening makes the process harder to read from outside: it holds
// client secrets and tokens in memory, which a core file or another
// process of the same user (ptrace, /proc/PID/mem) could otherwise read.
package hardening

// Apply turns off core dumps and, on Linux, marks the process not
// dumpable (no core file, no ptrace attach and no /proc/PID/mem for other
// processes of the same user without CAP_SYS_PTRACE). It is called first
// thing in main; what fails is returned for a debug log, never fatal.
func Apply() error { return apply() }

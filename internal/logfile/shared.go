package logfile

import (
	"os"
	"strconv"
)

// The workbench and every credctl append to the same file. The file is
// opened with O_APPEND and each record is one Write (slog's handlers write
// a record in one call), so records of two processes never interleave
// within a line. What this file adds: a process follows a rotation that
// another one did, and only one of them rotates.

// follow points w at the file now at w.path and takes its size from the
// file itself, which other processes grow too. A file that another process
// has moved aside is left for the new one, so no line goes to a file
// that is about to be deleted and `--follow` readers see every line.
func (w *Writer) follow() {
	cur, err := w.f.Stat()
	if err != nil {
		return
	}
	if st, err := os.Stat(w.path); err == nil && os.SameFile(cur, st) {
		w.size = cur.Size()
		return
	}
	w.reopen()
}

// reopen opens the file at w.path (creating it); on failure w keeps the
// file it had: its lines are still read, from the rotated file.
func (w *Writer) reopen() {
	old := w.f
	if err := w.open(); err == nil {
		_ = old.Close()
	}
}

// rotate moves the files aside (NAME → NAME.1 → … → NAME.Keep). It holds
// a lock on the current file meanwhile: two processes that find it full
// at once take turns, and the second finds a new file at the path and
// writes there instead of rotating it too (which would push a full file
// out early and leave an almost empty NAME.1).
func (w *Writer) rotate() {
	old := w.f
	unlock, err := lockFile(old)
	if err != nil {
		unlock = func() {} // rotate anyway: a log that grows without end is worse
	}
	cur, err := old.Stat()
	st, serr := os.Stat(w.path)
	if movedAlready := err == nil && (serr != nil || !os.SameFile(cur, st)); !movedAlready {
		for i := Keep - 1; i >= 1; i-- {
			_ = os.Rename(w.path+"."+strconv.Itoa(i), w.path+"."+strconv.Itoa(i+1))
		}
		_ = os.Rename(w.path, w.path+".1")
	}
	// Unlock before closing: the lock belongs to the old file's descriptor.
	if err := w.open(); err != nil {
		unlock() // keep writing to the old file: its lines are still read
		return
	}
	unlock()
	_ = old.Close()
}

package logfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"time"
)

// Follow calls fn for each entry appended to the log after it starts,
// until ctx ends. It notices rotation (the file replaced or shortened).
// Each look opens the file through the guards: a link, FIFO or file of
// another user at the log's place ends it with an error.
func Follow(ctx context.Context, path string, f Filter, poll time.Duration, fn func(Entry)) error {
	if err := checkDir(path); err != nil {
		return err
	}
	var pos Position
	if fh, err := openLog(path); err == nil {
		if st, err := fh.Stat(); err == nil {
			pos = Position{offset: st.Size(), file: st}
		}
		_ = fh.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot follow the log: %w", err)
	}
	return FollowFrom(ctx, path, f, poll, pos, fn)
}

// FollowFrom is Follow from where ReadUntil stopped.
func FollowFrom(ctx context.Context, path string, f Filter, poll time.Duration, pos Position, fn func(Entry)) error {
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	if err := checkDir(path); err != nil {
		return err
	}
	offset, cur := pos.offset, pos.file
	var partial []byte
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		fh, err := openLog(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // not there yet, or being rotated
		}
		if err != nil {
			return fmt.Errorf("cannot follow the log: %w", err)
		}
		st, err := fh.Stat()
		if err != nil {
			_ = fh.Close()
			continue
		}
		if cur == nil || !os.SameFile(cur, st) || st.Size() < offset {
			offset, partial = 0, nil
		}
		cur = st
		if st.Size() == offset {
			_ = fh.Close()
			continue
		}
		if _, err := fh.Seek(offset, io.SeekStart); err == nil {
			b, _ := io.ReadAll(io.LimitReader(fh, 8<<20))
			offset += int64(len(b))
			b = append(partial, b...)
			last := bytes.LastIndexByte(b, '\n')
			partial = slices.Clone(b[last+1:])
			for _, line := range bytes.Split(b[:last+1], []byte{'\n'}) {
				if e, ok := Parse(line); ok && f.Match(e) {
					fn(e)
				}
			}
		}
		_ = fh.Close()
	}
}

// Package logfile is the one place that knows where the workbench's log
// file is and how to read it back: the Logs view and `credctl logs` both
// read it through here. Lines are slog records, JSON or text (key=value);
// rotated files (NAME.1 is the newest old one) are read oldest first.
package logfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/credworkbench/credworkbench/internal/fileguard"
)

// FileName is the workbench's log file in the state directory.
const FileName = "workbench.log"

// Keep is how many rotated files are kept beside the current one.
const Keep = 3

// MaxSize is the size at which the file is rotated.
const MaxSize = 1 << 20

// Dir is the directory of the log: $XDG_STATE_HOME/credworkbench when
// set (any OS), else ~/.local/state/credworkbench on Linux and BSD,
// ~/Library/Logs/credworkbench on macOS, %LocalAppData%\credworkbench\logs
// on Windows.
func Dir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "credworkbench"), nil
	}
	switch runtime.GOOS {
	case "windows":
		d, err := os.UserCacheDir() // %LocalAppData%
		if err != nil {
			return "", err
		}
		return filepath.Join(d, "credworkbench", "logs"), nil
	case "darwin", "ios":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, "Library", "Logs", "credworkbench"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the home directory for the log: %w", err)
	}
	return filepath.Join(home, ".local", "state", "credworkbench"), nil
}

// Path is the current log file.
func Path() (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, FileName), nil
}

// Writer appends to the log file and rotates it at MaxSize, keeping Keep
// older files. It is safe for concurrent use within one process, and
// several processes may append to the same file (shared.go).
type Writer struct {
	path string
	mu   sync.Mutex
	f    *os.File
	size int64
}

// OpenWriter opens (creating) the log file for appending: in a directory
// of ours that others cannot write, never through a link, only a regular
// file of ours (internal/fileguard).
func OpenWriter(path string) (*Writer, error) {
	if err := fileguard.MkdirPrivate(filepath.Dir(path), "log directory"); err != nil {
		return nil, err
	}
	w := &Writer{path: path}
	if err := w.open(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Writer) open() error {
	f, err := fileguard.AppendOwn(w.path, "log file")
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return err
	}
	w.f, w.size = f, st.Size()
	return nil
}

// Write implements io.Writer; one call is one record.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return 0, errors.New("log file closed")
	}
	w.follow() // shared.go: another process may have written or rotated
	if w.size+int64(len(p)) > MaxSize && w.size > 0 {
		w.rotate()
	}
	n, err := w.f.Write(p)
	w.size += int64(n)
	return n, err
}

// Close closes the file.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}

// NewLogger is the workbench's logger: slog text records at Info and
// above, each naming the app that wrote it.
func NewLogger(w io.Writer, app string) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, nil)).With("app", app)
}

// Entry is one log record.
type Entry struct {
	Time      time.Time         `json:"time"`
	Level     slog.Level        `json:"-"`
	LevelName string            `json:"level"`
	Msg       string            `json:"msg"`
	Profile   string            `json:"profile,omitempty"`
	Transport string            `json:"transport,omitempty"`
	Error     string            `json:"error,omitempty"`
	Attrs     map[string]string `json:"attrs,omitempty"` // the other attributes, as text
}

// Parse reads one line written by a slog JSON or text handler.
func Parse(line []byte) (Entry, bool) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return Entry{}, false
	}
	kv := map[string]string{}
	if line[0] == '{' {
		var m map[string]any
		if json.Unmarshal(line, &m) != nil {
			return Entry{}, false
		}
		flatten("", m, kv)
	} else if !parseText(string(line), kv) {
		return Entry{}, false
	}
	e := Entry{Msg: kv["msg"], Profile: kv["profile"], Transport: kv["transport"], Error: kv["error"]}
	if t, err := time.Parse(time.RFC3339Nano, kv["time"]); err == nil {
		e.Time = t
	}
	if err := e.Level.UnmarshalText([]byte(kv["level"])); err != nil && kv["level"] != "" {
		return Entry{}, false
	}
	e.LevelName = e.Level.String()
	for _, k := range []string{"time", "level", "msg", "profile", "transport", "error"} {
		delete(kv, k)
	}
	if len(kv) > 0 {
		e.Attrs = kv
	}
	return e, e.Msg != "" || !e.Time.IsZero()
}

func flatten(prefix string, m map[string]any, out map[string]string) {
	for k, v := range m {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		switch x := v.(type) {
		case string:
			out[key] = x
		case map[string]any:
			flatten(key, x, out)
		case nil:
			out[key] = ""
		default:
			b, _ := json.Marshal(x)
			out[key] = string(b)
		}
	}
}

// parseText reads slog's text format: key=value or key="quoted value".
func parseText(s string, out map[string]string) bool {
	for s != "" {
		s = strings.TrimLeft(s, " ")
		eq := strings.IndexByte(s, '=')
		if eq <= 0 || strings.ContainsAny(s[:eq], " \"") {
			return false
		}
		key := s[:eq]
		s = s[eq+1:]
		if strings.HasPrefix(s, `"`) {
			v, rest, ok := cutQuoted(s)
			if !ok {
				return false
			}
			out[key], s = v, rest
			continue
		}
		end := strings.IndexByte(s, ' ')
		if end < 0 {
			end = len(s)
		}
		out[key], s = s[:end], s[end:]
	}
	return out["msg"] != "" || out["time"] != ""
}

func cutQuoted(s string) (string, string, bool) {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			v, err := strconv.Unquote(s[:i+1])
			return v, s[i+1:], err == nil
		}
	}
	return "", "", false
}

// Filter selects entries; empty fields match everything.
type Filter struct {
	Profile   string     // case-insensitive, exact
	Transport string     // case-insensitive, exact
	MinLevel  slog.Level // e.g. slog.LevelWarn
	Text      string     // case-insensitive substring of the message or error
}

// Match reports whether e passes the filter.
func (f Filter) Match(e Entry) bool {
	if f.Profile != "" && !strings.EqualFold(f.Profile, e.Profile) {
		return false
	}
	if f.Transport != "" && !strings.EqualFold(f.Transport, e.Transport) {
		return false
	}
	if e.Level < f.MinLevel {
		return false
	}
	if f.Text != "" {
		t := strings.ToLower(f.Text)
		if !strings.Contains(strings.ToLower(e.Msg), t) && !strings.Contains(strings.ToLower(e.Error), t) {
			return false
		}
	}
	return true
}

// MaxEntries bounds what Read returns (the newest are kept).
const MaxEntries = 20000

// MaxRead caps what is read of one log file: the writer rotates at
// MaxSize, so a bigger file is not the workbench's log.
const MaxRead = 16 * MaxSize

// openLog opens a log file through the guards (a regular file of ours, no
// link, no blocking on a FIFO, at most MaxRead bytes).
func openLog(name string) (*os.File, error) {
	fh, err := fileguard.OpenOwn(name, "log file")
	if err != nil {
		return nil, err
	}
	if st, err := fh.Stat(); err != nil || st.Size() > MaxRead {
		_ = fh.Close()
		if err == nil {
			err = fmt.Errorf("%s is larger than %d MiB, so it is not the workbench's log (it is rotated at %d MiB): move it aside",
				name, MaxRead>>20, MaxSize>>20)
		}
		return nil, err
	}
	return fh, nil
}

// checkDir checks the log's directory (a real directory of ours).
func checkDir(path string) error { return fileguard.CheckDir(filepath.Dir(path), "log directory") }

// Read returns the entries of the rotated files and the current one, oldest
// first, that pass f. A missing log is no entries. Lines that are not log
// records are skipped.
func Read(path string, f Filter) ([]Entry, error) {
	out, _, err := ReadUntil(path, f)
	return out, err
}

// Position is where a read of the log stopped in the current file, so that
// following it from there loses and repeats no line.
type Position struct {
	offset int64
	file   os.FileInfo // nil: the log did not exist
}

// ReadUntil is Read that also tells where it stopped: lines appended while
// or after it reads are left to FollowFrom.
func ReadUntil(path string, f Filter) ([]Entry, Position, error) {
	var pos Position
	if err := checkDir(path); err != nil {
		return nil, pos, err
	}
	var out []Entry
	files := []string{}
	for i := Keep; i >= 1; i-- {
		files = append(files, path+"."+strconv.Itoa(i))
	}
	files = append(files, path)
	for _, name := range files {
		fh, err := openLog(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, pos, fmt.Errorf("cannot read the log: %w", err)
		}
		limit := int64(MaxRead)
		if name == path {
			// Only what is there now: the rest is the follower's.
			if st, err := fh.Stat(); err == nil {
				pos = Position{offset: st.Size(), file: st}
				limit = min(limit, st.Size())
			}
		}
		err = scan(io.LimitReader(fh, limit), func(e Entry) {
			if f.Match(e) {
				out = append(out, e)
			}
		})
		_ = fh.Close()
		if err != nil {
			return nil, pos, fmt.Errorf("cannot read the log %s: %w", name, err)
		}
	}
	if len(out) > MaxEntries {
		out = slices.Clone(out[len(out)-MaxEntries:])
	}
	return out, pos, nil
}

func scan(r io.Reader, fn func(Entry)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if e, ok := Parse(sc.Bytes()); ok {
			fn(e)
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return nil // a line too long to be ours: stop at it rather than fail
	}
	return sc.Err()
}

// ParseLevel reads "debug", "info", "warn" or "error" (any case).
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if s == "" {
		return slog.LevelDebug, nil
	}
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, fmt.Errorf("level %q is not debug, info, warn or error", s)
	}
	return l, nil
}

// Format is one line for people: time, level, message, the named fields,
// the rest; control and bidi characters escaped (see Escape), since the
// log holds text from IdPs and APIs.
func Format(e Entry) string {
	var b strings.Builder
	if !e.Time.IsZero() {
		b.WriteString(e.Time.Local().Format(time.DateTime) + " ")
	}
	fmt.Fprintf(&b, "%-5s %s", e.LevelName, e.Msg)
	if e.Profile != "" {
		fmt.Fprintf(&b, " profile=%q", e.Profile)
	}
	if e.Transport != "" {
		fmt.Fprintf(&b, " transport=%q", e.Transport)
	}
	keys := make([]string, 0, len(e.Attrs))
	for k := range e.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, quoteIfNeeded(e.Attrs[k]))
	}
	if e.Error != "" {
		fmt.Fprintf(&b, " error=%q", e.Error)
	}
	return Escape(b.String())
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \"=") {
		return fmt.Sprintf("%q", s)
	}
	return s
}

package logfile

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Escape makes text from the log safe to print on a terminal or show on
// one line: C0 and C1 control characters, DEL, line and paragraph
// separators, bidi controls and invalid UTF-8 are written as escapes
// (\x1b, \u009b, \u202e). A line planted in the log, or an IdP's text in
// it, then cannot clear the screen (CSI 2J), set the clipboard (OSC 52)
// or reorder what is shown (U+202E).
func Escape(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < utf8.RuneSelf && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// unsafeRune is a character a terminal or a text view acts on rather
// than shows.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f: // C0, DEL, C1
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// EscapeJSON escapes, in JSON text (encoding/json's output), the
// characters Escape escapes that encoding/json leaves raw (DEL, C1, bidi):
// as \uXXXX, so the JSON means the same and prints safely. They can only
// occur inside strings, so the bytes are replaced directly.
func EscapeJSON(b []byte) []byte {
	if !bytes.ContainsFunc(b, unsafeRune) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if unsafeRune(r) && r >= 0x20 {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}

package ui

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/credworkbench/credworkbench/oauthflow"
)

// responseText is the answer's headers and body excerpt as shown (before
// wrapping): JSON and XML indented as the transport view shows them.
func responseText(resp *oauthflow.Response) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(resp.Header)) {
		for _, v := range resp.Header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	b.WriteString("\n")
	body := resp.Body
	switch {
	case len(body) == 0:
		b.WriteString("(empty body)")
	case !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0:
		fmt.Fprintf(&b, "(%d bytes of binary data, not shown)", len(body))
	default:
		text := string(body)
		if !resp.Truncated {
			text = oauthflow.PrettyBody(resp.Header.Get("Content-Type"), body)
		}
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\t", "    "))
	}
	if resp.Truncated {
		fmt.Fprintf(&b, "\n… (truncated: only the first %d KiB of the body are shown)", oauthflow.MaxResponseExcerpt>>10)
	}
	return oauthflow.RedactBearer(b.String())
}

// columns is how many monospace characters fit the response area, so the
// hard wrap breaks lines where the view ends and no character is cut off
// at its right edge (tabs were expanded, so a rune is a column).
func (d *requestDialog) columns() int {
	width := d.scroll.Size().Width
	if width <= 0 {
		width = 820 // not laid out yet: the dialog's minimum width
	}
	ch := fyne.MeasureText("M", theme.TextSize(), fyne.TextStyle{Monospace: true}).Width
	n := int((width - 2*theme.InnerPadding() - theme.ScrollBarSize()) / ch)
	return max(20, n)
}

// hardWrap breaks lines longer than n runes (minified JSON, SOAP on one line).
func hardWrap(s string, n int) string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if utf8.RuneCountInString(line) <= n {
			continue
		}
		r := []rune(line)
		var b strings.Builder
		for len(r) > n {
			b.WriteString(string(r[:n]))
			b.WriteString("\n")
			r = r[n:]
		}
		b.WriteString(string(r))
		lines[i] = b.String()
	}
	return strings.Join(lines, "\n")
}

func (d *requestDialog) copyResponse() {
	text := d.status.Text + "\n" + d.raw // unwrapped: long lines stay whole
	d.h.clipboard().SetContent(text)
	d.h.setStatus("Response copied (tokens hidden)")
}

func formatDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

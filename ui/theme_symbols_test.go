package ui

import (
	"bytes"
	"go/scanner"
	"go/token"
	"image"
	"image/color"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/theme"
	"github.com/go-text/render"
	"github.com/go-text/typesetting/font"
)

// bundledEmoji is Fyne's emoji font as built in, read before any test
// points the resource at symbolFont.
var bundledEmoji = append([]byte(nil), theme.DefaultEmojiFont().Content()...)

func parseFont(t *testing.T, b []byte) *font.Face {
	t.Helper()
	f, err := font.ParseTTF(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Every character of the app's own text that Fyne would draw from its
// emoji font (one the regular or bold text font lacks and the emoji font
// has) is in symbolFont: with UseSymbolFont it still comes out as before.
// The text is every string literal outside tests in the module.
func TestSymbolFontCoversTheAppsText(t *testing.T) {
	regular, bold := parseFont(t, theme.DefaultTextFont().Content()), parseFont(t, theme.DefaultTextBoldFont().Content())
	emoji, symbols := parseFont(t, bundledEmoji), parseFont(t, symbolFont)
	has := func(f *font.Face, r rune) bool { _, ok := f.NominalGlyph(r); return ok }
	seen := 0
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") && p != ".."):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go"):
			return nil
		}
		src, err := os.ReadFile(p) // #nosec G304 -- the module's own sources
		if err != nil {
			return err
		}
		var s scanner.Scanner
		s.Init(token.NewFileSet().AddFile(p, -1, len(src)), src, nil, 0)
		for {
			_, tok, lit := s.Scan()
			if tok == token.EOF {
				return nil
			}
			if tok != token.STRING && tok != token.CHAR {
				continue
			}
			text, err := strconv.Unquote(lit)
			if err != nil {
				continue
			}
			for _, r := range text {
				if r < 0x80 || has(regular, r) && has(bold, r) || !has(emoji, r) {
					continue
				}
				seen++
				if !has(symbols, r) {
					t.Errorf("%s draws %q (U+%04X) from Fyne's emoji font, and ui/fonts/symbols.otf lacks it: add it with scripts/symbol-font.py", p, r, r)
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen == 0 {
		t.Fatal("no text of the app draws from the emoji font: the scan found nothing (or symbols.otf is no longer needed)")
	}
}

// The glyphs of symbolFont are the bundled emoji font's own: the same
// advance, and the same colour drawing, pixel for pixel.
func TestSymbolFontDrawsAsTheBundledEmojiFont(t *testing.T) {
	emoji, symbols := parseFont(t, bundledEmoji), parseFont(t, symbolFont)
	draw := func(f *font.Face, s string) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, 64, 48))
		r := render.Renderer{FontSize: 28, PixScale: 1, Color: color.Black}
		r.DrawString(s, img, f)
		return img
	}
	for _, r := range []rune{'⚠'} {
		eg, ok1 := emoji.NominalGlyph(r)
		sg, ok2 := symbols.NominalGlyph(r)
		if !ok1 || !ok2 {
			t.Fatalf("%q: in the emoji font %v, in symbols.otf %v", r, ok1, ok2)
		}
		if ea, sa := emoji.HorizontalAdvance(eg), symbols.HorizontalAdvance(sg); ea != sa {
			t.Errorf("%q advances %v, was %v", r, sa, ea)
		}
		if _, ok := symbols.GlyphData(sg).(font.GlyphSVG); !ok {
			t.Errorf("%q is not a colour (SVG) glyph in symbols.otf", r)
		}
		was, now := draw(emoji, string(r)), draw(symbols, string(r))
		if !bytes.Equal(was.Pix, now.Pix) {
			t.Errorf("%q is drawn differently from the bundled emoji font", r)
		}
		if bytes.Count(now.Pix, []byte{0}) == len(now.Pix) {
			t.Errorf("%q draws nothing", r)
		}
	}
}

// UseSymbolFont hands Fyne symbolFont where it takes its emoji font from,
// so every text style parses 3 KB instead of 4.2 MB.
func TestUseSymbolFont(t *testing.T) {
	UseSymbolFont()
	if got := theme.DefaultEmojiFont().Content(); !bytes.Equal(got, symbolFont) || len(got) > 16<<10 {
		t.Fatalf("the emoji font Fyne uses has %d bytes", len(got))
	}
}

package ui

import (
	"bytes"
	"go/scanner"
	"go/token"
	"image"
	"image/draw"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
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
				if !has(emoji, r) {
					continue
				}
				// Also what the text fonts have: go-text keeps a space or a
				// digit in the emoji font's run after ⚠ when that font has it.
				if !has(regular, r) || !has(bold, r) {
					seen++
				}
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

// The app's text with ⚠ looks as with the bundled emoji font, pixel for
// pixel, through Fyne's own text drawing (which splits the text into runs
// by font), and ⚠ stays a colour glyph.
func TestSymbolFontDrawsAsTheBundledEmojiFont(t *testing.T) {
	res, ok := theme.DefaultEmojiFont().(*fyne.StaticResource)
	if !ok {
		t.Skip("built without Fyne's emoji font (no_emoji)")
	}
	kept := res.StaticContent
	t.Cleanup(func() { res.StaticContent = kept })
	text := "⚠ certificate verification is OFF\n2 transport(s) (⚠) would send a token #1 * 3 © ®\n⚠ idp — it sends"
	capture := func(font []byte) *image.NRGBA {
		res.StaticContent = font
		test.NewTempApp(t) // a new app drops Fyne's cached faces
		w := test.NewTempWindow(t, widget.NewLabel(text))
		w.Resize(fyne.NewSize(520, 140))
		img := image.NewNRGBA(w.Canvas().Capture().Bounds())
		draw.Draw(img, img.Bounds(), w.Canvas().Capture(), image.Point{}, draw.Src)
		return img
	}
	was, now := capture(bundledEmoji), capture(symbolFont)
	if !bytes.Equal(was.Pix, now.Pix) {
		t.Errorf("the text with ⚠ is drawn differently with symbols.otf")
	}
	symbols := parseFont(t, symbolFont)
	g, _ := symbols.NominalGlyph('⚠')
	if _, ok := symbols.GlyphData(g).(font.GlyphSVG); !ok {
		t.Error("⚠ is not a colour (SVG) glyph in symbols.otf")
	}
}

// UseSymbolFont hands Fyne symbolFont where it takes its emoji font from,
// so every text style parses 21 KB instead of 4.2 MB.
func TestUseSymbolFont(t *testing.T) {
	UseSymbolFont()
	if got := theme.DefaultEmojiFont().Content(); !bytes.Equal(got, symbolFont) || len(got) > 64<<10 {
		t.Fatalf("the emoji font Fyne uses has %d bytes", len(got))
	}
}

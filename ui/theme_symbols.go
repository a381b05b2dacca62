package ui

import (
	_ "embed"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// symbolFont holds the glyphs of Fyne's emoji font that the app's own text
// can draw from it, unchanged (fonts/README.md): ⚠, and the space, digits,
// # * © ® that go-text keeps in the emoji font's run after it.
//
//go:embed fonts/symbols.otf
var symbolFont []byte

var symbolFontOnce sync.Once

// UseSymbolFont makes Fyne draw from symbolFont where it would draw from
// its bundled emoji font. Fyne's painter adds that font (EmojiOne Color,
// 4.2 MB) to the faces of every text style and parses a copy for each
// (4.6 MiB of heap per style, plus the 4.2 MB read from the binary), and
// it asks theme.DefaultEmojiFont for it directly, so a theme cannot serve
// another. Of all the text the app writes, only ⚠ needs that font:
// the letters and punctuation come from the text font, ✓ ✗ → from the
// system's fonts, before and after (TestSymbolFontCoversTheAppsText). An
// emoji in text the app does not write (a profile's name, an IdP's
// message) is then drawn from the system's fonts, as every character the
// bundled fonts lack already is (TestSymbolFontDrawsAsTheBundledEmojiFont
// compares the app's ⚠ lines pixel for pixel). Call it before the first text is measured;
// without a bundled emoji font (the no_emoji build tag) it does nothing.
func UseSymbolFont() {
	symbolFontOnce.Do(func() {
		if r, ok := theme.DefaultEmojiFont().(*fyne.StaticResource); ok {
			r.StaticName = "CredWorkbenchSymbols.otf"
			r.StaticContent = symbolFont
		}
	})
}

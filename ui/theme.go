package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Theme is Fyne's theme with a keyboard focus a person can see: the
// built-in one blends the primary colour in at 16 % (alpha 0x2a), which on
// a button, a check box or a tree row is next to invisible, so Tab through
// the window or a dialog showed nothing.
func Theme() fyne.Theme { return focusTheme{theme.DefaultTheme()} }

type focusTheme struct{ fyne.Theme }

// focusAlpha is the focus highlight's strength: clearly seen on both
// variants, while the label on the focused widget stays readable.
const focusAlpha = 0x73

func (t focusTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameFocus {
		c := color.NRGBAModel.Convert(t.Theme.Color(theme.ColorNamePrimary, v)).(color.NRGBA)
		c.A = focusAlpha
		return c
	}
	return t.Theme.Color(n, v)
}

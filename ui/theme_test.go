package ui

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// The keyboard focus is drawn strongly enough to be seen; every other
// colour is Fyne's (#24.12).
func TestThemeFocusVisible(t *testing.T) {
	th := Theme()
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		f := color.NRGBAModel.Convert(th.Color(theme.ColorNameFocus, v)).(color.NRGBA)
		if f.A < 0x60 {
			t.Errorf("focus alpha %#x in variant %d", f.A, v)
		}
		if th.Color(theme.ColorNameForeground, v) != theme.DefaultTheme().Color(theme.ColorNameForeground, v) {
			t.Error("the foreground differs from Fyne's")
		}
	}
}

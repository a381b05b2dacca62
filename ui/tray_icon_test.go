package ui

import (
	"bytes"
	"image/png"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/credworkbench/credworkbench/assets"
)

// The tray gets a small copy of the app icon (and of its failing variant):
// the Linux tray sends it as raw pixels over D-Bus with every change.
func TestTrayIconIsSmall(t *testing.T) {
	app := fyne.NewStaticResource("icon.png", assets.IconPNG)
	for name, res := range map[string]fyne.Resource{"tray": trayIcon(app), "failing": failingIcon(trayIcon(app))} {
		img, err := png.Decode(bytes.NewReader(res.Content()))
		if err != nil {
			t.Fatalf("%s icon: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != trayIconSize || b.Dy() != trayIconSize {
			t.Errorf("%s icon is %dx%d, want %dx%d", name, b.Dx(), b.Dy(), trayIconSize, trayIconSize)
		}
	}
	if trayIcon(nil) != nil {
		t.Error("no app icon should give no tray icon (the theme's is used)")
	}
	small := trayIcon(app)
	if again := trayIcon(small); again != small {
		t.Error("an icon already small enough should be used as it is")
	}
}

package e2e

import (
	"crypto/sha256"
	"fmt"
	"image"
	"image/color"
	"testing"
)

// pixelKey hashes the image's pixels (with its size and pixel format);
// false for a format it does not know (then nothing is cached).
func pixelKey(img image.Image) (key [sha256.Size]byte, ok bool) {
	var pix []byte
	switch m := img.(type) {
	case *image.RGBA:
		pix = m.Pix
	case *image.NRGBA:
		pix = m.Pix
	case *image.RGBA64:
		pix = m.Pix
	case *image.NRGBA64:
		pix = m.Pix
	case *image.Gray:
		pix = m.Pix
	default:
		return key, false
	}
	h := sha256.New()
	fmt.Fprintf(h, "%T %v %d\n", img, img.Bounds(), len(pix))
	h.Write(pix)
	copy(key[:], h.Sum(nil))
	return key, true
}

// TestPixelKey: the same pixels give the same key, one changed pixel or a
// different size another (so a changed window is always read again).
func TestPixelKey(t *testing.T) {
	a := image.NewRGBA(image.Rect(0, 0, 8, 8))
	b := image.NewRGBA(image.Rect(0, 0, 8, 8))
	ka, _ := pixelKey(a)
	if kb, ok := pixelKey(b); !ok || kb != ka {
		t.Fatal("equal pixels give different keys")
	}
	b.Set(7, 7, color.RGBA{R: 1, A: 255})
	if kb, _ := pixelKey(b); kb == ka {
		t.Fatal("a changed pixel gives the same key")
	}
	if kc, _ := pixelKey(image.NewRGBA(image.Rect(0, 0, 16, 4))); kc == ka {
		t.Fatal("another size gives the same key")
	}
}

package e2e

import (
	"crypto/sha256"
	"fmt"
	"image"
	"image/color"
	"sync"
	"testing"
)

// ocrCache keeps what tesseract read per screenshot content, so a wait that
// polls an unchanged window (or reads it again for the next word) costs a
// screenshot, not another OCR pass (seconds on a loaded machine). The key
// is the decoded pixels, not the PNG file (ImageMagick stamps dates into it).
var ocrCache = &wordCache{m: map[[sha256.Size]byte][]Word{}}

// ocrCacheMax bounds the cache: a scenario's screens number in the tens.
const ocrCacheMax = 256

type wordCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte][]Word
}

func (c *wordCache) get(k [sha256.Size]byte) ([]Word, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w, ok := c.m[k]
	return w, ok
}

func (c *wordCache) put(k [sha256.Size]byte, words []Word) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= ocrCacheMax {
		clear(c.m)
	}
	c.m[k] = words
}

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

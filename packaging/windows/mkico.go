//go:build ignore

// mkico writes a Windows .ico from square PNGs rendered at each size (make
// icon renders them from assets/icon.svg, so 16×16 is drawn for 16×16, not
// scaled down from 512). Entries below 256 px are 32-bit BMPs, which every
// Windows tool reads (Inno Setup's SetupIconFile included); 256 px is stored
// as PNG, the format Windows expects for that size.
//
// Usage: go run packaging/windows/mkico.go -o out.ico 16.png 32.png ... 256.png
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
)

func main() {
	out := flag.String("o", "", "output .ico file")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: go run mkico.go -o out.ico size.png...")
		os.Exit(2)
	}
	if err := run(*out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "mkico:", err)
		os.Exit(1)
	}
}

func run(out string, inputs []string) error {
	var entries [][]byte
	var sizes []int
	for _, path := range inputs {
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		b := img.Bounds()
		if b.Dx() != b.Dy() || b.Dx() > 256 {
			return fmt.Errorf("%s: %dx%d, want a square of at most 256 px", path, b.Dx(), b.Dy())
		}
		data := raw
		if b.Dx() < 256 {
			data = bmpEntry(img)
		}
		entries = append(entries, data)
		sizes = append(sizes, b.Dx())
	}

	var buf bytes.Buffer
	le := func(v any) { _ = binary.Write(&buf, binary.LittleEndian, v) }
	le([3]uint16{0, 1, uint16(len(entries))}) // reserved, type icon, count
	offset := 6 + 16*len(entries)
	for i, data := range entries {
		dim := uint8(sizes[i] % 256) // 0 means 256
		le([4]uint8{dim, dim, 0, 0}) // width, height, palette, reserved
		le([2]uint16{1, 32})         // planes, bits per pixel
		le([2]uint32{uint32(len(data)), uint32(offset)})
		offset += len(data)
	}
	for _, data := range entries {
		buf.Write(data)
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

// bmpEntry encodes img as an icon BMP: BITMAPINFOHEADER with doubled height,
// bottom-up BGRA rows, then an all-zero AND mask (the alpha channel rules).
func bmpEntry(img image.Image) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	maskRow := (w + 31) / 32 * 4
	var buf bytes.Buffer
	le := func(v any) { _ = binary.Write(&buf, binary.LittleEndian, v) }
	le(uint32(40))
	le([2]int32{int32(w), int32(2 * h)})
	le([2]uint16{1, 32})
	le([6]uint32{0, uint32(w*h*4 + maskRow*h), 0, 0, 0, 0})
	for y := h - 1; y >= 0; y-- {
		for x := 0; x < w; x++ {
			r, g, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			if a > 0 { // un-premultiply: BMP icons store straight alpha
				r, g, bl = r*0xffff/a, g*0xffff/a, bl*0xffff/a
			}
			buf.Write([]byte{byte(bl >> 8), byte(g >> 8), byte(r >> 8), byte(a >> 8)})
		}
	}
	buf.Write(make([]byte, maskRow*h))
	return buf.Bytes()
}

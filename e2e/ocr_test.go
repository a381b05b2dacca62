package e2e

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ocrScale is how much a screenshot is enlarged before tesseract reads it:
// Fyne's 12-14 px UI text is read much more reliably at 2x (3x reads no
// better and takes twice as long).
const ocrScale = 2

// uiWait is how long a scenario waits for the window to show something:
// generous, since one OCR pass alone takes seconds on a loaded machine; it
// only runs out when the scenario fails.
const uiWait = 60 * time.Second

// Word is one word tesseract read, with its box in window pixels.
type Word struct {
	Text                string
	X, Y, Width, Height int
	line                [3]int // block, paragraph, line: words of one line share it
}

// Screen is what OCR read from one screenshot.
type Screen struct {
	Path  string // the screenshot (PNG)
	Words []Word
}

// Text is the words, one line of the screen per line, single spaces.
func (s Screen) Text() string {
	var b strings.Builder
	for i, w := range s.Words {
		if i > 0 {
			if w.line != s.Words[i-1].line {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(w.Text)
	}
	return b.String()
}

// Contains reports whether substr appears on the screen, ignoring case
// and differences in whitespace.
func (s Screen) Contains(substr string) bool {
	return strings.Contains(normalize(s.Text()), normalize(substr))
}

// Box is a place in the window, in window pixels.
type Box struct{ X, Y, Width, Height int }

// Center is the middle of the box.
func (b Box) Center() (x, y int) { return b.X + b.Width/2, b.Y + b.Height/2 }

// FindAll returns the boxes of every run of words on one line that reads
// substr (case and whitespace ignored), top to bottom as tesseract read
// them.
func (s Screen) FindAll(substr string) []Box {
	want := strings.Fields(normalize(substr))
	if len(want) == 0 {
		return nil
	}
	var found []Box
	for i := range s.Words {
		j, k := i, 0
		for ; k < len(want) && j < len(s.Words) && s.Words[j].line == s.Words[i].line; j, k = j+1, k+1 {
			got := normalize(s.Words[j].Text)
			// The first and last words may be parts of longer ones
			// ("Save" in "Save…", "Active" in "Active,").
			if got != want[k] && ((k != 0 && k != len(want)-1) || !strings.Contains(got, want[k])) {
				break
			}
		}
		if k == len(want) {
			first, last := s.Words[i], s.Words[j-1]
			top := min(first.Y, last.Y)
			bottom := max(first.Y+first.Height, last.Y+last.Height)
			found = append(found, Box{first.X, top, last.X + last.Width - first.X, bottom - top})
		}
	}
	return found
}

func normalize(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// Screenshot saves the window as it is now (PNG) and returns the file.
func (w *Window) Screenshot() string {
	w.t.Helper()
	p, err := w.screenshot()
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *Window) screenshot() (string, error) {
	w.shots++
	p := filepath.Join(w.h.Home, "..", fmt.Sprintf("shot-%02d.png", w.shots))
	if out, err := exec.Command("import", "-window", w.ID, p).CombinedOutput(); err != nil {
		return "", fmt.Errorf("import -window %s: %v\n%s", w.ID, err, out)
	}
	w.lastShot = p
	return p, nil
}

// OCR screenshots the window and reads it.
func (w *Window) OCR() Screen {
	w.t.Helper()
	s, err := readScreen(w.Screenshot())
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

// WaitText reads the window until it shows substr (case and whitespace
// ignored) and returns that reading; after timeout the test fails with
// what the window showed last.
func (w *Window) WaitText(substr string, timeout time.Duration) Screen {
	w.t.Helper()
	return w.waitScreen(fmt.Sprintf("%q", substr), timeout, func(s Screen) bool { return s.Contains(substr) })
}

// WaitGone reads the window until substr is no longer shown.
func (w *Window) WaitGone(substr string, timeout time.Duration) Screen {
	w.t.Helper()
	return w.waitScreen(fmt.Sprintf("%q to go away", substr), timeout, func(s Screen) bool { return !s.Contains(substr) })
}

func (w *Window) waitScreen(what string, timeout time.Duration, ok func(Screen) bool) Screen {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := w.OCR()
		if ok(s) {
			return s
		}
		if done, err := w.Exited(); done {
			w.t.Fatalf("waiting for %s: the workbench exited: %v\n%s", what, err, w.Output())
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("the window did not show %s within %s (screenshot %s); it read:\n%s", what, timeout, s.Path, s.Text())
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// ClickText clicks the middle of the first place (in tesseract's reading
// order) where the window shows text, waiting up to timeout for it. Text in
// the table, tree, toolbar and forms reads well; a dialog's buttons
// (rounded boxes, tesseract takes them for pictures) often do not: reach
// those by keyboard (Tab, space), as a keyboard user does.
func (w *Window) ClickText(text string, timeout time.Duration) {
	w.t.Helper()
	w.clickFound(text, timeout, func(bs []Box) Box { return bs[0] })
}

func (w *Window) clickFound(text string, timeout time.Duration, pick func([]Box) Box) {
	w.t.Helper()
	var found []Box
	w.waitScreen(fmt.Sprintf("%q to click", text), timeout, func(s Screen) bool {
		found = s.FindAll(text)
		return len(found) > 0
	})
	w.Click(pick(found).Center())
}

// readScreen runs tesseract on an enlarged grey copy of the screenshot.
// The grey is each pixel's brightest channel, so red and green status
// words stay as bright as white text (plain luminance turns them into
// faint grey); dark themes are inverted, as tesseract reads dark text on
// light best.
func readScreen(shot string) (Screen, error) {
	big := strings.TrimSuffix(shot, ".png") + "-ocr.png"
	args := []string{shot, "-grayscale", "Brightness"}
	if dark, err := isDark(shot); err != nil {
		return Screen{}, err
	} else if dark {
		args = append(args, "-negate")
	}
	args = append(args, "-filter", "Triangle", "-resize", fmt.Sprintf("%d%%", ocrScale*100), big)
	if out, err := exec.Command("convert", args...).CombinedOutput(); err != nil {
		return Screen{}, fmt.Errorf("convert: %v\n%s", err, out)
	}
	// psm 11: sparse text (a UI, not a page); one thread, the machine is shared.
	cmd := exec.Command("tesseract", big, "stdout", "--psm", "11", "-l", "eng", "tsv")
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	out, err := cmd.Output()
	if err != nil {
		return Screen{}, fmt.Errorf("tesseract %s: %v", big, err)
	}
	return Screen{Path: shot, Words: parseTSV(string(out))}, nil
}

// parseTSV reads tesseract's TSV: level page block par line word left top
// width height conf text; level 5 rows are words.
func parseTSV(tsv string) []Word {
	var words []Word
	for _, row := range strings.Split(tsv, "\n") {
		f := strings.Split(row, "\t")
		if len(f) < 12 || f[0] != "5" || strings.TrimSpace(f[11]) == "" {
			continue
		}
		n := make([]int, 10)
		for i := range n {
			n[i], _ = strconv.Atoi(f[i+1])
		}
		words = append(words, Word{Text: strings.TrimSpace(f[11]),
			X: n[5] / ocrScale, Y: n[6] / ocrScale, Width: n[7] / ocrScale, Height: n[8] / ocrScale,
			line: [3]int{n[1], n[2], n[3]}})
	}
	return words
}

// isDark reports whether the picture is mostly dark (mean luminance).
func isDark(path string) (bool, error) {
	f, err := os.Open(path) // #nosec G304 -- the harness's own screenshot
	if err != nil {
		return false, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return false, fmt.Errorf("screenshot %s: %v", path, err)
	}
	return meanLuma(img) < 0.5, nil
}

func meanLuma(img image.Image) float64 {
	b := img.Bounds()
	var sum float64
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, _ := img.At(x, y).RGBA()
			sum += (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)) / 65535
			n++
		}
	}
	if n == 0 {
		return 1
	}
	return sum / float64(n)
}

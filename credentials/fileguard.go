package credentials

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// MaxStoreFile caps what is read of the profile file (and of an import
// file): 40,000 profiles take about 30 MiB. A bigger file is not ours, and
// reading it whole would only waste memory and disk (backups).
const MaxStoreFile = 64 << 20

// UnsafePathError is a configuration directory or file that another user
// could have put there or can change: its content is not trusted, since a
// swapped profile file would send secrets to another server.
type UnsafePathError struct {
	Path    string
	Problem string // what is wrong
	Fix     string // what to do
}

func (e *UnsafePathError) Error() string {
	return fmt.Sprintf("%s is not safe to use: %s. %s", e.Path, e.Problem, e.Fix)
}

// errTooLarge is a file over MaxStoreFile.
var errTooLarge = fmt.Errorf("it is larger than %d MiB, so it is not a profile file", MaxStoreFile>>20)

// readCapped reads f up to MaxStoreFile bytes, failing beyond (at once
// when its size says so).
func readCapped(f io.Reader) ([]byte, error) {
	size := int64(-1)
	if st, ok := f.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if info, err := st.Stat(); err == nil {
			if info.Size() > MaxStoreFile {
				return nil, errTooLarge
			}
			size = info.Size()
		}
	}
	// Read into a buffer of the file's size (plus room to see the end), not
	// io.ReadAll's doubling from 512 bytes: a 10,000-profile file is 8 MB.
	// The size is only a hint; a file that grew meanwhile is read on, and
	// the cap is enforced on what is read.
	b := make([]byte, 0, max(size+1, 512))
	r := io.LimitReader(f, MaxStoreFile+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if len(b) > MaxStoreFile {
		return nil, errTooLarge
	}
	return b, nil
}

// ReadFileSafely reads a file the user chose (an import file): a regular
// file only (a FIFO or device would hang or never end), at most
// MaxStoreFile bytes.
func ReadFileSafely(path string) ([]byte, error) {
	f, err := openRegular(path, false)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := readCapped(f)
	if errors.Is(err, errTooLarge) {
		return nil, fmt.Errorf("%s is larger than %d MiB: that is not a profile file", path, MaxStoreFile>>20)
	}
	return b, err
}

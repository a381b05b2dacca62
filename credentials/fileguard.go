package credentials

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/credworkbench/credworkbench/internal/fileguard"
)

// The store's files go through internal/fileguard, the guards every file of
// the product uses (profiles, transports, state, locks, the log, sealed
// tokens, the instance directory); these names keep the store's code short.

// MaxStoreFile caps what is read of the profile file (and of an import
// file): 40,000 profiles take about 30 MiB. A bigger file is not ours, and
// reading it whole would only waste memory and disk (backups).
const MaxStoreFile = 64 << 20

// UnsafePathError is a configuration directory or file that another user
// could have put there or can change: its content is not trusted, since a
// swapped profile file would send secrets to another server.
type UnsafePathError = fileguard.UnsafePathError

// errTooLarge is a file over MaxStoreFile.
var errTooLarge = fmt.Errorf("it is larger than %d MiB, so it is not a profile file", MaxStoreFile>>20)

// readCapped reads f up to MaxStoreFile bytes, failing beyond.
func readCapped(f io.Reader) ([]byte, error) {
	b, err := fileguard.ReadCapped(f, MaxStoreFile)
	if errors.Is(err, fileguard.ErrTooLarge) {
		return nil, errTooLarge
	}
	return b, err
}

// ReadFileSafely reads a file the user chose (an import file): a regular
// file only (a FIFO or device would hang or never end), at most
// MaxStoreFile bytes.
func ReadFileSafely(path string) ([]byte, error) {
	f, err := fileguard.OpenChosen(path)
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

// openStoreFile opens a store file (profiles, transports, state): a
// regular file of ours, not a link or FIFO, that others cannot write; what
// names it in errors ("profile file").
func openStoreFile(path, what string) (*os.File, error) { return fileguard.OpenOwn(path, what) }

// readStoreFile reads a store file the safe way, through the size cap.
func readStoreFile(path, what string) ([]byte, error) {
	f, err := openStoreFile(path, what)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readCapped(f)
}

// checkStoreDir checks the configuration directory (missing is fine).
func checkStoreDir(dir string) error { return fileguard.CheckDir(dir, "configuration directory") }

// mkStoreDir creates the configuration directory, checked before and after.
func mkStoreDir(dir string) error { return fileguard.MkdirPrivate(dir, "configuration directory") }

func createExclusive(path string) (*os.File, error) { return fileguard.CreateExclusive(path) }

func ownRegular(path string) bool { return fileguard.IsOwnRegular(path) }

package tokens

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/credworkbench/credworkbench/internal/fileguard"
	"github.com/credworkbench/credworkbench/oauthflow/failure"
)

// sealedFiles holds token sets too large for the keyring, each encrypted
// with AES-256-GCM under a random key that lives only in the keyring: the
// file alone reveals nothing, and it is bound to its profile (the profile
// ID is the additional data).
type sealedFiles struct{ dir string }

// sealOverhead is what sealing adds to a token set: the GCM nonce and tag.
const sealOverhead = 12 + 16

// maxSealedFile caps what is read of a sealed file: a token set comes from
// one IdP answer (at most failure.MaxResponse), plus the seal's overhead. A
// bigger file is not one this app wrote.
const maxSealedFile = failure.MaxResponse + sealOverhead

// tokensDir names the directory in errors.
const tokensDir = "token cache directory" // #nosec G101 -- a directory's name for messages, not a credential

// sealedRef is what the keyring keeps of a sealed file.
type sealedRef struct {
	Key  string `json:"key"` // base64 AES-256 key
	File string `json:"file"`
}

// newSealedFiles keeps the files in dir ("" = the user cache directory's
// credworkbench/tokens).
func newSealedFiles(dir string) *sealedFiles {
	if dir == "" {
		if base, err := os.UserCacheDir(); err == nil {
			dir = filepath.Join(base, "credworkbench", "tokens")
		}
	}
	return &sealedFiles{dir: dir}
}

func (s *sealedFiles) path(id string) (string, error) {
	if s.dir == "" {
		return "", errors.New("there is no user cache directory (set XDG_CACHE_HOME or HOME)")
	}
	if id == "" || filepath.Base(id) != id {
		return "", fmt.Errorf("not a profile ID: %q", id)
	}
	return filepath.Join(s.dir, id+".tok"), nil
}

// seal encrypts plain under a new key into the profile's file.
func (s *sealedFiles) seal(id string, plain []byte) (sealedRef, error) {
	path, err := s.path(id)
	if err != nil {
		return sealedRef{}, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return sealedRef{}, err
	}
	gcm, err := newGCM(key)
	if err != nil {
		return sealedRef{}, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return sealedRef{}, err
	}
	data := gcm.Seal(nonce, nonce, plain, []byte(id))
	if len(data) > maxSealedFile {
		return sealedRef{}, fmt.Errorf("the token set is larger than %d KiB, more than an IdP answer may be", failure.MaxResponse>>10)
	}
	// A directory of ours that others cannot write (internal/fileguard):
	// another user must not swap or remove the files.
	if err := fileguard.MkdirPrivate(s.dir, tokensDir); err != nil {
		return sealedRef{}, err
	}
	tmp, err := os.CreateTemp(s.dir, "."+id+"-*.tmp")
	if err != nil {
		return sealedRef{}, err
	}
	_, werr := tmp.Write(data)
	if err := errors.Join(werr, tmp.Sync(), tmp.Close()); err != nil {
		_ = os.Remove(tmp.Name())
		return sealedRef{}, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return sealedRef{}, err
	}
	return sealedRef{Key: base64.StdEncoding.EncodeToString(key), File: filepath.Base(path)}, nil
}

// open decrypts the profile's file with the key ref holds.
func (s *sealedFiles) open(id string, ref sealedRef) ([]byte, error) {
	path, err := s.path(id)
	if err != nil {
		return nil, err
	}
	if ref.File != filepath.Base(path) {
		return nil, errors.New("the keyring entry names another file")
	}
	key, err := base64.StdEncoding.DecodeString(ref.Key)
	if err != nil {
		return nil, err
	}
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	// Never through a link, never blocking on a FIFO, only a regular file of
	// ours in a directory of ours, through the size cap.
	if err := fileguard.CheckDir(s.dir, tokensDir); err != nil {
		return nil, err
	}
	data, err := fileguard.ReadOwn(path, "sealed token file", maxSealedFile)
	if err != nil {
		return nil, err
	}
	if len(data) < gcm.NonceSize() {
		return nil, errors.New("the sealed token file is truncated")
	}
	return gcm.Open(nil, data[:gcm.NonceSize()], data[gcm.NonceSize():], []byte(id))
}

// remove deletes the profile's sealed file, if any.
func (s *sealedFiles) remove(id string) {
	if path, err := s.path(id); err == nil {
		_ = os.Remove(path)
	}
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

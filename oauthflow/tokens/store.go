package tokens

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/oauth2"

	"github.com/credworkbench/credworkbench/credentials"
)

// Store keeps each profile's current access token where every process
// of the user finds it: the workbench and every credctl read it before
// fetching and write it after each fetch, renewal and login, so a token one
// of them obtained is the token the others hand out. Implementations must
// never put a token into a plain file.
type Store interface {
	// Load returns the stored token of a profile; ok is false when there is
	// none (or it cannot be read: a cache miss only costs a fetch).
	Load(profileID string) (t Stored, ok bool, err error)
	Save(profileID string, t Stored) error
	Delete(profileID string) error
}

// Stored is one cached access token and the profile state it belongs to.
type Stored struct {
	Version     int       `json:"v"`
	AccessToken string    `json:"accessToken"`
	TokenType   string    `json:"tokenType,omitempty"`
	Expiry      time.Time `json:"expiry"`
	ObtainedAt  time.Time `json:"obtainedAt"`
	// Fingerprint is Fingerprint(profile) when the token was
	// obtained: any change of settings, secret or login makes it stale.
	Fingerprint string `json:"fingerprint"`
	// Username is who the token is for (User profiles), as the login found.
	Username string `json:"username,omitempty"`
}

// Version is the format of a stored token; others are misses.
const Version = 2

// ExpirySkew: a token this close to its expiry is not handed out.
const ExpirySkew = 10 * time.Second

// MinValidity: a stored token with less life left than this is not
// handed out (a script's next call must not fail mid-flight); a fetch
// replaces it. Tokens shorter-lived than twice this use ExpirySkew.
const MinValidity = time.Minute

// Usable reports whether t belongs to p as it is now and stays valid long
// enough at now.
func (t Stored) Usable(p credentials.Profile, now time.Time) bool {
	if t.Version != Version || t.AccessToken == "" || t.Expiry.IsZero() {
		return false
	}
	if t.Fingerprint != Fingerprint(p) || LoggedOut(p) {
		return false
	}
	return t.Expiry.Sub(now) > minValidity(t.Expiry.Sub(t.ObtainedAt))
}

// minValidity is the life a token must have left to be handed out.
func minValidity(lifetime time.Duration) time.Duration {
	if lifetime > 0 && lifetime < 2*MinValidity {
		return ExpirySkew
	}
	return MinValidity
}

func (t Stored) OAuth2() *oauth2.Token {
	return &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, Expiry: t.Expiry}
}

// LoggedOut: a User profile whose session was ended (by any process) has
// no token to hand out, whatever is cached.
func LoggedOut(p credentials.Profile) bool {
	return p.Type == credentials.TypeUser && p.LastStatus == credentials.StatusLoggedOut
}

// Fingerprint identifies the state of a profile a token belongs to:
// its settings (revision), its client secret and its login session. It
// changes when any process edits the profile, rotates its secret, or logs
// in or out; it does not change with test results.
func Fingerprint(p credentials.Profile) string {
	h := sha256.New()
	for _, s := range []string{
		p.ID, strconv.Itoa(p.Revision), p.UpdatedAt.UTC().Format(time.RFC3339Nano),
		p.SecretSetAt.UTC().Format(time.RFC3339Nano), p.LoginAt.UTC().Format(time.RFC3339Nano),
	} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// keyringStore keeps tokens in the profile's credentials.TokenCache
// keyring entry; a token set too large for this platform's keyring goes
// encrypted into the user cache directory (see sealedFiles), its key in the
// keyring entry.
type keyringStore struct {
	secrets *credentials.Secrets
	files   *sealedFiles
}

// NewKeyringStore is the token store every binary uses: the OS
// keyring, with encrypted overflow files in cacheDir ("" = the user cache
// directory's credworkbench/tokens).
func NewKeyringStore(secrets *credentials.Secrets, cacheDir string) Store {
	return &keyringStore{secrets: secrets, files: newSealedFiles(cacheDir)}
}

// keyringEntry is what the keyring entry holds: the token itself, or the
// key and name of its sealed file.
type keyringEntry struct {
	Stored
	Sealed *sealedRef `json:"sealed,omitempty"`
}

func (k *keyringStore) Load(id string) (Stored, bool, error) {
	raw, err := k.secrets.Get(id, credentials.TokenCache)
	if errors.Is(err, credentials.ErrSecretNotFound) {
		return Stored{}, false, nil
	}
	if err != nil {
		return Stored{}, false, err
	}
	var e keyringEntry
	if err := json.Unmarshal([]byte(raw), &e); err != nil {
		return Stored{}, false, nil // an older or foreign entry: a miss
	}
	if e.Sealed == nil {
		return e.Stored, true, nil
	}
	plain, err := k.files.open(id, *e.Sealed)
	if err != nil {
		return Stored{}, false, nil // gone or replaced: a miss
	}
	var t Stored
	if err := json.Unmarshal(plain, &t); err != nil {
		return Stored{}, false, nil
	}
	return t, true, nil
}

func (k *keyringStore) Save(id string, t Stored) error {
	t.Version = Version
	b, err := json.Marshal(keyringEntry{Stored: t}) // #nosec G117 -- marshaled only into the keyring entry or a sealed file
	if err != nil {
		return err
	}
	if limit := k.secrets.Limit(); limit == 0 || len(b) <= limit {
		err := k.secrets.Set(id, credentials.TokenCache, string(b))
		var ke *credentials.KeyringError
		if !errors.As(err, &ke) || ke.Problem != credentials.KeyringTooBig {
			if err == nil {
				k.files.remove(id)
			}
			return err
		}
	}
	// Too large for the keyring (JWTs with many groups exceed Windows' 2560
	// bytes and the Keychain's ~3 KB): seal it into a file.
	plain, err := json.Marshal(t) // #nosec G117 -- encrypted before it reaches the file
	if err != nil {
		return err
	}
	ref, err := k.files.seal(id, plain)
	if err != nil {
		return fmt.Errorf("cannot cache the token encrypted on disk: %w", err)
	}
	pointer, err := json.Marshal(keyringEntry{Stored: Stored{Version: Version}, Sealed: &ref})
	if err != nil {
		return err
	}
	if err := k.secrets.Set(id, credentials.TokenCache, string(pointer)); err != nil {
		k.files.remove(id)
		return err
	}
	return nil
}

func (k *keyringStore) Delete(id string) error {
	k.files.remove(id)
	return k.secrets.Delete(id, credentials.TokenCache)
}

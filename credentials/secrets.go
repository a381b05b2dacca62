package credentials

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name of every keyring entry the app writes.
const KeyringService = "credworkbench"

// SecretKind names one secret of a profile.
type SecretKind string

const (
	ClientSecret  SecretKind = "client-secret"
	ProxyPassword SecretKind = "proxy-password"
	RefreshToken  SecretKind = "refresh-token"
	// TokenCache holds credctl's cached access token, where it fits.
	TokenCache SecretKind = "token-cache"
	// PrivateKey is the private_key_jwt signing key (base64 PKCS#8).
	PrivateKey SecretKind = "private-key"
	// IDToken is the last login's ID token, kept only as the id_token_hint
	// of an RP-initiated logout (it names the user and session to end).
	IDToken SecretKind = "id-token"
	// NextClientSecret is a secret minted at the IdP, kept before its test
	// and the switch to it (#26): never lost between the two.
	NextClientSecret SecretKind = "client-secret-next"
	// ManagementToken is an IdP management API token (Okta SSWS, #26).
	ManagementToken SecretKind = "management-token"
	// RegistrationToken is the RFC 7592 registration access token (#26).
	RegistrationToken SecretKind = "registration-token"
	// DPoPKey is the profile's DPoP private key (RFC 9449, #28; PKCS#8).
	DPoPKey SecretKind = "dpop-key"
)

// AllSecretKinds lists every kind, for deletion.
var AllSecretKinds = []SecretKind{ClientSecret, ProxyPassword, RefreshToken, TokenCache, PrivateKey, IDToken,
	NextClientSecret, ManagementToken, RegistrationToken, DPoPKey}

// Keyring is the part of the OS keyring the app uses (go-keyring's shape),
// so tests can inject failures.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// SystemKeyring is the OS keyring: Secret Service (keyring_secretservice.go),
// macOS Keychain or Windows Credential Manager (keyring_system_other.go).
type SystemKeyring struct{}

// ErrSecretNotFound means the keyring has no such entry.
var ErrSecretNotFound = errors.New("secret not found in the keyring")

// KeyringProblem classifies why the keyring failed.
type KeyringProblem string

const (
	KeyringUnavailable KeyringProblem = "unavailable"
	KeyringLocked      KeyringProblem = "locked"
	KeyringTooBig      KeyringProblem = "too big"
	KeyringTimeout     KeyringProblem = "timeout"
	KeyringOther       KeyringProblem = "error"
)

// KeyringError is a keyring failure with what happened and what to do.
type KeyringError struct {
	Op      string // "read", "store", "delete"
	Kind    SecretKind
	Problem KeyringProblem
	Hint    string
	Err     error
}

func (e *KeyringError) Error() string {
	msg := fmt.Sprintf("cannot %s the %s in the OS keyring", e.Op, strings.ReplaceAll(string(e.Kind), "-", " "))
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Hint != "" {
		msg += ". " + e.Hint
	}
	return msg
}

func (e *KeyringError) Unwrap() error { return e.Err }

// IsKeyringError reports whether err is (or wraps) a KeyringError.
func IsKeyringError(err error) bool {
	var k *KeyringError
	return errors.As(err, &k)
}

// PlatformSecretLimit is the largest secret the OS keyring stores
// (0 = no practical limit).
func PlatformSecretLimit(goos string) int {
	switch goos {
	case "windows":
		return 2560 // Credential Manager's CRED_MAX_CREDENTIAL_BLOB_SIZE
	case "darwin":
		return 2900 // Keychain via /usr/bin/security fails a little above 3000 bytes
	}
	return 0
}

// Secrets stores a profile's secrets in the keyring, one entry per profile ID
// and kind. go-keyring has no timeouts, and a Secret Service that fails to
// start blocks each call for two minutes, so every call gets a deadline.
type Secrets struct {
	kr      Keyring
	timeout time.Duration
	limit   int
	// stuck counts calls that timed out and have not returned yet. While one
	// hangs, new calls fail at once instead of each leaving another blocked
	// goroutine behind (a dead Secret Service blocks every call for 2 min).
	stuck *atomic.Int32
}

// NewSecrets wraps a keyring; nil means the OS keyring.
func NewSecrets(kr Keyring) *Secrets {
	if kr == nil {
		kr = SystemKeyring{}
	}
	return &Secrets{kr: kr, timeout: 15 * time.Second, limit: PlatformSecretLimit(runtime.GOOS), stuck: new(atomic.Int32)}
}

// WithLimit sets the size limit (tests use it to act as Windows or macOS).
func (s *Secrets) WithLimit(n int) *Secrets { c := *s; c.limit = n; return &c }

// WithTimeout sets the per-call deadline.
func (s *Secrets) WithTimeout(d time.Duration) *Secrets { c := *s; c.timeout = d; return &c }

// Limit is the largest secret this keyring accepts (0 = none).
func (s *Secrets) Limit() int { return s.limit }

func entry(profileID string, kind SecretKind) string { return profileID + "/" + string(kind) }

// Get reads a secret; ErrSecretNotFound if there is none.
func (s *Secrets) Get(profileID string, kind SecretKind) (string, error) {
	var v string
	err := s.call(func() error {
		var err error
		v, err = s.kr.Get(KeyringService, entry(profileID, kind))
		return err
	})
	if errors.Is(err, keyring.ErrNotFound) {
		return "", ErrSecretNotFound
	}
	if err != nil {
		return "", classify("read", kind, err)
	}
	return v, nil
}

// Set stores a secret, refusing one larger than the platform allows.
func (s *Secrets) Set(profileID string, kind SecretKind, value string) error {
	if s.limit > 0 && len(value) > s.limit {
		return &KeyringError{Op: "store", Kind: kind, Problem: KeyringTooBig,
			Err:  fmt.Errorf("it is %d bytes and this system's keyring holds at most %d", len(value), s.limit),
			Hint: "Nothing was changed"}
	}
	err := s.call(func() error { return s.kr.Set(KeyringService, entry(profileID, kind), value) })
	if err != nil {
		return classify("store", kind, err)
	}
	return nil
}

// Check asks the keyring whether it answers (reading an entry that does not
// exist), so a missing or locked Secret Service is reported up front.
func (s *Secrets) Check() error {
	_, err := s.Get("credworkbench-probe", ClientSecret)
	if errors.Is(err, ErrSecretNotFound) {
		return nil
	}
	return err
}

// Delete removes a secret; a missing one is not an error.
func (s *Secrets) Delete(profileID string, kind SecretKind) error {
	err := s.call(func() error { return s.kr.Delete(KeyringService, entry(profileID, kind)) })
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return classify("delete", kind, err)
}

// call runs op with the deadline; on timeout op keeps running in the
// background (go-keyring cannot be cancelled) and a timeout error is returned.
func (s *Secrets) call(op func() error) error {
	if s.stuck.Load() > 0 {
		return errKeyringTimeout{d: s.timeout, earlier: true}
	}
	done := make(chan error, 1)
	go func() { done <- op() }()
	t := time.NewTimer(s.timeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		s.stuck.Add(1)
		go func() { <-done; s.stuck.Add(-1) }()
		return errKeyringTimeout{d: s.timeout}
	}
}

type errKeyringTimeout struct {
	d       time.Duration
	earlier bool // an earlier call is still waiting for the keyring
}

func (e errKeyringTimeout) Error() string {
	if e.earlier {
		return "the keyring has not answered an earlier request yet"
	}
	// The call may still complete later: a write may yet be stored.
	return fmt.Sprintf("the keyring did not answer within %s (a value being stored may still arrive)", e.d)
}

const linuxKeyringHint = "Credential Workbench keeps secrets in the Secret Service. Install and start one " +
	"(sudo apt install gnome-keyring, or use KWallet) inside a desktop session; on a headless machine run " +
	"the app inside `dbus-run-session` with `gnome-keyring-daemon --unlock` started"

// classify turns go-keyring's assorted errors into a KeyringError with a fix.
func classify(op string, kind SecretKind, err error) error {
	ke := &KeyringError{Op: op, Kind: kind, Problem: KeyringOther, Err: err}
	msg := err.Error()
	var to errKeyringTimeout
	switch {
	case errors.As(err, &to) || strings.Contains(msg, "timed out"):
		ke.Problem, ke.Hint = KeyringTimeout, "The Secret Service did not respond. "+linuxKeyringHint
	case errors.Is(err, keyring.ErrSetDataTooBig):
		ke.Problem, ke.Hint = KeyringTooBig, "The value is larger than this system's keyring allows. Nothing was changed"
	case strings.Contains(msg, "dbus-launch"), strings.Contains(msg, "DBUS_SESSION_BUS_ADDRESS"):
		ke.Problem, ke.Hint = KeyringUnavailable, "There is no D-Bus session. "+linuxKeyringHint
	case strings.Contains(msg, "org.freedesktop.secrets"):
		ke.Problem, ke.Hint = KeyringUnavailable, "No Secret Service provider is running. "+linuxKeyringHint
	case strings.Contains(msg, "connect:"), strings.Contains(msg, "no such file"):
		ke.Problem, ke.Hint = KeyringUnavailable, "The D-Bus session is gone. "+linuxKeyringHint
	case strings.Contains(msg, "unlock"), strings.Contains(msg, "locked"):
		ke.Problem, ke.Hint = KeyringLocked, "The keyring is locked: unlock it (for example by logging in to the desktop, or with Seahorse) and try again"
	}
	return ke
}

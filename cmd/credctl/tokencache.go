package main

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/credworkbench/credworkbench/credentials"
	"golang.org/x/oauth2"
)

// minCachedValidity: a cached token with less life left than this is not
// handed out, so a script's next call does not fail mid-flight.
const minCachedValidity = time.Minute

// cachedToken is credctl's access-token cache, kept in the profile's
// credentials.TokenCache keyring entry (never in a file). It remembers which
// state of the profile it was obtained for; an edit, a secret rotation or a
// logout (also done in the GUI) makes it stale.
type cachedToken struct {
	Version     int       `json:"v"`
	AccessToken string    `json:"accessToken"`
	TokenType   string    `json:"tokenType,omitempty"`
	Expiry      time.Time `json:"expiry"`
	Revision    int       `json:"revision"`
	UpdatedAt   time.Time `json:"updatedAt"`
	SecretSetAt time.Time `json:"secretSetAt,omitzero"`
}

const cacheVersion = 1

// usableFor reports whether the cached token belongs to p as it is now and
// stays valid for more than minCachedValidity.
func (c cachedToken) usableFor(p credentials.Profile, now time.Time) bool {
	return c.Version == cacheVersion && c.AccessToken != "" &&
		c.Revision == p.Revision && c.UpdatedAt.Equal(p.UpdatedAt) && c.SecretSetAt.Equal(p.SecretSetAt) &&
		p.LastStatus != credentials.StatusLoggedOut &&
		c.Expiry.Sub(now) > minCachedValidity
}

// loadCachedToken returns the usable cached token of p, if there is one.
// Any problem reading it just means there is none.
func loadCachedToken(repo *credentials.Repository, p credentials.Profile, now time.Time) (cachedToken, bool) {
	raw, err := repo.Secrets.Get(p.ID, credentials.TokenCache)
	if err != nil {
		return cachedToken{}, false
	}
	var c cachedToken
	if json.Unmarshal([]byte(raw), &c) != nil || !c.usableFor(p, now) {
		return cachedToken{}, false
	}
	return c, true
}

// storeCachedToken caches tok for p when it has a known expiry and fits the
// keyring's size limit (Windows and macOS refuse large entries; a JWT can be
// larger). Not caching only costs the next call a fetch, so failures are
// reported to the caller as a warning at most.
func storeCachedToken(repo *credentials.Repository, p credentials.Profile, tok *oauth2.Token) (stored bool, err error) {
	if tok == nil || tok.AccessToken == "" || tok.Expiry.IsZero() {
		return false, nil
	}
	b, err := json.Marshal(cachedToken{ // #nosec G117 -- marshaled only into the profile's keyring entry, never a file
		Version: cacheVersion, AccessToken: tok.AccessToken, TokenType: tok.Type(), Expiry: tok.Expiry.UTC(),
		Revision: p.Revision, UpdatedAt: p.UpdatedAt, SecretSetAt: p.SecretSetAt,
	})
	if err != nil {
		return false, err
	}
	if limit := repo.Secrets.Limit(); limit > 0 && len(b) > limit {
		return false, nil
	}
	if err := repo.Secrets.Set(p.ID, credentials.TokenCache, string(b)); err != nil {
		var ke *credentials.KeyringError
		if errors.As(err, &ke) && ke.Problem == credentials.KeyringTooBig {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// dropTokenCache removes the cached token after a change that makes it
// stale. The fingerprint in the entry already keeps it from being used, so
// a keyring failure here is not worth failing the command for.
func dropTokenCache(repo *credentials.Repository, profileID string) {
	_ = repo.Secrets.Delete(profileID, credentials.TokenCache)
}

//go:build !go1.27 || !goexperiment.jsonv2

package credentials

// parseStreaming needs Go 1.27's encoding/json/v2 (store_stream.go); an
// older Go reads every file with decodeProfiles, just more slowly.
func (s *Store) parseStreaming() ([]Profile, bool) { return nil, false }

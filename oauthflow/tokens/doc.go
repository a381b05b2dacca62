// Package tokens keeps access tokens where every process of the user finds
// them: the Store (the OS keyring, with AES-GCM sealed files for token sets
// too large for it), what makes a stored token usable for a profile as it is
// now (Fingerprint, LoggedOut, MinValidity), and Do, the one fetch sequence:
// lock the profile across processes, find a usable token in the store, else
// fetch one and save it. The token manager in oauthflow runs every fetch
// through Do.
package tokens

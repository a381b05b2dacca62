//go:build !(linux || freebsd || openbsd || netbsd)

package ui

import "errors"

// Windows and macOS: Fyne's clipboard offers plain text only, and this
// build adds no platform call for the concealed/excluded formats (see
// README, "Copy access token"): the token is copied as plain text.
func offerSecretX11(string) (secretOffer, error) {
	return nil, errors.New("no marked clipboard on this platform")
}

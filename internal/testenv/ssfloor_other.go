//go:build !linux

package testenv

import (
	"errors"
	"testing"
)

// SecretServiceFloor: the Secret Service is Linux's (see ssfloor_linux.go).
type SecretServiceFloor struct{}

func NewSecretServiceFloor(tb testing.TB, _ string) *SecretServiceFloor {
	tb.Helper()
	Unavailable(tb, "the Secret Service floor is measured on Linux")
	return nil
}

func (*SecretServiceFloor) Read(string) error          { return errors.New("no Secret Service here") }
func (*SecretServiceFloor) Store(string, string) error { return errors.New("no Secret Service here") }

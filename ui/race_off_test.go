//go:build !race

package ui

// slowdown scales wall-clock limits (see race_on_test.go).
const slowdown = 1

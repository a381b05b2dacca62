//go:build race

package ui

// slowdown scales wall-clock limits: the race detector makes the UI code
// (table rendering, reloads) several times slower.
const slowdown = 5

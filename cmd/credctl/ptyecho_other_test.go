//go:build !linux

package main

import "time"

// echoOff cannot look at the terminal here: give the prompt a moment.
func echoOff(int) bool {
	time.Sleep(300 * time.Millisecond)
	return true
}

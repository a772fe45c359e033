//go:build cgo

package main

// int sigil_answer(void) { return 42; }
import "C"

func init() { _ = C.sigil_answer() }

//go:build !unix

// Package cputime reads the process's CPU time, which benchmarks compare
// with wall time to show how many cores a pool of workers keeps busy.
package cputime

import "time"

// Process is not measured on this system; cores-used metrics read 0.
func Process() time.Duration { return 0 }

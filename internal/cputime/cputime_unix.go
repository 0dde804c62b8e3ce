//go:build unix

// Package cputime reads the process's CPU time, which benchmarks compare
// with wall time to show how many cores a pool of workers keeps busy.
package cputime

import (
	"syscall"
	"time"
)

// Process is the process's user + system CPU time so far.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

//go:build !unix

package batch

import "time"

// cpuTime is not measured here; the cores-used metrics read 0.
func cpuTime() time.Duration { return 0 }

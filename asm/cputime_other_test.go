//go:build !unix

package asm

// processCPUSeconds returns 0: CPU time is not read on this system, and the
// benchmarks then report wall-clock GFLOP/s only.
func processCPUSeconds() float64 { return 0 }

//go:build unix

package asm

import "syscall"

// processCPUSeconds returns the user plus system CPU time of this process so
// far, or 0 if the system does not report it.
func processCPUSeconds() float64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return float64(u.Utime.Nano()+u.Stime.Nano()) / 1e9
}

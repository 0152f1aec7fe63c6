//go:build linux

package tensor

import "syscall"

// defaultRecycleLimit is half the machine's RAM as the kernel reports it, or
// 1 GiB if it cannot be read.
func defaultRecycleLimit() int64 {
	var info syscall.Sysinfo_t
	if err := syscall.Sysinfo(&info); err != nil || info.Totalram == 0 {
		return 1 << 30
	}
	return int64(uint64(info.Totalram) * uint64(info.Unit) / 2)
}

//go:build !linux

package tensor

// defaultRecycleLimit is 1 GiB where the machine's memory is not read.
func defaultRecycleLimit() int64 { return 1 << 30 }

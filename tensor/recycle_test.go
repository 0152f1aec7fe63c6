package tensor

import (
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"unsafe"
)

// recycledCount returns how many buffers the free list holds.
func recycledCount() int {
	freeList.Lock()
	defer freeList.Unlock()
	return len(freeList.held)
}

func TestRecycledBufferIsReusedAndCleared(t *testing.T) {
	previous := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(previous)
	for _, n := range []int{minRecycleBytes / 4, 2*parallelClearMin + 5} {
		checkRecycledAndCleared(t, n)
	}
}

// checkRecycledAndCleared recycles a buffer of n float32 threes and checks that Zeros
// of that size takes it back with every element cleared (n from parallelClearMin on
// clears it on two goroutines).
func checkRecycledAndCleared(t *testing.T, n int) {
	dead := Full[float32](3, n)
	first := unsafe.SliceData(dead.Data)
	before := recycledCount()
	Recycle(dead)
	Recycle(dead)
	if dead.Data != nil || recycledCount() != before+1 {
		t.Fatalf("Recycle kept %d buffers (want %d) and left data %v", recycledCount(),
			before+1, dead.Data != nil)
	}

	fresh := Zeros[float32](n)
	if unsafe.SliceData(fresh.Data) != first {
		t.Fatal("Zeros of the recycled size did not reuse the recycled buffer")
	}
	for i, v := range fresh.Data {
		if v != 0 {
			t.Fatalf("reused buffer not cleared: element %d is %v", i, v)
		}
	}
	if other := Zeros[float64](n / 2); unsafe.SliceData(other.Data) == nil {
		t.Fatal("allocation failed")
	}
}

func TestSmallAndForeignBuffersAreNotRecycled(t *testing.T) {
	before := recycledCount()
	Recycle(Zeros[float32](16))
	Recycle[float32](nil)
	big := make([]float64, minRecycleBytes/8, minRecycleBytes/8+1)
	Recycle(FromSlice(big[:minRecycleBytes/8], minRecycleBytes/8))
	if recycledCount() != before {
		t.Fatalf("free list grew from %d to %d", before, recycledCount())
	}
}

// TestRecycleLimit checks the bound on the free list: nothing is kept under a zero
// bound, a buffer that would exceed the bound is left to its owner, and lowering the
// bound releases held buffers.
func TestRecycleLimit(t *testing.T) {
	old := SetRecycleLimit(0)
	defer SetRecycleLimit(old)
	n := minRecycleBytes / 4

	a := Zeros[float32](n)
	Recycle(a)
	if got := recycledCount(); got != 0 || a.Data == nil {
		t.Fatalf("bound 0: %d buffers held, data kept %v; want 0 held, data kept", got,
			a.Data != nil)
	}

	SetRecycleLimit(2 * minRecycleBytes)
	x, y, z := Zeros[float32](n), Zeros[float32](n), Zeros[float32](n)
	Recycle(x)
	Recycle(y)
	Recycle(z)
	if got := recycledCount(); got != 2 || x.Data != nil || y.Data != nil || z.Data == nil {
		t.Fatalf("bound of two buffers: %d held (want 2), third kept by its owner %v", got,
			z.Data != nil)
	}

	if prev := SetRecycleLimit(minRecycleBytes); prev != 2*minRecycleBytes {
		t.Errorf("SetRecycleLimit returned %d, want the previous bound %d", prev,
			2*minRecycleBytes)
	}
	if got := recycledCount(); got != 1 {
		t.Errorf("after lowering the bound to one buffer: %d held", got)
	}
	SetRecycleLimit(0)
	if got := recycledCount(); got != 0 {
		t.Errorf("after SetRecycleLimit(0): %d held", got)
	}
}

// TestDefaultRecycleLimit checks that the default bound is at least the 1 GiB it
// falls back to where the machine's memory is unknown (no machine that runs the
// tests has less than 2 GiB).
func TestDefaultRecycleLimit(t *testing.T) {
	if got := defaultRecycleLimit(); got < 1<<30 {
		t.Errorf("default recycle limit %d bytes, want >= 1 GiB", got)
	}
}

// SetFreeListGCPercent sets GOGC to FreeListGCPercent, unless the environment sets
// GOGC.
func TestSetFreeListGCPercent(t *testing.T) {
	previous := debug.SetGCPercent(77)
	defer debug.SetGCPercent(previous)

	t.Setenv("GOGC", "50")
	SetFreeListGCPercent()
	if got := debug.SetGCPercent(77); got != 77 {
		t.Fatalf("with GOGC set, the percent became %d", got)
	}

	os.Unsetenv("GOGC") // t.Setenv restores it
	SetFreeListGCPercent()
	if got := debug.SetGCPercent(77); got != FreeListGCPercent {
		t.Fatalf("without GOGC, the percent is %d, want %d", got, FreeListGCPercent)
	}
}

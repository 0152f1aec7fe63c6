package tensor

import (
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
	n := minRecycleBytes / 4
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

package tensor

import (
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Large tensors are allocated again and again with the same sizes, step after step.
// When the Go runtime returns freed memory to the kernel between steps, every new
// tensor pays a page fault per 4 KiB on first touch (about 3 us here, more than the
// arithmetic of most elementwise ops). Recycle keeps the data of tensors known to be
// dead in a bounded free list, keyed by element size and length, and Zeros takes a
// matching buffer from it (cleared) before asking the runtime for new memory.

// autograd recycles the gradient of each intermediate value as soon as its backward
// function has run, and with Tape.BackwardRecycling also the activations that
// operations own.
//
// TODO(memory): buffers that backward closures keep (masks, saved statistics) go back
// to the garbage collector, and nn's worker scratch sits in a sync.Pool, which each
// collection empties.

// minRecycleBytes is the smallest buffer worth keeping; the runtime serves smaller
// ones from its own size classes without page faults.
const minRecycleBytes = 256 << 10

// recycleLimit bounds the bytes the free list holds: half the machine's memory by
// default (1 GiB where it is not known). A bound below a step's working set costs
// twice: buffers beyond it go to the garbage collector, whose heap then grows to
// about twice the live data, and are faulted in again. With a 1 GiB bound a 64^3
// PPNet step (batch 4) peaked at 4.1 GB RSS and 7-8 s with 2 threads; with 4 GiB at
// 2.4 GB and 4.2 s.
var recycleLimit atomic.Int64

func init() { recycleLimit.Store(defaultRecycleLimit()) }

// SetRecycleLimit bounds the memory that recycled buffers may hold, in bytes, and
// returns the previous bound. Buffers already held beyond a lowered bound are
// released to the garbage collector (SetRecycleLimit(0) releases them all).
func SetRecycleLimit(bytes int64) int64 {
	freeList.Lock()
	defer freeList.Unlock()
	old := recycleLimit.Swap(max(bytes, 0))
	for key, list := range freeList.buffers {
		for len(list) > 0 && int64(freeList.bytes) > recycleLimit.Load() {
			p := list[len(list)-1]
			list = list[:len(list)-1]
			delete(freeList.held, p)
			freeList.bytes -= int(key.size) * key.n
		}
		freeList.buffers[key] = list
	}
	return old
}

// bufferKey identifies interchangeable buffers: element size in bytes and length.
type bufferKey struct {
	size uintptr
	n    int
}

// freeList is the recycled buffers by key, with the set of their first elements so
// that handing the same buffer back twice is harmless.
var freeList = struct {
	sync.Mutex
	buffers map[bufferKey][]unsafe.Pointer
	held    map[unsafe.Pointer]bool
	bytes   int
}{buffers: map[bufferKey][]unsafe.Pointer{}, held: map[unsafe.Pointer]bool{}}

// Recycle hands the data of t over for reuse by later allocations of the same size.
// The caller guarantees that t's data is dead: neither t nor any other tensor or
// slice sharing its data is read or written afterwards. autograd's backward pass
// recycles each intermediate gradient this way as soon as it has been used, and
// Tape.BackwardRecycling the activations. Only whole buffers are taken (len ==
// cap, at least minRecycleBytes); a view made with a full slice expression would pass
// that check, so it must never be handed in.
func Recycle[T Float](t *Tensor[T]) {
	if t == nil || cap(t.Data) != len(t.Data) || len(t.Data) == 0 {
		return
	}
	key := bufferKey{unsafe.Sizeof(t.Data[0]), len(t.Data)}
	bytes := int(key.size) * key.n
	if bytes < minRecycleBytes {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(t.Data))
	freeList.Lock()
	defer freeList.Unlock()
	if freeList.held[p] || int64(freeList.bytes+bytes) > recycleLimit.Load() {
		return
	}
	freeList.buffers[key] = append(freeList.buffers[key], p)
	freeList.held[p] = true
	freeList.bytes += bytes
	t.Data = nil
}

// allocate returns a slice of n elements: a recycled buffer when one of that size is
// free (its contents are stale unless zeroed is set), else new zeroed memory.
func allocate[T Float](n int, zeroed bool) []T {
	var zero T
	key := bufferKey{unsafe.Sizeof(zero), n}
	if int(key.size)*n >= minRecycleBytes {
		if p := takeRecycled(key); p != nil {
			data := unsafe.Slice((*T)(p), n)
			if zeroed {
				clearParallel(data)
			}
			return data
		}
	}
	return make([]T, n)
}

// parallelClearMin is the length from which clearParallel splits the clearing between
// goroutines: a serial clear of a large gradient or activation buffer left the other
// cores idle (a runtime/trace of a 32^3 step with 2 threads showed one core busy
// for 37% of the time).
const parallelClearMin = 1 << 20

// clearParallel sets data to zero, on up to GOMAXPROCS goroutines when it is long.
func clearParallel[T Float](data []T) {
	workers := min(runtime.GOMAXPROCS(0), len(data)/parallelClearMin)
	if workers <= 1 {
		clear(data)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := len(data)*w/workers, len(data)*(w+1)/workers
		wg.Go(func() { clear(data[lo:hi]) })
	}
	wg.Wait()
}

// takeRecycled removes and returns a free buffer for key, nil when there is none.
func takeRecycled(key bufferKey) unsafe.Pointer {
	freeList.Lock()
	defer freeList.Unlock()
	list := freeList.buffers[key]
	if len(list) == 0 {
		return nil
	}
	p := list[len(list)-1]
	freeList.buffers[key] = list[:len(list)-1]
	delete(freeList.held, p)
	freeList.bytes -= int(key.size) * key.n
	return p
}

// FreeListGCPercent is the garbage collector's growth target (GOGC) for a process whose
// large tensors go through the free list. The free list's buffers count as live heap,
// so with Go's default of 100 the garbage of each training step (small objects,
// scratch, masks) may pile up to the size of the whole working set before a collection
// runs: 16 PPNet steps at 64^3 (batch 4, 2 threads) peaked at 1853 MB RSS against 1534
// after 6. The buffers hold no pointers, so collecting ten times as often costs next to
// nothing: with 10 the 16 steps peaked at 1442 MB, and a 32^3 step took the same time.
const FreeListGCPercent = 10

// SetFreeListGCPercent sets the collector's target to FreeListGCPercent unless the
// environment sets GOGC, which then stays in force. The training and benchmark
// commands call it at start.
func SetFreeListGCPercent() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(FreeListGCPercent)
	}
}

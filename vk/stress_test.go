package vk

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestStressDispatchUnderGC records and submits dispatches in a loop while other
// goroutines allocate and force garbage collections, on a device opened (instance,
// device, pipelines) during that pressure, with the validation layer on when it is
// installed. Every result is checked exactly (small integers), so a dispatch that read
// freed descriptor or submit memory fails the test, as does any validation message.
// Run it many times: go test -run Stress -count 20 ./vk/
func TestStressDispatchUnderGC(t *testing.T) {
	testDevice(t)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			garbage(ctx, g)
		}()
	}
	defer func() {
		cancel()
		wg.Wait()
	}()

	d, err := OpenWith("vulkan", Options{Validation: true})
	if err != nil {
		t.Fatalf("OpenWith: %v", err)
	}
	defer d.Close()
	gcBefore := gcCycles()
	deadline := time.Now().Add(1500 * time.Millisecond)
	iterations := 0
	for ; time.Now().Before(deadline) || iterations < 50; iterations++ {
		stressIteration(t, d, iterations)
		if t.Failed() {
			return
		}
	}
	t.Logf("%d iterations, %d GC cycles, validation layer on: %v", iterations, gcCycles()-gcBefore,
		d.Validation())
}

// garbage allocates and drops memory and calls runtime.GC until ctx is done.
func garbage(ctx context.Context, seed int) {
	var keep [][]byte
	for i := 0; ctx.Err() == nil; i++ {
		keep = append(keep, make([]byte, 1024*(1+(i+seed)%64)))
		if len(keep) > 256 {
			keep = nil
		}
		if i%64 == 0 {
			runtime.GC()
		}
	}
}

// gcCycles returns the number of completed GC cycles.
func gcCycles() uint32 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.NumGC
}

// stressIteration runs a chain of dispatches (elementwise ops and a GEMM) on small
// integer values and checks the results exactly.
func stressIteration(t *testing.T, d *Device, it int) {
	const n = 1000
	x := make([]float32, n)
	for i := range x {
		x[i] = float32((i+it)%17 - 8)
	}
	bx := d.Upload(x)
	by := d.NewBuffer(n)
	d.Add(by, bx, bx)
	d.ReLU(by, by)
	d.Axpy(3, bx, by)

	bc := d.NewBuffer(10 * 10)
	d.Gemm(false, true, 10, 10, 100, 1, by, 100, bx, 100, 0, bc, 10)
	got, gotC := by.Download(), bc.Download()
	for i, v := range x {
		if want := max(2*v, 0) + 3*v; got[i] != want {
			t.Fatalf("iteration %d: y[%d] = %g, want %g", it, i, got[i], want)
		}
	}
	for i := range 10 {
		for j := range 10 {
			var want float32
			for k := range 100 {
				want += (max(2*x[i*100+k], 0) + 3*x[i*100+k]) * x[j*100+k]
			}
			if gotC[i*10+j] != want {
				t.Fatalf("iteration %d: C[%d,%d] = %g, want %g", it, i, j, gotC[i*10+j], want)
			}
		}
	}
	for _, b := range []*Buffer{bx, by, bc} {
		b.Release()
	}
}

package tensor

import (
	"math"
	"runtime"
	"testing"
)

// TestSoftmaxesInParallel checks that the softmax kernels give the same bits on a large
// tensor (blocks spread over two goroutines) as on one goroutine.
func TestSoftmaxesInParallel(t *testing.T) {
	x := RandNormal[float32](NewRNG(41), 0, 2, 2, 3, 40, 40, 40)
	g := RandNormal[float32](NewRNG(42), 0, 1, 2, 3, 40, 40, 40)
	if axisWorkers(x.Shape) < 2 && runtime.GOMAXPROCS(0) >= 2 {
		t.Fatal("the test tensor is too small to be split")
	}
	run := func() [5][]float32 {
		y, s := LogSoftmax(x, 1), Softmax(x, 1)
		return [5][]float32{y.Data, s.Data, LogSoftmaxBackward(g, y, 1).Data,
			SoftmaxBackward(g, s, 1).Data, SumAlongAxis(x, 1).Data}
	}
	previous := runtime.GOMAXPROCS(1)
	serial := run()
	runtime.GOMAXPROCS(max(previous, 2))
	parallel := run()
	runtime.GOMAXPROCS(previous)
	for k := range serial {
		for i := range serial[k] {
			if math.Float32bits(serial[k][i]) != math.Float32bits(parallel[k][i]) {
				t.Fatalf("kernel %d, element %d: %v on two goroutines, %v on one", k, i,
					parallel[k][i], serial[k][i])
			}
		}
	}
}

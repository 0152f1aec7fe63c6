package urpc

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// benchmarkLoss times Loss forward and backward in precision T for four heads of
// shape [2, 3, 32, 32, 32], one labelled and one unlabelled sample.
func benchmarkLoss[T tensor.Float](b *testing.B, cfg Config) {
	shape := []int{2, 3, 32, 32, 32}
	heads := randomHeads(200, 4, shape)
	labels := randomLabels(201, 2*32*32*32, 3)
	data := make([]*tensor.Tensor[T], len(heads))
	for s, z := range heads {
		data[s] = tensor.Convert[T](z)
	}
	b.SetBytes(int64(len(heads) * tensor.Numel(shape) * int(unsafeSize[T]())))
	startCPU := processCPUTime()
	for b.Loop() {
		tape := autograd.NewTape[T]()
		leaves := make([]*autograd.Value[T], len(data))
		for s, z := range data {
			leaves[s] = tape.Leaf(z)
		}
		result := Loss(leaves, labels, 1, 0.1, cfg)
		tape.Backward(result.Total)
	}
	elapsed := processCPUTime() - startCPU
	b.ReportMetric(float64(elapsed.Nanoseconds())/1e6/float64(b.N), "cpu-ms/op")
}

// processCPUTime returns the user and system CPU time of the process so far, which,
// unlike wall time, does not grow when other processes share the cores.
func processCPUTime() time.Duration {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}

// unsafeSize returns the size in bytes of T.
func unsafeSize[T tensor.Float]() uintptr {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return 4
	}
	return 8
}

func BenchmarkLoss(b *testing.B) {
	for _, cfg := range []Config{DefaultConfig(), CodeConfig()} {
		b.Run(fmt.Sprintf("shape=4x2x3x32x32x32/form=%v/T=float32", cfg.Form), func(b *testing.B) {
			benchmarkLoss[float32](b, cfg)
		})
	}
	b.Run("shape=4x2x3x32x32x32/form=paper/T=float64", func(b *testing.B) {
		benchmarkLoss[float64](b, DefaultConfig())
	})
}

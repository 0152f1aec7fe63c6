package nn

import (
	"fmt"
	"runtime"
	"syscall"
	"testing"

	"github.com/urpc-go/urpc/asm"
	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// benchShapes are the U-Net's 3x3x3 convolutions (padding 1) at batch 4:
// Cin -> Cout at size^3.
var benchShapes = []struct{ cin, cout, size int }{
	{1, 16, 48}, {16, 16, 48}, {32, 32, 24}, {64, 64, 12}, {128, 128, 6},
}

// BenchmarkConv3d reports GFLOP/s of the float32 Conv3d: forward (2*N*Cout*Cin*27*V
// flops, V output voxels), backward (input and weight gradients, twice that) and both,
// on 1 and 2 threads (threads=N sets GOMAXPROCS and asm's threads; -cpu is not used:
// under `-cpu 1,2` the sub-benchmarks of the first run were seen with GOMAXPROCS 2).
// GFLOP/cpu-s divides by the CPU time of the process instead of the wall time: on a
// machine shared with other jobs it measures the code rather than its share of cores.
func BenchmarkConv3d(b *testing.B) {
	for _, s := range benchShapes {
		x, w, bias, g, plan, flops := convBenchProblem(s.cin, s.cout, s.size)
		one, pad := [3]int{1, 1, 1}, [3]int{1, 1, 1}
		gx, gw, gb := make([]float32, len(x.Data)), make([]float32, len(w.Data)),
			make([]float32, s.cout)
		vol := s.size * s.size * s.size

		forward := func() {
			tape := autograd.NewNoGradTape[float32]()
			Conv3d(tape.Const(x), tape.Const(w), tape.Const(bias), one, pad)
		}
		backward := func() {
			convBackwardData(plan, onePart(gx, s.cin, vol), g.Data, w.Data, nil)
			convBackwardWeight(plan, gw, onePart(x.Data, s.cin, vol), g.Data)
			addChannelSums(gb, g)
		}
		for _, threads := range []int{1, 2} {
			name := fmt.Sprintf("shape=%dx%dx%d/threads=%d", s.cin, s.cout, s.size, threads)
			for _, pass := range []struct {
				name  string
				flops float64
				run   func()
			}{
				{"forward", flops, forward},
				{"backward", 2 * flops, backward},
				{"both", 3 * flops, func() { forward(); backward() }},
			} {
				benchPass(b, name+"/pass="+pass.name, threads, pass.flops, pass.run)
			}
		}
	}
}

// processCPUSeconds returns the user plus system CPU time of this process so far.
func processCPUSeconds() float64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return float64(u.Utime.Nano()+u.Stime.Nano()) / 1e9
}

// deepShapes are the U-Net's deepest 3x3x3 convolutions (padding 1, batch 4), whose
// column spaces hold only 64 or 8 voxels per sample: Cin -> Cout at size^3.
var deepShapes = []struct{ cin, cout, size int }{
	{64, 128, 4}, {128, 128, 4}, {128, 256, 2}, {256, 256, 2}, {384, 128, 4},
}

// BenchmarkConv3dDeep reports GFLOP/s (2*N*Cout*Cin*27*V flops per pass, padding taps
// included) of the three products of the float32 Conv3d on deepShapes: the forward
// (gatherProduct on specToY), the input gradient (gatherProduct on specToX) and the
// weight gradient (weightProduct), on one thread.
func BenchmarkConv3dDeep(b *testing.B) {
	for _, s := range deepShapes {
		x, w, bias, g, plan, flops := convBenchProblem(s.cin, s.cout, s.size)
		y, gx, gw := make([]float32, len(g.Data)), make([]float32, len(x.Data)),
			make([]float32, len(w.Data))
		xs, gxs := onePart(x.Data, s.cin, s.size*s.size*s.size),
			onePart(gx, s.cin, s.size*s.size*s.size)

		shape := fmt.Sprintf("shape=%dx%dx%d", s.cin, s.cout, s.size)
		for _, pass := range []struct {
			name string
			run  func()
		}{
			{"forward", func() { convForward(plan, y, xs, w.Data, bias.Data) }},
			{"data", func() { convBackwardData(plan, gxs, g.Data, w.Data, nil) }},
			{"weight", func() { convBackwardWeight(plan, gw, xs, g.Data) }},
		} {
			benchPass(b, shape+"/pass="+pass.name, 1, flops, pass.run)
		}
	}
}

// convBenchProblem returns seeded operands of a 3x3x3 convolution with padding 1 at
// batch 4, Cin -> Cout at size^3: x, weight, bias, an output gradient g, the plan, and
// the forward's flops 2*N*Cout*Cin*27*V.
func convBenchProblem(cin, cout, size int) (x, w, bias, g *tensor.Tensor[float32],
	plan *convPlan, flops float64) {
	const n = 4
	rng := tensor.NewRNG(1)
	x = tensor.RandNormal[float32](rng, 0, 1, n, cin, size, size, size)
	w = tensor.RandNormal[float32](rng, 0, 0.1, cout, cin, 3, 3, 3)
	bias = tensor.RandNormal[float32](rng, 0, 0.1, cout)
	g = tensor.RandNormal[float32](rng, 0, 1, n, cout, size, size, size)
	one, dims := [3]int{1, 1, 1}, [3]int{size, size, size}
	plan = newConvPlan(n, cin, cout, dims, dims, [3]int{3, 3, 3}, one, one)
	return x, w, bias, g, plan, 2.0 * n * float64(cout*cin*27*size*size*size)
}

// benchPass runs one timed pass of flops floating-point operations as sub-benchmark
// name with GOMAXPROCS and sgemm's threads set to threads, and reports GFLOP/s and
// GFLOP/cpu-s.
func benchPass(b *testing.B, name string, threads int, flops float64, run func()) {
	b.Run(name, func(b *testing.B) {
		defer asm.SetThreads(asm.Threads())
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
		asm.SetThreads(threads)
		cpu0 := processCPUSeconds()
		for b.Loop() {
			run()
		}
		total := flops * float64(b.N) / 1e9
		b.ReportMetric(total/b.Elapsed().Seconds(), "GFLOP/s")
		b.ReportMetric(total/(processCPUSeconds()-cpu0), "GFLOP/cpu-s")
	})
}

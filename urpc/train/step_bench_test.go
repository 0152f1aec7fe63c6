package train

import (
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
	"github.com/urpc-go/urpc/urpc"
	"github.com/urpc-go/urpc/urpc/data"
)

// benchRunner returns a runner with the default configuration (PPNet base 8, S = 4,
// 2 labelled + 2 unlabelled patches of 32x48x32) and one sampled batch, reading only
// a few cases of the repository's hippocampus data.
func benchRunner(b *testing.B) (*runner, *data.Batch) {
	b.Helper()
	cfg := Default()
	root := filepath.Join("..", "..", cfg.DataDir)
	split, err := data.LoadSplit(filepath.Join(root, "splits.json"))
	if err != nil {
		b.Skip(err)
	}
	labeledNames, unlabeledNames, err := split.LabeledAt(cfg.LabelPercent)
	if err != nil {
		b.Fatal(err)
	}
	labeled, err := data.LoadCases(root, labeledNames[:2], true, 2)
	if err != nil {
		b.Fatal(err)
	}
	unlabeled, err := data.LoadCases(root, unlabeledNames[:2], false, 2)
	if err != nil {
		b.Fatal(err)
	}
	sampler, err := data.NewSampler(labeled, unlabeled, cfg.LabeledBatch, cfg.UnlabeledBatch,
		data.Augment{Patch: cfg.Patch, Flip: true, Rot90: true, MaxDegrees: cfg.MaxDegrees},
		cfg.Seed)
	if err != nil {
		b.Fatal(err)
	}
	r := &runner{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	r.lossCfg, _ = cfg.lossConfig()
	r.ramp, _ = cfg.ramp()
	if r.state, err = newState(cfg); err != nil {
		b.Fatal(err)
	}
	return r, sampler.Batch(100)
}

// benchUsage returns the user plus system CPU time of the process so far (unlike
// wall time it does not grow while other processes hold the cores) and its count of
// minor page faults (first touches of memory fresh from the kernel).
func benchUsage() (time.Duration, int64) {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0, 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()), usage.Minflt
}

// usage is a snapshot of the process's CPU time, page faults and heap counters.
type usage struct {
	cpu    time.Duration
	faults int64
	mem    runtime.MemStats
}

// takeUsage returns the current usage.
func takeUsage() usage {
	var u usage
	u.cpu, u.faults = benchUsage()
	runtime.ReadMemStats(&u.mem)
	return u
}

// reportUsage adds to b's results, per step since start: CPU milliseconds, minor page
// faults, garbage collections and MiB allocated.
func reportUsage(b *testing.B, start usage) {
	end, n := takeUsage(), float64(b.N)
	b.ReportMetric(float64((end.cpu-start.cpu).Microseconds())/1e3/n, "cpu-ms/op")
	b.ReportMetric(float64(end.faults-start.faults)/n, "faults/op")
	b.ReportMetric(float64(end.mem.NumGC-start.mem.NumGC)/n, "gc/op")
	b.ReportMetric(float64(end.mem.TotalAlloc-start.mem.TotalAlloc)/n/(1<<20), "MiB/op")
}

// BenchmarkTrainStep times one default training step (forward, losses, backward,
// SGD) on a fixed batch, and, separately, the losses of Eq. 1-6 forward and backward
// on logits of the step's shape, the part of the step outside the network.
func BenchmarkTrainStep(b *testing.B) {
	r, batch := benchRunner(b)
	b.Run("part=step/shape=4x1x32x48x32", func(b *testing.B) {
		start := takeUsage()
		for b.Loop() {
			if _, err := r.trainStep(batch); err != nil {
				b.Fatal(err)
			}
		}
		reportUsage(b, start)
	})

	p := batch.Patch
	rng := tensor.NewRNG(3)
	heads := make([]*tensor.Tensor[float32], r.cfg.Heads)
	for s := range heads {
		heads[s] = tensor.RandNormal[float32](rng, 0, 2, batch.N, r.cfg.Classes, p[0], p[1], p[2])
	}
	b.Run("part=loss/shape=4x4x3x32x48x32", func(b *testing.B) {
		start := takeUsage()
		for b.Loop() {
			tape := autograd.NewTape[float32]()
			leaves := make([]*autograd.Value[float32], len(heads))
			for s, z := range heads {
				leaves[s] = tape.Leaf(z)
			}
			loss := urpc.Loss(leaves, batch.Labels, batch.Labeled, 0.1, r.lossCfg)
			tape.Backward(loss.Total)
		}
		reportUsage(b, start)
	})
}

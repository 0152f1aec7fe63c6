package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"syscall"
)

// compare runs the Go child and the PyTorch script for every thread count and prints
// one report line per implementation and the ratio of the median step times.
func compare(s setting, threads []int, device, python, script string, noTorch bool,
	logger *slog.Logger) int {
	self, err := os.Executable()
	if err != nil {
		logger.Error("cannot find this program", "err", err)
		return 1
	}
	fmt.Printf("PPNet training step: batch %d, patch %d^3, base %d, S %d, C %d, norm %s, "+
		"perturb %s; %d warm-up + %d timed steps\n", s.batch, s.patch, s.base, s.heads,
		s.classes, s.norm, s.perturb, s.warmup, s.reps)
	fmt.Printf("%-8s %-30s %10s %10s %10s %10s %10s\n", "threads", "impl", "median ms",
		"min ms", "max ms", "cpu ms", "peak MiB")

	for _, n := range threads {
		s.threads = n
		logger.Info("running", "impl", "go", "threads", n)
		goRes, err := runChild(n, self, append([]string{"-child", "-device", device},
			s.args("-")...))
		if err != nil {
			logger.Error("go step", "threads", n, "err", err)
			return 1
		}
		printResult(n, goRes)
		if noTorch {
			continue
		}

		logger.Info("running", "impl", "pytorch", "threads", n)
		torchRes, err := runChild(n, python, append([]string{script}, s.args("--")...))
		if err != nil {
			logger.Error("pytorch step", "threads", n, "err", err,
				"hint", "-python must have torch; -torch-script is relative to the repo root")
			return 1
		}
		printResult(n, torchRes)
		fmt.Printf("%-8d ratio Go/PyTorch: wall %.2f, cpu %.2f, peak RSS %.2f\n", n,
			median(goRes.TimesMS)/median(torchRes.TimesMS),
			median(goRes.CPUTimesMS)/median(torchRes.CPUTimesMS),
			float64(goRes.MaxRSSKiB)/float64(torchRes.MaxRSSKiB))
	}
	return 0
}

// runChild runs a command whose standard output is one stepResult in JSON, and takes
// the peak RSS from the child's resource usage as the kernel reports it. The
// child's environment caps OpenMP, OpenBLAS and MKL at the given thread count:
// torch.set_num_threads does not reach a pthread OpenBLAS (Debian's default
// libblas), which would otherwise use every core in a "1 thread" run.
func runChild(threads int, name string, args []string) (stepResult, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), threadEnv(threads)...)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return stepResult{}, fmt.Errorf("bench: %s: %w", name, err)
	}
	var res stepResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return res, fmt.Errorf("bench: %s printed no result: %w", name, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.MaxRSSKiB = max(res.MaxRSSKiB, ru.Maxrss)
	}
	return res, nil
}

// printResult prints one report line.
func printResult(threads int, r stepResult) {
	cpu := "-"
	if len(r.CPUTimesMS) > 0 {
		cpu = fmt.Sprintf("%.0f", median(r.CPUTimesMS))
	}
	fmt.Printf("%-8d %-30s %10.0f %10.0f %10.0f %10s %10.0f\n", threads, r.Impl,
		median(r.TimesMS), slices.Min(r.TimesMS), slices.Max(r.TimesMS), cpu,
		float64(r.MaxRSSKiB)/1024)
}

// median returns the median of xs (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// threadEnv returns the environment variables that cap the thread pools of
// OpenMP and the BLAS libraries PyTorch may load at n threads.
func threadEnv(n int) []string {
	v := strconv.Itoa(n)
	return []string{"OMP_NUM_THREADS=" + v, "OPENBLAS_NUM_THREADS=" + v, "MKL_NUM_THREADS=" + v}
}

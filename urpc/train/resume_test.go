package train

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// childConfigEnv carries a JSON configuration to a re-executed test binary, which
// then trains with it instead of running tests (see TestMain).
const childConfigEnv = "URPC_TRAIN_CHILD_CONFIG"

func TestMain(m *testing.M) {
	if raw := os.Getenv(childConfigEnv); raw != "" {
		var cfg Config
		if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
			os.Exit(3)
		}
		if _, err := Run(context.Background(), cfg, Options{SkipTest: true}); err != nil {
			os.Exit(4)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// waitForRows waits until out/metrics.csv holds at least n data rows.
func waitForRows(t *testing.T, out string, n int, deadline time.Time) {
	t.Helper()
	for time.Now().Before(deadline) {
		raw, _ := os.ReadFile(filepath.Join(out, "metrics.csv"))
		nonEmpty := slices.DeleteFunc(splitLines(raw), func(s string) bool { return s == "" })
		if len(nonEmpty)-1 >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("metrics.csv never reached %d rows", n)
}

func splitLines(raw []byte) []string {
	var lines []string
	start := 0
	for i, b := range raw {
		if b == '\n' {
			lines = append(lines, string(raw[start:i]))
			start = i + 1
		}
	}
	return lines
}

// A run killed with SIGKILL and resumed from its last checkpoint continues exactly as
// an uninterrupted run with the same seed and thread count.
func TestKillAndResumeContinuesIdentically(t *testing.T) {
	root := tinyDataset(t)
	reference := filepath.Join(t.TempDir(), "reference")
	cfg := tinyConfig(root, reference)
	if _, err := Run(context.Background(), cfg, Options{SkipTest: true}); err != nil {
		t.Fatal(err)
	}
	want := readLosses(t, reference)

	killed := filepath.Join(t.TempDir(), "killed")
	cfg.OutDir = killed
	raw, _ := json.Marshal(cfg)
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childConfigEnv+"="+string(raw))
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	waitForRows(t, killed, cfg.ValEvery+2, time.Now().Add(2*time.Minute))
	child.Process.Kill()
	child.Wait()

	if _, err := Run(context.Background(), cfg, Options{Resume: true, SkipTest: true}); err != nil {
		t.Fatal(err)
	}
	if got := readLosses(t, killed); !slices.Equal(got, want) {
		t.Fatalf("resumed losses differ:\n got  %v\n want %v", got, want)
	}
}

// Cancelling the context (what Ctrl-C does) writes a checkpoint from which the run
// resumes identically.
func TestInterruptWritesResumableCheckpoint(t *testing.T) {
	root := tinyDataset(t)
	reference := filepath.Join(t.TempDir(), "reference")
	cfg := tinyConfig(root, reference)
	if _, err := Run(context.Background(), cfg, Options{SkipTest: true}); err != nil {
		t.Fatal(err)
	}
	want := readLosses(t, reference)

	cfg.OutDir = filepath.Join(t.TempDir(), "interrupted")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		waitForRows(t, cfg.OutDir, 6, time.Now().Add(2*time.Minute))
		cancel()
	}()
	summary, err := Run(ctx, cfg, Options{SkipTest: true})
	if err != nil || !summary.Interrupted {
		t.Fatalf("interrupt: summary %+v, err %v", summary, err)
	}
	if _, err := Run(context.Background(), cfg, Options{Resume: true, SkipTest: true}); err != nil {
		t.Fatal(err)
	}
	if got := readLosses(t, cfg.OutDir); !slices.Equal(got, want) {
		t.Fatalf("resumed losses differ:\n got  %v\n want %v", got, want)
	}
}

func TestExistingRunNeedsResume(t *testing.T) {
	root := tinyDataset(t)
	cfg := tinyConfig(root, filepath.Join(t.TempDir(), "run"))
	cfg.Steps = 4
	if _, err := Run(context.Background(), cfg, Options{SkipTest: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), cfg, Options{SkipTest: true}); err == nil {
		t.Fatal("a second run into the same folder was accepted without -resume")
	}
}

// countingContext reports cancellation from its limit-th Err call on, so a test can
// stop a run at a precise point (here: inside the first validation).
type countingContext struct {
	context.Context
	calls, limit int
}

func (c *countingContext) Err() error {
	c.calls++
	if c.calls >= c.limit {
		return context.Canceled
	}
	return nil
}

// An interruption during validation writes a checkpoint marked "validation pending";
// the resumed run validates that step first and ends exactly as an uninterrupted one.
func TestInterruptDuringValidationResumesIdentically(t *testing.T) {
	root := tinyDataset(t)
	reference := filepath.Join(t.TempDir(), "reference")
	cfg := tinyConfig(root, reference)
	if _, err := Run(context.Background(), cfg, Options{SkipTest: true}); err != nil {
		t.Fatal(err)
	}

	cfg.OutDir = filepath.Join(t.TempDir(), "interrupted")
	// One Err call per step (ValEvery of them), then the first validation case.
	ctx := &countingContext{Context: context.Background(), limit: cfg.ValEvery + 1}
	summary, err := Run(ctx, cfg, Options{SkipTest: true})
	if err != nil || !summary.Interrupted || summary.Steps != cfg.ValEvery {
		t.Fatalf("summary %+v, err %v; want interrupted at step %d", summary, err, cfg.ValEvery)
	}
	if _, err := Run(context.Background(), cfg, Options{Resume: true, SkipTest: true}); err != nil {
		t.Fatal(err)
	}
	if got, want := readLosses(t, cfg.OutDir), readLosses(t, reference); !slices.Equal(got, want) {
		t.Errorf("losses differ:\n got  %v\n want %v", got, want)
	}
	want, _ := os.ReadFile(filepath.Join(reference, "validation.csv"))
	got, _ := os.ReadFile(filepath.Join(cfg.OutDir, "validation.csv"))
	if string(got) != string(want) || len(want) == 0 {
		t.Errorf("validation.csv differs:\n%s\nwant\n%s", got, want)
	}
}

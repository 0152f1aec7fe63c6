//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// SIGINT during training makes the command save a resumable checkpoint and exit with
// status 130, so that a script does not take the unfinished run for a finished one.
func TestInterruptExits130(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny network on the repository's data")
	}
	data := filepath.Join("..", "..", "data", "hippocampus")
	out := filepath.Join(t.TempDir(), "run")
	args := []string{"-data", data, "-split", filepath.Join(data, "splits.json"),
		"-out", out, "-base", "2", "-patch", "16", "-steps", "100000", "-log-every", "1",
		"-val-every", "100000", "-labeled", "1", "-unlabeled", "1", "-threads", "1"}

	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() { done <- run(args, &stderr) }()

	deadline := time.Now().Add(2 * time.Minute)
	for {
		raw, _ := os.ReadFile(filepath.Join(out, "metrics.csv"))
		if strings.Count(string(raw), "\n") >= 3 {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("run ended with %d before the interrupt:\n%s", code, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no metrics.csv rows within 2 minutes")
		}
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}

	select {
	case code := <-done:
		if code != exitInterrupted {
			t.Fatalf("exit %d, want %d:\n%s", code, exitInterrupted, stderr.String())
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("no exit within 2 minutes of SIGINT")
	}
	if _, err := os.Stat(filepath.Join(out, "last.safetensors")); err != nil {
		t.Errorf("no resumable checkpoint: %v", err)
	}
	if !strings.Contains(stderr.String(), "-resume") {
		t.Errorf("the log does not say how to resume:\n%s", stderr.String())
	}
}

package vk

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestShadersUpToDate regenerates the SPIR-V with shaders/generate.sh into a temporary
// directory and fails if any committed .spv differs or is missing (skipped without
// glslc).
func TestShadersUpToDate(t *testing.T) {
	if _, err := exec.LookPath("glslc"); err != nil {
		t.Skip("glslc not installed (Debian package glslc): cannot check SPIR-V drift")
	}
	out := t.TempDir()
	cmd := exec.Command("bash", "shaders/generate.sh", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generate.sh: %v\n%s", err, msg)
	}
	sources, _ := filepath.Glob("shaders/*.comp")
	for _, src := range sources {
		name := strings.TrimSuffix(filepath.Base(src), ".comp") + ".spv"
		fresh, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(filepath.Join("shaders", name))
		if err != nil || !bytes.Equal(fresh, committed) {
			t.Errorf("shaders/%s is stale: run vk/shaders/generate.sh and commit", name)
		}
	}
}

// TestEveryKernelHasSPIRV checks that each kernel spec has its committed SPIR-V.
func TestEveryKernelHasSPIRV(t *testing.T) {
	for _, k := range allKernels {
		if words := spirvWords(k.name); words[0] != 0x07230203 {
			t.Errorf("shaders/%s.spv: magic %#x, want the SPIR-V magic", k.name, words[0])
		}
	}
}

package checkpoint

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sampleTensors returns tensors of several ranks, a scalar, an empty tensor and values
// that must survive bit for bit (NaN, -0, infinities, subnormals).
func sampleTensors() []Tensor {
	w := make([]float32, 2*3*2*2*2)
	for i := range w {
		w[i] = float32(i)*0.37 - 3
	}
	return []Tensor{
		{Name: "encoder.conv1.weight", Shape: []int{2, 3, 2, 2, 2}, Data: w},
		{Name: "step", Shape: nil, Data: []float32{1234}},
		{Name: "empty", Shape: []int{0, 4}, Data: nil},
		{Name: "special", Shape: []int{6}, Data: []float32{
			float32(math.NaN()), float32(math.Copysign(0, -1)), float32(math.Inf(1)),
			float32(math.Inf(-1)), math.SmallestNonzeroFloat32, math.MaxFloat32}},
		{Name: "ünïcode \"quoted\" <name>", Shape: []int{1, 1}, Data: []float32{7}},
	}
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	want := sampleTensors()
	meta := map[string]string{"step": "1234", "format": "pt", "note": "a \"b\"\n"}
	if err := Save(path, want, meta); err != nil {
		t.Fatal(err)
	}

	got, gotMeta, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("loaded %d tensors, want %d", len(got), len(want))
	}
	for _, w := range want {
		g, ok := got[w.Name]
		if !ok {
			t.Fatalf("tensor %q missing", w.Name)
		}
		if g.Name != w.Name || len(g.Shape) != len(w.Shape) || !slices.Equal(g.Shape, w.Shape) {
			t.Errorf("%q: shape %v, want %v", w.Name, g.Shape, w.Shape)
		}
		if !sameBits(g.Data, w.Data) {
			t.Errorf("%q: data %v, want %v", w.Name, g.Data, w.Data)
		}
	}
	if len(gotMeta) != len(meta) {
		t.Errorf("metadata %v, want %v", gotMeta, meta)
	}
	for k, v := range meta {
		if gotMeta[k] != v {
			t.Errorf("metadata %q = %q, want %q", k, gotMeta[k], v)
		}
	}
}

// sameBits compares float32 slices bit for bit, so NaN equals NaN and -0 differs from 0.
func sameBits(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool {
		return math.Float32bits(x) == math.Float32bits(y)
	})
}

func TestHeaderPaddedAndAligned(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	for n := range 9 {
		name := strings.Repeat("x", n+1)
		if err := Save(path, []Tensor{{Name: name, Shape: []int{1}, Data: []float32{1}}},
			nil); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		headerLen := binary.LittleEndian.Uint64(b)
		if headerLen%8 != 0 || 8+headerLen+4 != uint64(len(b)) {
			t.Errorf("name %q: header length %d, file %d bytes", name, headerLen, len(b))
		}
		if b[8] != '{' || strings.ContainsAny(strings.TrimRight(string(b[8:8+headerLen]),
			" "), "\n\t") {
			t.Errorf("name %q: header %q", name, b[8:8+headerLen])
		}
	}
}

func TestSaveReplacesAndLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	for i := range 3 {
		v := []float32{float32(i)}
		if err := Save(path, []Tensor{{Name: "v", Shape: []int{1}, Data: v}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	got, _, err := Load(path)
	if err != nil || got["v"].Data[0] != 2 {
		t.Fatalf("after three saves: %v, %v", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the checkpoint", len(entries))
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("checkpoint mode %v (%v), want 0644", st.Mode(), err)
	}
}

func TestSaveFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()

	// Renaming a file over a non-empty folder fails: Save must report it and clean up.
	target := filepath.Join(dir, "busy")
	if err := os.MkdirAll(filepath.Join(target, "child"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := Save(target, []Tensor{{Name: "v", Shape: []int{1}, Data: []float32{1}}}, nil)
	if err == nil {
		t.Fatal("Save over a non-empty folder succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("failed Save left %d entries in the folder, want 1", len(entries))
	}

	missing := filepath.Join(dir, "no", "such", "folder", "c.safetensors")
	if err := Save(missing, nil, nil); err == nil {
		t.Error("Save into a missing folder succeeded")
	}
}

func TestSavePanicsOnMisuse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.safetensors")
	cases := map[string][]Tensor{
		"shape mismatch": {{Name: "a", Shape: []int{2, 3}, Data: make([]float32, 5)}},
		"negative dim":   {{Name: "a", Shape: []int{-1}, Data: nil}},
		"empty name":     {{Name: "", Shape: []int{1}, Data: []float32{1}}},
		"reserved name":  {{Name: metadataKey, Shape: []int{1}, Data: []float32{1}}},
		"duplicate": {{Name: "a", Shape: []int{1}, Data: []float32{1}},
			{Name: "a", Shape: []int{1}, Data: []float32{2}}},
	}
	for name, tensors := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("no panic")
				}
				if msg, _ := r.(string); !strings.HasPrefix(msg, "checkpoint: ") {
					t.Errorf("panic %v does not start with the package name", r)
				}
			}()
			Save(path, tensors, nil)
		})
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a panicking Save left %s behind", path)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, _, err := Load(filepath.Join(t.TempDir(), "absent.safetensors"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v, want one wrapping os.ErrNotExist", err)
	}
}

// BenchmarkSaveLoad saves and loads 8 Mi float32 values (32 MiB, the size of a pyramid
// U-Net's parameters with their momentum), fsync included.
func BenchmarkSaveLoad(b *testing.B) {
	data := make([]float32, 8<<20)
	for i := range data {
		data[i] = float32(i)
	}
	path := filepath.Join(b.TempDir(), "bench.safetensors")
	tensors := []Tensor{{Name: "params", Shape: []int{len(data)}, Data: data}}
	b.Run("op=save", func(b *testing.B) {
		b.SetBytes(int64(4 * len(data)))
		for b.Loop() {
			if err := Save(path, tensors, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("op=load", func(b *testing.B) {
		b.SetBytes(int64(4 * len(data)))
		for b.Loop() {
			if _, _, err := Load(path); err != nil {
				b.Fatal(err)
			}
		}
	})
}

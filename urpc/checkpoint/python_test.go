package checkpoint

import (
	"bytes"
	"encoding/json"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// pythonOracle reads and writes safetensors files in Python the way the reference
// `safetensors` library does: the 8-byte little-endian header length, a UTF-8 JSON
// header with unique names, exactly the fields dtype/shape/data_offsets, offsets that
// tile the data section, and np.frombuffer over each tensor's bytes. The `safetensors`
// package itself cannot be installed here (no PyPI access), so the rules are spelled
// out from its specification instead. "check PATH" reads our file and compares its
// values with the JSON on stdin; "write PATH" writes a file its own way (no padding,
// entries in reverse order, sorted JSON keys) for Load to read.
const pythonOracle = `
import json, struct, sys
import numpy as np

mode, path = sys.argv[1], sys.argv[2]
want = json.load(sys.stdin)

def unique(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), "duplicate names"
    return dict(pairs)

if mode == "write":
    blobs, header, off = [], {}, 0
    for name, t in reversed(list(want["tensors"].items())):
        b = np.asarray(t["data"], dtype="<f4").tobytes()
        header[name] = {"shape": t["shape"], "dtype": "F32",
                        "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    header["__metadata__"] = want["metadata"]
    h = json.dumps(header, sort_keys=True).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    print("python: wrote %d tensors" % len(blobs))
    sys.exit(0)

raw = open(path, "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
assert 8 + n <= len(raw), "header length beyond file"
assert n % 8 == 0, "header not padded to 8 bytes"
text = raw[8:8 + n].decode("utf-8")
assert text.startswith("{"), "header does not start with {"
header = json.loads(text, object_pairs_hook=unique)
data = raw[8 + n:]

meta = header.pop("__metadata__", {})
assert all(isinstance(v, str) for v in meta.values()), "metadata values not strings"
assert meta == want["metadata"], ("metadata", meta)

pos = 0
for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
    assert set(info) == {"dtype", "shape", "data_offsets"}, info
    assert info["dtype"] == "F32", info
    begin, end = info["data_offsets"]
    assert begin == pos and begin <= end <= len(data), (name, "offsets", begin, end)
    assert int(np.prod(info["shape"], dtype=np.int64)) * 4 == end - begin, (name, "size")
    pos = end
    arr = np.frombuffer(data, dtype="<f4", count=(end - begin) // 4, offset=begin)
    arr = arr.reshape(info["shape"])
    ref = np.asarray(want["tensors"][name]["data"], dtype=np.float32)
    ref = ref.reshape(want["tensors"][name]["shape"])
    assert arr.shape == ref.shape, (name, arr.shape, ref.shape)
    assert np.array_equal(arr.view(np.uint32), ref.view(np.uint32)), (name, "values")
assert pos == len(data), "bytes after the last tensor"
assert sorted(header) == sorted(want["tensors"]), "tensor names differ"
print("python: %d tensors match" % len(header))
`

// pythonTensor is one tensor as the oracle's stdin JSON carries it.
type pythonTensor struct {
	Shape []int     `json:"shape"`
	Data  []float32 `json:"data"`
}

// runPython runs the oracle in mode on path with the tensors and metadata on stdin. It
// skips the test when Debian's Python or its numpy is missing.
func runPython(t *testing.T, mode, path string, tensors []Tensor, meta map[string]string) {
	t.Helper()
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import numpy").Run(); err != nil {
		t.Skipf("%s with numpy is not available: %v", python, err)
	}

	want := map[string]any{"metadata": meta}
	byName := map[string]pythonTensor{}
	for _, tn := range tensors {
		byName[tn.Name] = pythonTensor{Shape: append([]int{}, tn.Shape...), Data: tn.Data}
	}
	want["tensors"] = byName
	stdin, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(python, "-c", pythonOracle, mode, path)
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python %s: %v\n%s", mode, err, out)
	}
	t.Logf("%s", bytes.TrimSpace(out))
}

// randomTensors returns finite tensors (JSON has no NaN) of several shapes.
func randomTensors() []Tensor {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := map[string][]int{"conv.weight": {4, 3, 3, 3, 3}, "conv.bias": {4},
		"scalar": {}, "empty": {2, 0}, "bn.running_var": {16}}
	var tensors []Tensor
	for _, name := range slices.Sorted(maps.Keys(shapes)) {
		n, _ := numElements(shapes[name], math.MaxInt)
		data := make([]float32, n)
		for i := range data {
			data[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4)))
		}
		tensors = append(tensors, Tensor{Name: name, Shape: shapes[name], Data: data})
	}
	return tensors
}

func TestPythonReadsOurFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "go.safetensors")
	tensors := randomTensors()
	meta := map[string]string{"step": "42", "seed": "7", "unicode": "λ ü"}
	if err := Save(path, tensors, meta); err != nil {
		t.Fatal(err)
	}
	runPython(t, "check", path, tensors, meta)
}

func TestLoadReadsPythonFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "py.safetensors")
	tensors := randomTensors()
	meta := map[string]string{"written_by": "python"}
	runPython(t, "write", path, tensors, meta)
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}

	got, gotMeta, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(tensors) || gotMeta["written_by"] != "python" {
		t.Fatalf("loaded %d tensors and metadata %v", len(got), gotMeta)
	}
	for _, want := range tensors {
		g := got[want.Name]
		if !slices.Equal(g.Shape, want.Shape) && len(want.Shape)+len(g.Shape) > 0 {
			t.Errorf("%q: shape %v, want %v", want.Name, g.Shape, want.Shape)
		}
		if !sameBits(g.Data, want.Data) {
			t.Errorf("%q: values differ", want.Name)
		}
	}
}

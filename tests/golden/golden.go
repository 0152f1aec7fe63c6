// Package golden loads the PyTorch reference values of tests/testdata/golden (written
// by make_golden.py) and compares results with them using the tolerance that folder's
// README suggests: |got - want| <= 1e-6 * max(1, max|want|) + 1e-6 * |want|.
//
// The folder is tests/testdata/golden of this repository, or the folder named by the
// environment variable URPC_GOLDEN_DIR when it is set (same format and file names,
// other random values).
package golden

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/urpc-go/urpc/tensor"
)

// EnvDir names the environment variable that overrides the golden folder.
const EnvDir = "URPC_GOLDEN_DIR"

// Tolerance is both the absolute (scaled by max(1, max|want|)) and the relative factor
// of the comparison.
const Tolerance = 1e-6

// Array is one stored tensor: flat row-major data with its shape.
type Array struct {
	DType string    `json:"dtype"`
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// File is one golden JSON file.
type File struct {
	Name        string                     `json:"file"`
	Description string                     `json:"description"`
	Config      map[string]json.RawMessage `json:"config"`
	Tensors     map[string]Array           `json:"tensors"`

	// RawScalars holds every entry of "scalars" undecoded: numbers, lists and objects.
	RawScalars map[string]json.RawMessage `json:"scalars"`
	// Scalars holds the entries of "scalars" that are plain numbers.
	Scalars map[string]float64 `json:"-"`
}

// Dir returns the golden folder in use.
func Dir() string {
	if dir := os.Getenv(EnvDir); dir != "" {
		return dir
	}
	_, self, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(self), "..", "testdata", "golden")
}

// Files lists the JSON file names of the golden folder, sorted.
func Files() ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(Dir(), "*.json"))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = filepath.Base(m)
	}
	slices.Sort(names)
	return names, nil
}

// Load reads the golden file name from Dir.
func Load(name string) (*File, error) {
	path := filepath.Join(Dir(), name)
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("golden: %w", err)
	}
	var f File
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("golden: %s: %w", path, err)
	}
	f.Scalars = map[string]float64{}
	for key, value := range f.RawScalars {
		var number float64
		if json.Unmarshal(value, &number) == nil {
			f.Scalars[key] = number
		}
	}
	return &f, nil
}

// Tensor returns the stored tensor name as float64, or an error when it is absent.
func (f *File) Tensor(name string) (*tensor.Tensor[float64], error) {
	a, ok := f.Tensors[name]
	if !ok {
		return nil, fmt.Errorf("golden: %s has no tensor %q", f.Name, name)
	}
	return tensor.FromSlice(slices.Clone(a.Data), a.Shape...), nil
}

// Scalar returns the stored scalar name, or an error when it is absent.
func (f *File) Scalar(name string) (float64, error) {
	v, ok := f.Scalars[name]
	if !ok {
		return 0, fmt.Errorf("golden: %s has no scalar %q", f.Name, name)
	}
	return v, nil
}

// ScalarList returns the stored list of scalars name; a null element reads as NaN.
func (f *File) ScalarList(name string) ([]float64, error) {
	raw, ok := f.RawScalars[name]
	if !ok {
		return nil, fmt.Errorf("golden: %s has no scalar list %q", f.Name, name)
	}
	var items []*float64
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("golden: %s: scalar %q is not a list of numbers: %w", f.Name, name, err)
	}
	list := make([]float64, len(items))
	for i, item := range items {
		list[i] = math.NaN()
		if item != nil {
			list[i] = *item
		}
	}
	return list, nil
}

// ConfigValue decodes the config entry key into dst.
func (f *File) ConfigValue(key string, dst any) error {
	raw, ok := f.Config[key]
	if !ok {
		return fmt.Errorf("golden: %s has no config %q", f.Name, key)
	}
	return json.Unmarshal(raw, dst)
}

// Compare checks got against want elementwise and returns the worst error measured as
// |got - want| / (max(1, max|want|) + |want|) (pass when <= Tolerance) with an error
// describing the worst element when the check fails or the sizes differ.
func Compare(name string, got, want []float64) (float64, error) {
	if len(got) != len(want) {
		return math.Inf(1), fmt.Errorf("%s: %d values, want %d", name, len(got), len(want))
	}
	scale := 1.0
	for _, w := range want {
		scale = max(scale, math.Abs(w))
	}
	worst, worstAt := 0.0, -1
	for i := range want {
		err := math.Abs(got[i]-want[i]) / (scale + math.Abs(want[i]))
		if err > worst || math.IsNaN(err) {
			worst, worstAt = err, i
		}
	}
	if !(worst <= Tolerance) {
		return worst, fmt.Errorf("%s: element %d is %.10g, want %.10g (error %.2e)",
			name, worstAt, got[worstAt], want[worstAt], worst)
	}
	return worst, nil
}

// CompareTensor is Compare on a tensor whose shape must equal the stored one.
func CompareTensor[T tensor.Float](f *File, name string, got *tensor.Tensor[T]) (float64, error) {
	want, err := f.Tensor(name)
	if err != nil {
		return math.Inf(1), err
	}
	if !slices.Equal(got.Shape, want.Shape) {
		return math.Inf(1), fmt.Errorf("%s/%s: shape %v, want %v", f.Name, name, got.Shape, want.Shape)
	}
	return Compare(f.Name+"/"+name, tensor.Convert[float64](got).Data, want.Data)
}

package tests

import (
	"math"
	"slices"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
	"github.com/urpc-go/urpc/tests/golden"
)

// goldenCheck compares the op behind one golden file with it, reporting mismatches on
// c and recording the worst error.
type goldenCheck func(c *checker)

// goldenChecks maps each golden file to its check; files add themselves in init.
var goldenChecks = map[string]goldenCheck{}

// checkedElsewhere maps golden files compared by a test of another package (which
// reads URPC_GOLDEN_DIR too) to that test; TestGolden lists them in its log.
var checkedElsewhere = map[string]string{
	"metrics.json":        "urpc/metrics TestGoldenMetrics",
	"sliding_window.json": "urpc/window TestGoldenSlidingWindow",
}

// pendingGolden lists the golden files whose op does not exist in the repository yet.
// TestGoldenRegistry fails when one of them gets a check, so the list cannot go stale.
var pendingGolden = []string{}

// checker wraps a golden file for one check and tracks its worst error.
type checker struct {
	t     *testing.T
	file  *golden.File
	worst float64
}

// input returns the stored tensor name, failing the test when it is absent.
func (c *checker) input(name string) *tensor.Tensor[float64] {
	c.t.Helper()
	x, err := c.file.Tensor(name)
	if err != nil {
		c.t.Fatal(err)
	}
	return x
}

// compare checks got against the stored tensor name.
func (c *checker) compare(name string, got *tensor.Tensor[float64]) {
	c.t.Helper()
	worst, err := golden.CompareTensor(c.file, name, got)
	if err != nil {
		c.t.Error(err)
	}
	c.worst = max(c.worst, worst)
}

// compareScalar checks got against the stored scalar name.
func (c *checker) compareScalar(name string, got float64) {
	c.t.Helper()
	want, err := c.file.Scalar(name)
	if err != nil {
		c.t.Fatal(err)
	}
	worst, err := golden.Compare(c.file.Name+"/"+name, []float64{got}, []float64{want})
	if err != nil {
		c.t.Error(err)
	}
	c.worst = max(c.worst, worst)
}

// backwardWith runs Backward on sum(out * gradOutput), the convention of the golden
// files for the gradients of non-scalar outputs.
func backwardWith(tape *autograd.Tape[float64], out *autograd.Value[float64],
	gradOutput *tensor.Tensor[float64]) {
	tape.Backward(autograd.SumAll(autograd.Mul(out, tape.Const(gradOutput))))
}

func TestGolden(t *testing.T) {
	files, err := golden.Files()
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files in %s: %v", golden.Dir(), err)
	}
	t.Logf("golden folder: %s", golden.Dir())
	for _, name := range files {
		if where, ok := checkedElsewhere[name]; ok {
			t.Logf("%-40s checked by %s", name, where)
			continue
		}
		check, ok := goldenChecks[name]
		if !ok {
			if !slices.Contains(pendingGolden, name) {
				t.Errorf("%s: no check registered and not listed as pending", name)
			}
			continue
		}
		t.Run(name, func(t *testing.T) {
			f, err := golden.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			c := &checker{t: t, file: f}
			check(c)
			t.Logf("%-40s worst error %.2e", name, c.worst)
		})
	}
}

func TestGoldenRegistry(t *testing.T) {
	for _, name := range pendingGolden {
		if _, ok := goldenChecks[name]; ok {
			t.Errorf("%s has a check but is still listed as pending", name)
		}
	}
	t.Logf("%d golden files checked, %d pending: %v", len(goldenChecks), len(pendingGolden),
		pendingGolden)
}

func TestGoldenCompareCanFail(t *testing.T) {
	if _, err := golden.Compare("x", []float64{1, 2}, []float64{1, 2 + 1e-4}); err == nil {
		t.Error("Compare accepted an error of 1e-4")
	}
	if _, err := golden.Compare("x", []float64{math.NaN()}, []float64{1}); err == nil {
		t.Error("Compare accepted NaN")
	}
	if _, err := golden.Compare("x", []float64{1}, []float64{1, 2}); err == nil {
		t.Error("Compare accepted a length mismatch")
	}
}

package nn

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// torchSummary is how testdata/ppnet_torch_reference.json stores a tensor: its sum, its
// sum of squares and a few elements.
type torchSummary struct {
	Sum    float64   `json:"sum"`
	SumSq  float64   `json:"sumsq"`
	Index  []int     `json:"index"`
	Values []float64 `json:"values"`
}

// torchCase is one case of the reference file (see bench/step/ppnet_reference_values.py).
type torchCase struct {
	Config struct {
		In, Classes, Base, Heads int
		Norm                     string
	} `json:"config"`
	InputShape []int                   `json:"input_shape"`
	Train      bool                    `json:"train"`
	Loss       float64                 `json:"loss"`
	Heads      []torchSummary          `json:"heads"`
	GradInput  torchSummary            `json:"grad_input"`
	Grads      map[string]torchSummary `json:"grads"`
	Buffers    map[string][]float64    `json:"buffers"`
}

// formulaWave is sin(0.37 i + 0.61 e + 0.2) cos(0.11 i + e), the closed form from which
// the reference script builds the weights of entry e.
func formulaWave(i, e int) float64 {
	return math.Sin(0.37*float64(i)+0.61*float64(e)+0.2) * math.Cos(0.11*float64(i)+float64(e))
}

// setFormulaParams gives every parameter the script's closed-form value.
func setFormulaParams(p *Params[float64]) {
	for e, entry := range p.Entries {
		data := p.Tensor(e).Data
		for i := range data {
			wave := formulaWave(i, e)
			switch {
			case len(entry.Shape) == 5:
				data[i] = 2 * math.Sqrt(2/float64(convFanIn(entry.Shape))) * wave
			case strings.HasSuffix(entry.Name, ".1.weight"):
				data[i] = 1 + 0.1*wave
			default:
				data[i] = 0.1 * wave
			}
		}
	}
}

// formulaTensor returns f(i) for every flat index i of a tensor of the given shape.
func formulaTensor(f func(i float64) float64, shape ...int) *tensor.Tensor[float64] {
	t := tensor.Zeros[float64](shape...)
	for i := range t.Data {
		t.Data[i] = f(float64(i))
	}
	return t
}

// compareSummary checks got against a stored summary with relative tolerance tol.
func compareSummary(t *testing.T, name string, got []float64, want torchSummary,
	tol float64) float64 {
	t.Helper()
	sum, sumSq, scale := 0.0, 0.0, 1.0
	for _, v := range got {
		sum, sumSq = sum+v, sumSq+v*v
	}
	scale = max(scale, math.Sqrt(want.SumSq/float64(len(got))))
	checks := [][2]float64{{sum, want.Sum}, {sumSq, want.SumSq}}
	for k, i := range want.Index {
		checks = append(checks, [2]float64{got[i], want.Values[k]})
	}
	worst := 0.0
	for k, c := range checks {
		s := scale
		if k < 2 {
			s = max(1, math.Abs(c[1]))
		}
		err := math.Abs(c[0]-c[1]) / s
		worst = max(worst, err)
		if !(err <= tol) {
			t.Errorf("%s: check %d: got %.12g, want %.12g", name, k, c[0], c[1])
		}
	}
	return worst
}

// TestPPNetMatchesPyTorch runs the PyTorch twin's two reference cases (instance norm,
// S = 4, inference; batch norm, S = 5, training, no perturbation) with the same
// closed-form weights and input, and compares every head's logits, the gradients of
// L = sum_s sum(logits_s * r_s) for the input and every parameter entry, and the
// running statistics.
func TestPPNetMatchesPyTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/ppnet_torch_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Cases map[string]torchCase }
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	for name, c := range file.Cases {
		t.Run(name, func(t *testing.T) { checkTorchCase(t, c) })
	}
}

func checkTorchCase(t *testing.T, c torchCase) {
	cfg := PPNetConfig{InChannels: c.Config.In, Classes: c.Config.Classes, Base: c.Config.Base,
		Heads: c.Config.Heads, Norm: c.Config.Norm, Perturb: PerturbNone}
	m, err := NewPPNet[float64](cfg, tensor.NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	setFormulaParams(m.Params)
	tape := autograd.NewTape[float64]()
	x := tape.Leaf(formulaTensor(func(i float64) float64 {
		return math.Sin(0.05*i) + 0.5*math.Cos(0.13*i+1)
	}, c.InputShape...))
	logits, err := m.Forward(tape, x, c.Train, nil)
	if err != nil {
		t.Fatal(err)
	}
	var loss *autograd.Value[float64]
	for s, l := range logits {
		r := formulaTensor(func(i float64) float64 { return math.Cos(0.29*i + float64(s)) },
			l.Data.Shape...)
		term := autograd.SumAll(autograd.Mul(l, tape.Const(r)))
		if loss == nil {
			loss = term
		} else {
			loss = autograd.Add(loss, term)
		}
	}
	tape.Backward(loss)

	const tol = 1e-9
	worst := compareSummary(t, "loss", []float64{loss.Data.Item()},
		torchSummary{Sum: c.Loss, SumSq: c.Loss * c.Loss}, tol)
	for s, l := range logits {
		worst = max(worst, compareSummary(t, "head", l.Data.Data, c.Heads[s], tol))
	}
	worst = max(worst, compareSummary(t, "grad input", x.Grad.Data, c.GradInput, tol))
	for i, e := range m.Params.Entries {
		want, ok := c.Grads[e.Name]
		if !ok {
			t.Fatalf("no reference gradient for %s", e.Name)
		}
		grad := m.Params.GradTensor(i).Data
		worst = max(worst, compareSummary(t, "grad "+e.Name, grad, want, tol))
	}
	for name, want := range c.Buffers {
		i, ok := m.Buffers.Index(name)
		if !ok {
			t.Fatalf("no buffer %s", name)
		}
		for k, v := range m.Buffers.Tensor(i).Data {
			worst = max(worst, math.Abs(v-want[k]))
		}
	}
	t.Logf("%d heads, %d parameter entries, %d buffers: worst relative error %.2e",
		len(logits), len(m.Params.Entries), len(c.Buffers), worst)
}

package urpc

import (
	"fmt"
	"math"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
	"github.com/urpc-go/urpc/tests/golden"
)

// goldenHeads loads the four heads' logits and the labels of urpc_inputs.json.
func goldenHeads(t *testing.T) ([]*tensor.Tensor[float64], []int64) {
	t.Helper()
	f, err := golden.Load("urpc_inputs.json")
	if err != nil {
		t.Fatal(err)
	}
	var heads []*tensor.Tensor[float64]
	for s := range 4 {
		z, err := f.Tensor(fmt.Sprintf("logits_s%d", s))
		if err != nil {
			t.Fatal(err)
		}
		heads = append(heads, z)
	}
	y, err := f.Tensor("labels")
	if err != nil {
		t.Fatal(err)
	}
	labels := make([]int64, len(y.Data))
	for i, v := range y.Data {
		labels[i] = int64(v)
	}
	return heads, labels
}

// runLoss evaluates Loss in precision T on the heads and returns its terms and the
// heads' gradients, as float64.
func runLoss[T tensor.Float, L Label](heads []*tensor.Tensor[float64], labels []L,
	labeledBS int, cfg Config) ([]Term, []*tensor.Tensor[float64]) {
	tape := autograd.NewTape[T]()
	leaves := make([]*autograd.Value[T], len(heads))
	for s, z := range heads {
		leaves[s] = tape.Leaf(tensor.Convert[T](z))
	}
	result := Loss(leaves, labels, labeledBS, 0.03, cfg)
	terms := result.Explain()
	tape.Backward(result.Total)
	grads := make([]*tensor.Tensor[float64], len(heads))
	for s, leaf := range leaves {
		grads[s] = tensor.Convert[float64](leaf.Grad)
	}
	return terms, grads
}

// maxRelativeGap returns max_i |a_i - b_i| / max(max_i |b_i|, tiny) over two lists.
func maxRelativeGap(a, b []float64) float64 {
	scale, gap := 1e-30, 0.0
	for i := range b {
		scale = max(scale, math.Abs(b[i]))
		gap = max(gap, math.Abs(a[i]-b[i]))
	}
	return gap / scale
}

func TestFloat32AgreesWithFloat64(t *testing.T) {
	heads, labels := goldenHeads(t)
	for _, cfg := range []Config{DefaultConfig(), CodeConfig()} {
		terms64, grads64 := runLoss[float64](heads, labels, 1, cfg)
		terms32, grads32 := runLoss[float32](heads, labels, 1, cfg)
		worstTerm := 0.0
		for i, want := range terms64 {
			got := terms32[i].Value
			gap := math.Abs(got-want.Value) / max(math.Abs(want.Value), 1e-30)
			if gap > 1e-5 {
				t.Errorf("form %v: %s float32 %.9g, float64 %.9g (relative gap %.1e)",
					cfg.Form, want, got, want.Value, gap)
			}
			worstTerm = max(worstTerm, gap)
		}
		worstGrad := 0.0
		for s := range grads64 {
			worstGrad = max(worstGrad, maxRelativeGap(grads32[s].Data, grads64[s].Data))
		}
		if worstGrad > 1e-5 {
			t.Errorf("form %v: float32 gradients differ by %.1e of their largest", cfg.Form,
				worstGrad)
		}
		t.Logf("form %v: %d terms, worst relative gap %.1e; gradients %.1e", cfg.Form,
			len(terms64), worstTerm, worstGrad)
	}
}

func TestFloat32ExtremeLogitsStayFinite(t *testing.T) {
	heads := randomHeads(90, 4, []int{2, 3, 4, 4, 4})
	withGaps(heads, 200, 91)
	labels := randomLabels(92, 2*64, 3)
	for _, cfg := range []Config{DefaultConfig(), CodeConfig()} {
		terms32, grads32 := runLoss[float32](heads, labels, 1, cfg)
		terms64, _ := runLoss[float64](heads, labels, 1, cfg)
		for i, term := range terms32 {
			if !allFinite([]float64{term.Value}) {
				t.Errorf("form %v: %s is not finite", cfg.Form, term)
			}
			gap := math.Abs(term.Value-terms64[i].Value) / max(math.Abs(terms64[i].Value), 1)
			if gap > 1e-5 {
				t.Errorf("form %v: %s float32 %.9g, float64 %.9g", cfg.Form, term.Name,
					term.Value, terms64[i].Value)
			}
		}
		for s, g := range grads32 {
			if !allFinite(g.Data) {
				t.Errorf("form %v: gradient of head %d is not finite", cfg.Form, s)
			}
		}
	}

	// The reference code's log(softmax(z)) is what this package avoids: at a gap of
	// 200 it is -Inf in float32.
	z := tensor.FromSlice([]float32{200, 0, 0}, 1, 3)
	if naive := tensor.Log(tensor.Softmax(z, 1)).Data[1]; !math.IsInf(float64(naive), -1) {
		t.Errorf("log(softmax) of a gap of 200 is %v in float32; the test premise fails", naive)
	}
}

func TestHandDerivedUniformLogits(t *testing.T) {
	// Logits 0 give p = 1/3 everywhere. Two voxels, labels {0, 1}, C = 3:
	// CE = log 3; Dice_c = 1 - (2 I_c + eps) / (P_c + Y_c + eps) with P_c = 2/9,
	// I_0 = I_1 = 1/3, Y_0 = Y_1 = 1, I_2 = Y_2 = 0.
	tape := autograd.NewTape[float64]()
	z := tape.Leaf(tensor.Zeros[float64](1, 3, 2))
	labels := []uint8{0, 1}
	ce := CrossEntropy(z, labels).Data.Item()
	dice := SoftDiceLoss(autograd.Softmax(z, 1), labels).Data.Item()
	present := 1 - (2.0/3+1e-5)/(2.0/9+1+1e-5)
	absent := 1 - 1e-5/(2.0/9+1e-5)
	wantDice := (2*present + absent) / 3
	if math.Abs(ce-math.Log(3)) > 1e-15 || math.Abs(dice-wantDice) > 1e-15 {
		t.Errorf("CE %v (want log 3 = %v), Dice %v (want %v)", ce, math.Log(3), dice, wantDice)
	}
}

func TestSingleHeadHasNoUnsupervisedLoss(t *testing.T) {
	tape := autograd.NewTape[float64]()
	heads := []*autograd.Value[float64]{tape.Leaf(randomHeads(93, 1, smallShape)[0])}
	for _, cfg := range []Config{DefaultConfig(), CodeConfig()} {
		if l := UnsupervisedLoss(heads, cfg).Loss.Data.Item(); math.Abs(l) > 1e-15 {
			t.Errorf("form %v: one head gives Lunsup %v, want 0 (p_c = p_0)", cfg.Form, l)
		}
	}
}

func TestFloat32SumsOverManyVoxels(t *testing.T) {
	// 2 x 32^3 voxels: a float32 running sum would drift by about 1e-5 here.
	heads := randomHeads(110, 2, []int{2, 3, 32, 32, 32})
	labels := randomLabels(111, 2*32*32*32, 3)
	for _, cfg := range []Config{DefaultConfig(), CodeConfig()} {
		terms64, _ := runLoss[float64](heads, labels, 1, cfg)
		terms32, _ := runLoss[float32](heads, labels, 1, cfg)
		worst := 0.0
		for i, want := range terms64 {
			gap := math.Abs(terms32[i].Value-want.Value) / math.Abs(want.Value)
			if gap > 1e-6 {
				t.Errorf("form %v: %s float32 %.9g (relative gap %.1e)", cfg.Form, want,
					terms32[i].Value, gap)
			}
			worst = max(worst, gap)
		}
		t.Logf("form %v: worst relative gap %.1e over %d terms", cfg.Form, worst, len(terms64))
	}
}

// LogMeanPrediction switches to the shifted form below underflowGuard; on both sides
// of the switch it must agree with log((1/S) sum_s exp(log p_s)) taken around the
// largest term.
func TestLogMeanPredictionAcrossUnderflowGuard(t *testing.T) {
	levels := []float64{-1, -60, -68.9, -69.1, -75, -100, -700, -800}
	tape := autograd.NewTape[float64]()
	heads := make([]*autograd.Value[float64], 3)
	for s := range heads {
		data := make([]float64, len(levels))
		for i, level := range levels {
			data[i] = level - 0.5*float64(s*i%3)
		}
		heads[s] = tape.Leaf(tensor.FromSlice(data, 1, 1, len(levels)))
	}
	got := LogMeanPrediction(heads).Data.Data
	for i := range levels {
		peak := math.Inf(-1)
		for _, h := range heads {
			peak = max(peak, h.Data.Data[i])
		}
		total := 0.0
		for _, h := range heads {
			total += math.Exp(h.Data.Data[i] - peak)
		}
		want := peak + math.Log(total/3)
		if math.Abs(got[i]-want) > 1e-13*math.Abs(want) {
			t.Errorf("log p_c at log p ~ %v: %v, want %v", levels[i], got[i], want)
		}
	}
}

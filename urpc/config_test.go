package urpc

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// leavesOf returns leaves of the tensors on a new tape.
func leavesOf(heads []*tensor.Tensor[float64]) []*autograd.Value[float64] {
	tape := autograd.NewTape[float64]()
	leaves := make([]*autograd.Value[float64], len(heads))
	for s, z := range heads {
		leaves[s] = tape.Leaf(z.Clone())
	}
	return leaves
}

func TestSwitchesSelectTerms(t *testing.T) {
	heads := randomHeads(100, 3, smallShape)
	for _, base := range []Config{DefaultConfig(), CodeConfig()} {
		plain := base
		plain.Rectify, plain.Minimise = false, false
		un := UnsupervisedLoss(leavesOf(heads), plain)
		if un.Minimisation != nil || un.Loss != un.Consistency {
			t.Errorf("form %v: without UM the loss must be the consistency alone", base.Form)
		}

		// Without rectification the consistency is Eq. 3, which is UR with w = 1 (and,
		// in the code form, without the 1e-8).
		leaves := leavesOf(heads)
		lpyc := un.Consistency.Data.Item()
		ones := make([]*autograd.Value[float64], len(heads))
		sq := make([]*autograd.Value[float64], len(heads))
		probs := Probabilities([]*autograd.Value[float64]{autograd.LogSoftmax(leaves[0], 1),
			autograd.LogSoftmax(leaves[1], 1), autograd.LogSoftmax(leaves[2], 1)})
		for s := range heads {
			sq[s] = SquaredDistance(probs[s], MeanPrediction(probs))
			ones[s] = leaves[0].Tape().Const(tensor.Full[float64](1, sq[s].Shape()...))
		}
		paperForm := DefaultConfig()
		paperForm.Form = base.Form
		ur, _ := RectifiedConsistency(sq, ones, 3, paperForm)
		if math.Abs(ur.Data.Item()-lpyc) > 1e-7*lpyc {
			t.Errorf("form %v: Eq. 3 gives %v, UR with unit weights %v", base.Form, lpyc,
				ur.Data.Item())
		}

		full := UnsupervisedLoss(leavesOf(heads), base)
		sum := full.Consistency.Data.Item() + full.Minimisation.Data.Item()
		if math.Abs(full.Loss.Data.Item()-sum) > 1e-15 || full.Consistency.Data.Item() >= lpyc {
			t.Errorf("form %v: Lunsup %v, UR + UM %v, UR %v not below Lpyc %v", base.Form,
				full.Loss.Data.Item(), sum, full.Consistency.Data.Item(), lpyc)
		}
	}
}

func TestKLDirectionsDiffer(t *testing.T) {
	heads := randomHeads(101, 3, smallShape)
	cfg := DefaultConfig()
	paper := UnsupervisedLoss(leavesOf(heads), cfg).Minimisation.Data.Item()
	cfg.KL = KLCode
	code := UnsupervisedLoss(leavesOf(heads), cfg).Minimisation.Data.Item()
	if paper <= 0 || code <= 0 || math.Abs(paper-code) < 1e-6*paper {
		t.Errorf("UM with KL(p_s||p_c) %v and KL(p_c||p_s) %v: want two positive, different",
			paper, code)
	}
}

func TestLossSplitsTheBatch(t *testing.T) {
	heads := randomHeads(102, 2, []int{3, 3, 2, 2, 2})
	labels := randomLabels(103, 3*8, 3)
	cfg := DefaultConfig()

	mixed := Loss(leavesOf(heads), labels, 2, 0.5, cfg)
	short := Loss(leavesOf(heads), labels[:2*8], 2, 0.5, cfg)
	sup := SupervisedLoss(leavesOf(sliceHeads(heads, 0, 2)), labels[:2*8])
	unsup := UnsupervisedLoss(leavesOf(sliceHeads(heads, 2, 3)), cfg)
	want := sup.Loss.Data.Item() + 0.5*unsup.Loss.Data.Item()
	for _, got := range []float64{mixed.Total.Data.Item(), short.Total.Data.Item()} {
		if math.Abs(got-want) > 1e-14 {
			t.Errorf("Ltotal %v, want Lsup(0:2) + 0.5 Lunsup(2:3) = %v", got, want)
		}
	}

	if r := Loss(leavesOf(heads), labels, 3, 0.5, cfg); r.Unsupervised != nil ||
		r.Total != r.Supervised.Loss {
		t.Error("labeledBS = N must give the supervised loss alone")
	}
	if r := Loss(leavesOf(heads), []uint8{}, 0, 0.5, cfg); r.Supervised != nil {
		t.Error("labeledBS = 0 must give no supervised loss")
	}
}

// sliceHeads returns samples [from, to) of every head.
func sliceHeads(heads []*tensor.Tensor[float64], from, to int) []*tensor.Tensor[float64] {
	out := make([]*tensor.Tensor[float64], len(heads))
	for s, z := range heads {
		end := slices.Clone(z.Shape)
		end[0] = to
		out[s] = tensor.Slice(z, []int{from, 0, 0, 0, 0}, end)
	}
	return out
}

func TestLabelTypesAgree(t *testing.T) {
	heads := randomHeads(104, 2, smallShape)
	small := randomLabels(105, 2*12, 3)
	wide := make([]int64, len(small))
	for i, y := range small {
		wide[i] = int64(y)
	}
	a := Loss(leavesOf(heads), small, 1, 0.1, CodeConfig()).Total.Data.Item()
	b := Loss(leavesOf(heads), wide, 1, 0.1, CodeConfig()).Total.Data.Item()
	if a != b {
		t.Errorf("uint8 labels give %v, int64 labels %v", a, b)
	}
}

func TestExplainNamesEveryFunction(t *testing.T) {
	heads := randomHeads(106, 4, smallShape)
	result := Loss(leavesOf(heads), randomLabels(107, 24, 3), 1, 0.1, DefaultConfig())
	var text strings.Builder
	for _, term := range result.Explain() {
		text.WriteString(term.String() + "\n")
	}
	for _, name := range []string{"SoftDiceLoss", "CrossEntropy", "SupervisedLoss",
		"MeanPrediction", "SquaredDistance",
		"Uncertainty", "UncertaintyWeights", "RectifiedConsistency",
		"UncertaintyMinimisation", "UnsupervisedLoss", "Ramp.Lambda", "TotalLoss"} {
		if !strings.Contains(text.String(), "urpc."+name+"\n") {
			t.Errorf("Explain does not name urpc.%s:\n%s", name, text.String())
		}
	}
	if last := result.Explain()[len(result.Explain())-1]; last.Value != result.Total.Data.Item() {
		t.Errorf("the last term is %v, want Ltotal", last)
	}
	t.Logf("Explain (S = 4, 1 labelled + 1 unlabelled):\n%s", text.String())
}

// mustPanic fails unless f panics with a message starting with "urpc:".
func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		msg, _ := recover().(string)
		if !strings.HasPrefix(msg, "urpc:") {
			t.Errorf("%s: panic %q, want one starting with urpc:", what, msg)
		}
	}()
	f()
}

func TestMisusePanics(t *testing.T) {
	heads := leavesOf(randomHeads(108, 2, smallShape))
	other := leavesOf([]*tensor.Tensor[float64]{tensor.Zeros[float64](2, 3, 2, 2, 2)})
	labels := randomLabels(109, 24, 3)
	mustPanic(t, "label out of range", func() { CrossEntropy(heads[0], []uint8{3}) })
	mustPanic(t, "label count", func() { SoftDiceLoss(heads[0], labels[:5]) })
	mustPanic(t, "label 3 of C = 3", func() {
		bad := slices.Clone(labels)
		bad[7] = 3
		CrossEntropy(heads[0], bad)
	})
	mustPanic(t, "heads of two shapes", func() {
		UnsupervisedLoss(append(heads[:1:1], other...), DefaultConfig())
	})
	mustPanic(t, "no heads", func() { SupervisedLoss[float64](nil, labels) })
	mustPanic(t, "labeledBS", func() { Loss(heads, labels, 3, 0.1, DefaultConfig()) })
	mustPanic(t, "global UR in code form", func() {
		cfg := CodeConfig()
		cfg.URNorm = URGlobal
		UnsupervisedLoss(heads, cfg)
	})
	mustPanic(t, "rank 1", func() {
		CrossEntropy(other[0].Tape().Leaf(tensor.Zeros[float64](3)),
			[]uint8{0})
	})
}

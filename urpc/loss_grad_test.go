package urpc

import (
	"fmt"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/autograd/autogradtest"
	"github.com/urpc-go/urpc/tensor"
)

// smallShape is the [N, C, D, H, W] shape of the gradient checks.
var smallShape = []int{2, 3, 2, 2, 3}

// amplified returns 100 loss. The gradients of these losses are about 1e-2, and the
// checker's error is absolute below 1, so the checks run on 100 times the loss to
// keep its 1e-6 threshold sensitive to a relative gradient error of about 1e-6.
func amplified(loss *autograd.Value[float64]) *autograd.Value[float64] {
	return autograd.Scale(loss, 100)
}

// randomLabels returns count seeded class indices below classes.
func randomLabels(seed uint64, count, classes int) []uint8 {
	rng := tensor.NewRNG(seed)
	labels := make([]uint8, count)
	for i := range labels {
		labels[i] = uint8(rng.IntN(classes))
	}
	return labels
}

// randomHeads returns S seeded standard-normal logits of the given shape.
func randomHeads(seed uint64, scales int, shape []int) []*tensor.Tensor[float64] {
	heads := make([]*tensor.Tensor[float64], scales)
	for s := range heads {
		heads[s] = autogradtest.Rand(seed+uint64(s), shape...)
	}
	return heads
}

// withGaps adds gap to one class per voxel (chosen at random per head), so that the
// other classes' probabilities are about exp(-gap).
func withGaps(heads []*tensor.Tensor[float64], gap float64, seed uint64) {
	n, c, v := classLayout("withGaps", heads[0].Shape)
	for s, z := range heads {
		winners := randomLabels(seed+uint64(s), n*v, c)
		for i := range n {
			for k := range v {
				z.Data[(i*c+int(winners[i*v+k]))*v+k] += gap
			}
		}
	}
}

func TestGradCrossEntropy(t *testing.T) {
	labels := randomLabels(1, 2*12, 3)
	autogradtest.Check(t, "cross_entropy", func(_ *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		return amplified(CrossEntropy(in[0], labels))
	}, autogradtest.Rand(2, smallShape...))
}

func TestGradNegativeLogLikelihood(t *testing.T) {
	labels := randomLabels(11, 2*12, 3)
	autogradtest.Check(t, "nll", func(_ *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		return amplified(NegativeLogLikelihood(in[0], labels))
	}, tensor.LogSoftmax(autogradtest.Rand(12, smallShape...), 1))
}

func TestGradSoftDiceLoss(t *testing.T) {
	labels := randomLabels(3, 2*12, 3)
	probs := tensor.Softmax(autogradtest.Rand(4, smallShape...), 1)
	autogradtest.Check(t, "soft_dice", func(_ *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		return amplified(SoftDiceLoss(in[0], labels))
	}, probs)

	absent := make([]uint8, len(labels))
	for i, y := range labels {
		absent[i] = y % 2
	}
	autogradtest.Check(t, "soft_dice (class 2 absent)", func(_ *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		return amplified(SoftDiceLoss(autograd.Softmax(in[0], 1), absent))
	}, autogradtest.Rand(5, smallShape...))
}

func TestGradLogMeanPrediction(t *testing.T) {
	autogradtest.Check(t, "log_mean_prediction", func(_ *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		logProbs := []*autograd.Value[float64]{autograd.LogSoftmax(in[0], 1),
			autograd.LogSoftmax(in[1], 1)}
		// The first head enters twice on purpose: its gradients must accumulate.
		return LogMeanPrediction(append(logProbs, logProbs[0]))
	}, randomHeads(6, 2, smallShape)...)
}

func TestGradSumAndMean(t *testing.T) {
	autogradtest.Check(t, "sum_all + mean_all", func(_ *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		// in[0] enters twice on purpose: its gradients must accumulate.
		return autograd.Add(sumAll(in[0]), meanAll(autograd.Square(in[0])))
	}, autogradtest.Rand(13, smallShape...))
}

func TestGradSquaredDistance(t *testing.T) {
	autogradtest.Check(t, "squared_distance", func(_ *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		return SquaredDistance(in[0], in[1])
	}, randomHeads(8, 2, smallShape)...)
}

func TestGradUncertainty(t *testing.T) {
	for _, direction := range []KLDirection{KLPaper, KLCode} {
		autogradtest.Check(t, "uncertainty KL "+direction.String(), func(
			_ *autograd.Tape[float64], in []*autograd.Value[float64]) *autograd.Value[float64] {
			logProbs := make([]*autograd.Value[float64], len(in))
			for s, z := range in {
				logProbs[s] = autograd.LogSoftmax(z, 1)
			}
			return Uncertainty(logProbs[1], LogMeanPrediction(logProbs), direction)
		}, randomHeads(10, 3, smallShape)...)
	}
}

// unsupervisedTerm builds one term of Eq. 3-5 from the heads' logits.
type unsupervisedTerm func(heads []*autograd.Value[float64]) *autograd.Value[float64]

// namedTerm is one term of Eq. 3-5 built from the heads' logits.
type namedTerm struct {
	name string
	f    unsupervisedTerm
}

// unsupervisedTerms returns every term of Eq. 3-5 for cfg.
func unsupervisedTerms(cfg Config) []namedTerm {
	return []namedTerm{
		{"Lunsup", func(h []*autograd.Value[float64]) *autograd.Value[float64] {
			return UnsupervisedLoss(h, cfg).Loss
		}},
		{"consistency", func(h []*autograd.Value[float64]) *autograd.Value[float64] {
			return UnsupervisedLoss(h, cfg).Consistency
		}},
		{"UM", func(h []*autograd.Value[float64]) *autograd.Value[float64] {
			return UnsupervisedLoss(h, cfg).Minimisation
		}},
	}
}

func TestGradUnsupervisedTerms(t *testing.T) {
	configs := map[string]Config{"paper": DefaultConfig(), "code": CodeConfig()}
	for _, name := range []string{"paper", "code"} {
		for _, rectify := range []bool{true, false} {
			cfg := configs[name]
			cfg.Rectify = rectify
			for scales := 2; scales <= 4; scales++ {
				heads := randomHeads(uint64(20+scales), scales, smallShape)
				for _, term := range unsupervisedTerms(cfg) {
					f := term.f
					op := fmt.Sprintf("%s form=%s UR=%v S=%d", term.name, name, rectify, scales)
					autogradtest.Check(t, op, func(_ *autograd.Tape[float64],
						in []*autograd.Value[float64]) *autograd.Value[float64] {
						return amplified(f(in))
					}, heads...)
				}
			}
		}
	}
}

func TestGradUnsupervisedVariants(t *testing.T) {
	for _, reduction := range []UMReduction{UMSum, UMSquaredSum} {
		cfg := DefaultConfig()
		cfg.URNorm, cfg.UMReduce = URGlobal, reduction
		heads := randomHeads(30, 3, smallShape)
		autogradtest.Check(t, fmt.Sprintf("Lunsup UR_global UM=%d", reduction), func(
			_ *autograd.Tape[float64], in []*autograd.Value[float64]) *autograd.Value[float64] {
			return amplified(UnsupervisedLoss(in, cfg).Loss)
		}, heads...)
	}
}

func TestGradSupervisedLoss(t *testing.T) {
	for scales := 2; scales <= 4; scales++ {
		labels := randomLabels(uint64(40+scales), 2*12, 3)
		autogradtest.Check(t, fmt.Sprintf("Lsup S=%d", scales), func(
			_ *autograd.Tape[float64], in []*autograd.Value[float64]) *autograd.Value[float64] {
			return amplified(SupervisedLoss(in, labels).Loss)
		}, randomHeads(uint64(50+scales), scales, smallShape)...)
	}
}

// checkTotal gradient-checks factor Ltotal of Loss on heads with one labelled sample.
func checkTotal(t *testing.T, op string, heads []*tensor.Tensor[float64], cfg Config,
	factor float64) {
	t.Helper()
	labels := randomLabels(60, 2*12, 3)
	autogradtest.Check(t, op, func(_ *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		result := Loss(in, labels, 1, 0.3, cfg)
		if !allFinite(result.Total.Data.Data) {
			t.Fatalf("%s: total %v is not finite", op, result.Total.Data.Data)
		}
		return autograd.Scale(result.Total, factor)
	}, heads...)
}

func TestGradTotalLoss(t *testing.T) {
	for _, cfg := range []Config{DefaultConfig(), CodeConfig()} {
		for scales := 2; scales <= 4; scales++ {
			op := fmt.Sprintf("Ltotal form=%v S=%d", cfg.Form, scales)
			checkTotal(t, op, randomHeads(uint64(70+scales), scales, smallShape), cfg, 100)
		}
	}
}

func TestGradTotalLossLargeLogitGaps(t *testing.T) {
	for _, cfg := range []Config{DefaultConfig(), CodeConfig()} {
		heads := randomHeads(80, 4, smallShape)
		withGaps(heads, 100, 81)
		// Not amplified: the cross-entropy is about 50 here, and the finite differences'
		// round-off grows with the loss.
		checkTotal(t, fmt.Sprintf("Ltotal gap=100 form=%v", cfg.Form), heads, cfg, 1)
	}
}

func TestGradMeanPrediction(t *testing.T) {
	autogradtest.Check(t, "mean_prediction", func(_ *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		// The first head enters twice in a row on purpose: the gradient tensor handed
		// over (owned) must not be one that later heads still read.
		return MeanPrediction([]*autograd.Value[float64]{in[0], in[0], in[1]})
	}, randomHeads(14, 2, smallShape)...)
}

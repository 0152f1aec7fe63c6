package urpc

import (
	"fmt"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// Label is the element type of a label map: one class index per voxel.
type Label interface {
	~uint8 | ~int | ~int32 | ~int64
}

// diceSmooth is the smoothing term of the soft Dice loss (SSL4MIS DiceLoss), added to
// both the numerator and the denominator.
const diceSmooth = 1e-5

// classLayout splits a [N, C, D, H, W] (or any [N, C, ...]) shape into the batch size,
// the number of classes and the voxels per sample.
func classLayout(op string, shape []int) (n, c, v int) {
	if len(shape) < 2 || shape[1] < 1 {
		panic(fmt.Sprintf("urpc: %s needs [N, C, ...] with C >= 1, got shape %v", op, shape))
	}
	return shape[0], shape[1], tensor.Numel(shape[2:])
}

// checkLabels panics unless labels is an [N, D, H, W] map of indices in [0, C) for
// a tensor of the given [N, C, D, H, W] shape.
func checkLabels[L Label](op string, shape []int, labels []L) {
	n, c, v := classLayout(op, shape)
	if len(labels) != n*v {
		panic(fmt.Sprintf("urpc: %s: %d labels for shape %v (want N*D*H*W = %d)",
			op, len(labels), shape, n*v))
	}
	for _, y := range labels {
		if int64(y) < 0 || int64(y) >= int64(c) {
			panic(fmt.Sprintf("urpc: %s: label %d out of range for shape %v", op, int64(y), shape))
		}
	}
	if n*v == 0 {
		panic(fmt.Sprintf("urpc: %s of an empty batch, shape %v", op, shape))
	}
}

// CrossEntropy returns the mean cross-entropy of Eq. 1 over all labelled voxels,
// CE = -(1/(N V)) sum_{n,v} log softmax(z)[n, y_nv, v], for logits z [N, C, D, H, W]
// and labels y [N, D, H, W]: NegativeLogLikelihood of autograd.LogSoftmax, whose
// backward together is dCE/dz = (softmax(z) - onehot(y)) / (N V).
func CrossEntropy[T tensor.Float, L Label](logits *autograd.Value[T],
	labels []L) *autograd.Value[T] {
	classLayout("CrossEntropy", logits.Shape())
	return NegativeLogLikelihood(autograd.LogSoftmax(logits, 1), labels)
}

// NegativeLogLikelihood returns -(1/(N V)) sum_{n,v} logProbs[n, y_nv, v], the
// cross-entropy of Eq. 1 given log-probabilities [N, C, D, H, W] (from log-softmax)
// and labels y [N, D, H, W]. Backward: dlogProbs[n, y_nv, v] -= g / (N V).
func NegativeLogLikelihood[T tensor.Float, L Label](logProbs *autograd.Value[T],
	labels []L) *autograd.Value[T] {
	checkLabels("NegativeLogLikelihood", logProbs.Shape(), labels)
	n, c, v := classLayout("NegativeLogLikelihood", logProbs.Shape())

	total := 0.0
	for i := range n {
		for k := range v {
			total -= float64(logProbs.Data.Data[(i*c+int(labels[i*v+k]))*v+k])
		}
	}
	count := float64(n * v)

	out := tensor.Scalar(T(total / count))
	return logProbs.Tape().Record("nll", out, []*autograd.Value[T]{logProbs},
		func(g *tensor.Tensor[T]) {
			grad := logProbs.GradBuffer().Data
			step := T(-float64(g.Data[0]) / count)
			for i := range n {
				for k := range v {
					grad[(i*c+int(labels[i*v+k]))*v+k] += step
				}
			}
		})
}

// diceStatistics holds, per class c, the sums of the soft Dice loss over the batch:
// the overlap sum p_c y_c and the denominator sum p_c^2 + sum y_c^2.
type diceStatistics struct {
	overlap, denominator []float64
}

// computeDiceStatistics sums the Dice terms of probs [N, C, D, H, W] against labels.
func computeDiceStatistics[T tensor.Float, L Label](probs *tensor.Tensor[T],
	labels []L) diceStatistics {
	n, c, v := classLayout("SoftDiceLoss", probs.Shape)
	stats := diceStatistics{make([]float64, c), make([]float64, c)}
	for i := range n {
		for j := range c {
			row := probs.Data[(i*c+j)*v : (i*c+j+1)*v]
			for k, p := range row {
				pk := float64(p)
				stats.denominator[j] += pk * pk
				if int(labels[i*v+k]) == j {
					stats.overlap[j] += pk
					stats.denominator[j]++
				}
			}
		}
	}
	return stats
}

// term returns the Dice loss term of class j: 1 - (2 I + eps) / (P + Y + eps).
func (s diceStatistics) term(j int) float64 {
	return 1 - (2*s.overlap[j]+diceSmooth)/(s.denominator[j]+diceSmooth)
}

// SoftDiceTerms returns the per-class terms of SoftDiceLoss (their mean is the loss).
func SoftDiceTerms[T tensor.Float, L Label](probs *tensor.Tensor[T], labels []L) []float64 {
	checkLabels("SoftDiceTerms", probs.Shape, labels)
	stats := computeDiceStatistics(probs, labels)
	terms := make([]float64, len(stats.overlap))
	for j := range terms {
		terms[j] = stats.term(j)
	}
	return terms
}

// SoftDiceLoss returns the soft Dice loss of Eq. 1 in the reference code's form
// (SSL4MIS DiceLoss) for probabilities p [N, C, D, H, W] and labels y [N, D, H, W]:
//
//	Dice = (1/C) sum_c [1 - (2 sum p_c y_c + 1e-5) / (sum p_c^2 + sum y_c^2 + 1e-5)]
//
// with the background class included, squared denominators and every sum taken over
// the whole batch at once. Backward, with I_c, Q_c the overlap and the denominator:
// dDice/dp_c = (1/C) [2 p_c (2 I_c + 1e-5) / Q_c^2 - 2 y_c / Q_c].
func SoftDiceLoss[T tensor.Float, L Label](probs *autograd.Value[T],
	labels []L) *autograd.Value[T] {
	checkLabels("SoftDiceLoss", probs.Shape(), labels)
	n, c, v := classLayout("SoftDiceLoss", probs.Shape())
	stats := computeDiceStatistics(probs.Data, labels)

	loss := 0.0
	for j := range c {
		loss += stats.term(j) / float64(c)
	}

	out := tensor.Scalar(T(loss))
	return probs.Tape().Record("soft_dice", out, []*autograd.Value[T]{probs},
		func(g *tensor.Tensor[T]) {
			grad := tensor.Zeros[T](probs.Shape()...)
			for j := range c {
				den := stats.denominator[j] + diceSmooth
				perP := float64(g.Data[0]) * 2 * (2*stats.overlap[j] + diceSmooth) /
					(den * den * float64(c))
				perY := float64(g.Data[0]) * 2 / (den * float64(c))
				for i := range n {
					at := (i*c + j) * v
					for k := range v {
						d := perP * float64(probs.Data.Data[at+k])
						if int(labels[i*v+k]) == j {
							d -= perY
						}
						grad.Data[at+k] = T(d)
					}
				}
			}
			probs.AccumulateOwnedGrad(grad)
		})
}

// Supervised holds Eq. 1 on the labelled samples: the loss and its terms per scale.
type Supervised[T tensor.Float] struct {
	// Loss is Lsup = (1/S) sum_s (Dice_s + CE_s) / 2, a scalar.
	Loss *autograd.Value[T]
	// Dice and CrossEntropy hold Dice_s and CE_s for s = 0 (finest) ... S-1.
	Dice, CrossEntropy []float64
}

// SupervisedLoss returns Eq. 1, the multi-scale supervised loss of the labelled
// samples: Lsup = (1/S) sum_s (Dice(p_s, y) + CE(z_s, y)) / 2, for the logits z_s
// [N, C, D, H, W] of every head and labels y [N, D, H, W]. For S = 4 it equals the
// reference code's (sum CE + sum Dice) / 8. Each head's log-softmax is computed once
// and feeds both CE and p_s = exp(log p_s).
func SupervisedLoss[T tensor.Float, L Label](logits []*autograd.Value[T],
	labels []L) *Supervised[T] {
	checkHeads("SupervisedLoss", logits)
	sup := &Supervised[T]{}
	terms := make([]*autograd.Value[T], len(logits))
	for s, z := range logits {
		logProbs := autograd.LogSoftmax(z, 1)
		dice := SoftDiceLoss(autograd.Exp(logProbs), labels)
		ce := NegativeLogLikelihood(logProbs, labels)
		terms[s] = autograd.Scale(autograd.Add(dice, ce), 0.5)
		sup.Dice = append(sup.Dice, scalarOf(dice))
		sup.CrossEntropy = append(sup.CrossEntropy, scalarOf(ce))
	}
	sup.Loss = meanOfValues(terms)
	return sup
}

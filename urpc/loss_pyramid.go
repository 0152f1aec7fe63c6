package urpc

import (
	"fmt"
	"math"
	"slices"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// Probabilities returns p_s = exp(log p_s) for the log-softmax values of each head,
// so that every head's probabilities and logarithms share one softmax.
func Probabilities[T tensor.Float](logProbs []*autograd.Value[T]) []*autograd.Value[T] {
	probs := make([]*autograd.Value[T], len(logProbs))
	for s, lp := range logProbs {
		probs[s] = autograd.Exp(lp)
	}
	return probs
}

// MeanPrediction returns Eq. 2, the mean prediction p_c = (1/S) sum_s p_s, for the
// probabilities p_s [N, C, D, H, W] of the S heads. Backward: dp_s += g / S.
func MeanPrediction[T tensor.Float](probs []*autograd.Value[T]) *autograd.Value[T] {
	checkHeads("MeanPrediction", probs)
	out := probs[0].Data.Clone()
	for _, p := range probs[1:] {
		tensor.AddInPlace(out, p.Data)
	}
	share := T(1 / float64(len(probs)))
	tensor.ScaleInPlace(out, share)

	return probs[0].Tape().RecordOwned("mean_prediction", out, probs, func(g *tensor.Tensor[T]) {
		perHead := tensor.Scale(g, share)
		last := len(probs) - 1
		for _, p := range probs[:last] {
			p.AccumulateGrad(perHead)
		}
		probs[last].AccumulateOwnedGrad(perHead)
	})
}

// LogMeanPrediction returns log p_c of Eq. 2 from the log-probabilities log p_s
// [N, C, D, H, W] of the S heads, as log((1/S) sum_s p_s) with p_s = exp(log p_s) (a
// vectorised exponential per head and one vectorised logarithm). Where sum_s p_s falls
// below underflowGuard, the voxel is recomputed around its largest log p_s, so it
// stays finite and accurate where every p_s^j underflows to 0.
// Backward: d log p_c / d log p_s = exp(log p_s - log p_c) / S = p_s / (S p_c), the
// share of head s in p_c, kept from the forward pass.
func LogMeanPrediction[T tensor.Float](logProbs []*autograd.Value[T]) *autograd.Value[T] {
	checkHeads("LogMeanPrediction", logProbs)
	probs := make([]*tensor.Tensor[T], len(logProbs))
	for s, lp := range logProbs {
		probs[s] = tensor.Exp(lp.Data)
	}
	return logMeanPrediction(logProbs, probs)
}

// logMeanPrediction is LogMeanPrediction given p_s = exp(log p_s) of every head.
func logMeanPrediction[T tensor.Float](logProbs []*autograd.Value[T],
	probs []*tensor.Tensor[T]) *autograd.Value[T] {
	logS := math.Log(float64(len(logProbs)))
	total := probs[0].Clone()
	for _, p := range probs[1:] {
		tensor.AddInPlace(total, p)
	}
	out := tensor.Log(total)
	shares := make([]*tensor.Tensor[T], len(probs))
	for s, p := range probs {
		shares[s] = tensor.Div(p, total)
	}
	for i, t := range total.Data {
		if float64(t) >= underflowGuard {
			out.Data[i] -= T(logS)
			continue
		}
		out.Data[i] = T(shiftedLogTotal(logProbs, shares, i) - logS)
	}

	return logProbs[0].Tape().RecordOwned("log_mean_prediction", out, logProbs,
		func(g *tensor.Tensor[T]) {
			for s, lp := range logProbs {
				lp.AccumulateOwnedGrad(tensor.Mul(g, shares[s]))
			}
		})
}

// underflowGuard is the sum of the p_s of a voxel below which LogMeanPrediction
// recomputes the voxel around its largest log p_s: smaller float32 terms may already
// be subnormal (below about 1.2e-38) and have lost precision.
const underflowGuard = 1e-30

// shiftedLogTotal returns log sum_s p_s at element i and writes the heads' shares
// p_s / sum_s p_s there, computed as exp(log p_s - peak) around the largest log p_s,
// so that they stay exact where every p_s underflows.
func shiftedLogTotal[T tensor.Float](logProbs []*autograd.Value[T], shares []*tensor.Tensor[T],
	i int) float64 {
	peak, total := math.Inf(-1), 0.0
	for _, lp := range logProbs {
		peak = max(peak, float64(lp.Data.Data[i]))
	}
	for _, lp := range logProbs {
		total += math.Exp(float64(lp.Data.Data[i]) - peak)
	}
	for s, lp := range logProbs {
		shares[s].Data[i] = T(math.Exp(float64(lp.Data.Data[i])-peak) / total)
	}
	return peak + math.Log(total)
}

// voxelShape returns shape with the class axis set to 1: [N, 1, D, H, W].
func voxelShape(shape []int) []int {
	out := slices.Clone(shape)
	out[1] = 1
	return out
}

// checkPair panics unless a and b have the same [N, C, ...] shape.
func checkPair[T tensor.Float](op string, a, b *autograd.Value[T]) {
	classLayout(op, a.Shape())
	if !slices.Equal(a.Shape(), b.Shape()) {
		panic(fmt.Sprintf("urpc: %s: shapes %v and %v differ", op, a.Shape(), b.Shape()))
	}
}

// SquaredDistance returns the squared distance of Eq. 3 and 5 between two predictions
// a, b [N, C, D, H, W] at every voxel, sum_j (a^j - b^j)^2, as [N, 1, D, H, W].
// Backward: da^j += 2 g (a^j - b^j), db^j -= 2 g (a^j - b^j).
func SquaredDistance[T tensor.Float](a, b *autograd.Value[T]) *autograd.Value[T] {
	checkPair("SquaredDistance", a, b)
	n, c, v := classLayout("SquaredDistance", a.Shape())
	out := tensor.Zeros[T](voxelShape(a.Shape())...)
	total := make([]float64, v)
	for i := range n {
		clear(total)
		for j := range c {
			rowB := classRow(b.Data, i, j)
			for k, x := range classRow(a.Data, i, j) {
				d := float64(x) - float64(rowB[k])
				total[k] += d * d
			}
		}
		storeRow(out.Data[i*v:(i+1)*v], total)
	}

	return a.Tape().RecordOwned("squared_distance", out, []*autograd.Value[T]{a, b},
		func(g *tensor.Tensor[T]) {
			gradA := tensor.Zeros[T](a.Shape()...)
			gradB := tensor.Zeros[T](b.Shape()...)
			for i := range n {
				rowG := g.Data[i*v : (i+1)*v]
				for j := range c {
					rowA, rowB := classRow(a.Data, i, j), classRow(b.Data, i, j)
					dstA, dstB := classRow(gradA, i, j), classRow(gradB, i, j)
					for k, gk := range rowG {
						d := 2 * float64(gk) * (float64(rowA[k]) - float64(rowB[k]))
						dstA[k], dstB[k] = T(d), T(-d)
					}
				}
			}
			a.AccumulateOwnedGrad(gradA)
			b.AccumulateOwnedGrad(gradB)
		})
}

// classRow returns the voxels of sample i, class j of t [N, C, D, H, W]: D*H*W values.
func classRow[T tensor.Float](t *tensor.Tensor[T], i, j int) []T {
	v := tensor.Numel(t.Shape[2:])
	at := (i*t.Shape[1] + j) * v
	return t.Data[at : at+v]
}

// storeRow rounds the float64 sums of a row into dst.
func storeRow[T tensor.Float](dst []T, sums []float64) {
	for k, x := range sums[:len(dst)] {
		dst[k] = T(x)
	}
}

// PyramidConsistency returns Eq. 3, the plain pyramid consistency (the ablation
// without rectification), from the squared distances sum_j (p_s^j - p_c^j)^2
// [N, 1, D, H, W] of every scale (see SquaredDistance):
//
//	paper form: Lpyc = (1/S) sum_s mean_v sum_j (p_s^j - p_c^j)^2
//	code form:  the same with the class axis averaged too, a factor 1/C
//
// It returns the loss and the term of each scale (before the 1/S mean).
func PyramidConsistency[T tensor.Float](sqDist []*autograd.Value[T], classes int,
	form Form) (*autograd.Value[T], []*autograd.Value[T]) {
	checkHeads("PyramidConsistency", sqDist)
	perScale := make([]*autograd.Value[T], len(sqDist))
	for s, sq := range sqDist {
		perScale[s] = meanAll(sq)
		if form == FormCode {
			perScale[s] = autograd.Scale(perScale[s], T(1/float64(classes)))
		}
	}
	return meanOfValues(perScale), perScale
}

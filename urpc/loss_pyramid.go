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
// probabilities p_s [N, C, D, H, W] of the S heads.
func MeanPrediction[T tensor.Float](probs []*autograd.Value[T]) *autograd.Value[T] {
	checkHeads("MeanPrediction", probs)
	return meanOfValues(probs)
}

// LogMeanPrediction returns log p_c of Eq. 2 from the log-probabilities log p_s
// [N, C, D, H, W] of the S heads, as log((1/S) sum_s p_s) with p_s = exp(log p_s) (one
// vectorised exponential per head). Where sum_s p_s falls below underflowGuard, the
// voxel is recomputed around its largest log p_s, so it stays finite and accurate
// where every p_s^j underflows to 0.
// Backward: d log p_c / d log p_s = exp(log p_s - log p_c) / S = p_s / (S p_c), the
// share of head s in p_c, kept from the forward pass.
func LogMeanPrediction[T tensor.Float](logProbs []*autograd.Value[T]) *autograd.Value[T] {
	checkHeads("LogMeanPrediction", logProbs)
	logS := math.Log(float64(len(logProbs)))
	shares := make([]*tensor.Tensor[T], len(logProbs))
	for s, lp := range logProbs {
		shares[s] = tensor.Exp(lp.Data)
	}
	out := tensor.Zeros[T](logProbs[0].Shape()...)
	for i := range out.Data {
		out.Data[i] = T(normaliseShares(logProbs, shares, i) - logS)
	}

	return logProbs[0].Tape().Record("log_mean_prediction", out, logProbs,
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

// normaliseShares turns shares[s].Data[i] = p_s into the share p_s / sum_s p_s of every
// head and returns log sum_s p_s, at element i. Below underflowGuard it uses
// exp(log p_s - peak) with the largest log p_s as peak instead of p_s.
func normaliseShares[T tensor.Float](logProbs []*autograd.Value[T], shares []*tensor.Tensor[T],
	i int) float64 {
	total, peak := 0.0, 0.0
	for _, share := range shares {
		total += float64(share.Data[i])
	}
	if !(total >= underflowGuard) {
		peak, total = math.Inf(-1), 0
		for _, lp := range logProbs {
			peak = max(peak, float64(lp.Data.Data[i]))
		}
		for s, lp := range logProbs {
			term := math.Exp(float64(lp.Data.Data[i]) - peak)
			shares[s].Data[i] = T(term)
			total += term
		}
	}

	for _, share := range shares {
		share.Data[i] = T(float64(share.Data[i]) / total)
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
	for i := range n {
		for k := range v {
			total := 0.0
			for j := range c {
				d := float64(a.Data.Data[(i*c+j)*v+k]) - float64(b.Data.Data[(i*c+j)*v+k])
				total += d * d
			}
			out.Data[i*v+k] = T(total)
		}
	}

	return a.Tape().Record("squared_distance", out, []*autograd.Value[T]{a, b},
		func(g *tensor.Tensor[T]) {
			gradA := tensor.Zeros[T](a.Shape()...)
			gradB := tensor.Zeros[T](b.Shape()...)
			for i := range n {
				for j := range c {
					for k := range v {
						at := (i*c+j)*v + k
						d := 2 * float64(g.Data[i*v+k]) *
							(float64(a.Data.Data[at]) - float64(b.Data.Data[at]))
						gradA.Data[at], gradB.Data[at] = T(d), T(-d)
					}
				}
			}
			a.AccumulateOwnedGrad(gradA)
			b.AccumulateOwnedGrad(gradB)
		})
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

// klDivergence returns KL(P || Q) = sum_j P^j (log P^j - log Q^j) at every voxel of
// log-probabilities logP, logQ [N, C, D, H, W], as [N, 1, D, H, W], with P = exp(logP)
// taken in one vectorised pass. Only logarithms enter the difference, so an
// underflowed P^j contributes 0 instead of 0 * inf.
// Backward: dlogP^j += g P^j (log P^j - log Q^j + 1), dlogQ^j -= g P^j, with P kept
// from the forward pass.
func klDivergence[T tensor.Float](logP, logQ *autograd.Value[T]) *autograd.Value[T] {
	checkPair("Uncertainty", logP, logQ)
	n, c, v := classLayout("Uncertainty", logP.Shape())
	out := tensor.Zeros[T](voxelShape(logP.Shape())...)
	probP := tensor.Exp(logP.Data)
	for i := range n {
		for k := range v {
			total := 0.0
			for j := range c {
				at := (i*c+j)*v + k
				lp, lq := float64(logP.Data.Data[at]), float64(logQ.Data.Data[at])
				total += float64(probP.Data[at]) * (lp - lq)
			}
			out.Data[i*v+k] = T(total)
		}
	}

	return logP.Tape().Record("kl_divergence", out, []*autograd.Value[T]{logP, logQ},
		func(g *tensor.Tensor[T]) {
			gradP := tensor.Zeros[T](logP.Shape()...)
			gradQ := tensor.Zeros[T](logQ.Shape()...)
			for i := range n {
				for j := range c {
					for k := range v {
						at := (i*c+j)*v + k
						lp, lq := float64(logP.Data.Data[at]), float64(logQ.Data.Data[at])
						gp := float64(g.Data[i*v+k]) * float64(probP.Data[at])
						gradP.Data[at], gradQ.Data[at] = T(gp*(lp-lq+1)), T(-gp)
					}
				}
			}
			logP.AccumulateOwnedGrad(gradP)
			logQ.AccumulateOwnedGrad(gradQ)
		})
}

// Uncertainty returns Eq. 4, the uncertainty D_s [N, 1, D, H, W] of one scale at every
// voxel, from its log-probabilities log p_s and the log mean prediction log p_c
// (both [N, C, D, H, W]; see LogMeanPrediction):
//
//	KLPaper: D_s = KL(p_s || p_c) = sum_j p_s^j (log p_s^j - log p_c^j)   (the paper)
//	KLCode:  D_s = KL(p_c || p_s) = sum_j p_c^j (log p_c^j - log p_s^j)   (SSL4MIS)
func Uncertainty[T tensor.Float](logProb, logMean *autograd.Value[T],
	direction KLDirection) *autograd.Value[T] {
	if direction == KLCode {
		return klDivergence(logMean, logProb)
	}
	return klDivergence(logProb, logMean)
}

package urpc

import (
	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// klDivergence returns KL(P || Q) = sum_j P^j (log P^j - log Q^j) at every voxel of
// log-probabilities logP, logQ [N, C, D, H, W], as [N, 1, D, H, W], given probP =
// exp(logP). Only logarithms enter the difference, so an underflowed P^j contributes 0
// instead of 0 * inf.
// Backward: dlogP^j += g P^j (log P^j - log Q^j + 1), dlogQ^j -= g P^j.
func klDivergence[T tensor.Float](logP, logQ *autograd.Value[T],
	probP *tensor.Tensor[T]) *autograd.Value[T] {
	checkPair("Uncertainty", logP, logQ)
	tensor.MustSameShape("urpc: Uncertainty", logP.Shape(), probP.Shape)
	n, c, v := classLayout("Uncertainty", logP.Shape())
	out := tensor.Zeros[T](voxelShape(logP.Shape())...)
	total := make([]float64, v)
	for i := range n {
		clear(total)
		for j := range c {
			rowLP, rowLQ := classRow(logP.Data, i, j), classRow(logQ.Data, i, j)
			for k, p := range classRow(probP, i, j) {
				total[k] += float64(p) * (float64(rowLP[k]) - float64(rowLQ[k]))
			}
		}
		storeRow(out.Data[i*v:(i+1)*v], total)
	}

	return logP.Tape().RecordOwned("kl_divergence", out, []*autograd.Value[T]{logP, logQ},
		func(g *tensor.Tensor[T]) {
			gradP := tensor.Zeros[T](logP.Shape()...)
			gradQ := tensor.Zeros[T](logQ.Shape()...)
			for i := range n {
				rowG := g.Data[i*v : (i+1)*v]
				for j := range c {
					rowP := classRow(probP, i, j)
					rowLP, rowLQ := classRow(logP.Data, i, j), classRow(logQ.Data, i, j)
					dstP, dstQ := classRow(gradP, i, j), classRow(gradQ, i, j)
					for k, gk := range rowG {
						gp := float64(gk) * float64(rowP[k])
						dstP[k] = T(gp * (float64(rowLP[k]) - float64(rowLQ[k]) + 1))
						dstQ[k] = T(-gp)
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
		return klDivergence(logMean, logProb, tensor.Exp(logMean.Data))
	}
	return klDivergence(logProb, logMean, tensor.Exp(logProb.Data))
}

// uncertaintyGiven is Uncertainty for a caller that already holds p_s = exp(log p_s)
// and p_c (Eq. 2), so that no exponential is taken again: P is prob for KLPaper and
// mean for KLCode.
func uncertaintyGiven[T tensor.Float](logProb, logMean *autograd.Value[T],
	prob, mean *tensor.Tensor[T], direction KLDirection) *autograd.Value[T] {
	if direction == KLCode {
		return klDivergence(logMean, logProb, mean)
	}
	return klDivergence(logProb, logMean, prob)
}

package optim

import "math"

// PolyLR returns the poly learning rate base (1 - k/maxIter)^power after k iterations,
// 0 from k = maxIter on.
func PolyLR(base float64, k, maxIter int, power float64) float64 {
	if k >= maxIter {
		return 0
	}
	return base * math.Pow(1-float64(k)/float64(maxIter), power)
}

// PolyLRAtStep returns the learning rate that the reference code (SSL4MIS) uses for
// the optimiser step of iteration step (counted from 0). Its loop assigns
// PolyLR(base, k, maxIter, power) after the step of iteration k, so each value is
// used one step late: step 0 uses base and step k >= 1 uses PolyLR(base, k-1, ...).
// The paper's lr = base (1 - t/t_max)^power without the delay is PolyLR(base, step, ...).
func PolyLRAtStep(base float64, step, maxIter int, power float64) float64 {
	if step == 0 {
		return base
	}
	return PolyLR(base, step-1, maxIter, power)
}

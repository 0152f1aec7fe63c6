package urpc

import "math"

// Ramp is the schedule of the consistency weight lambda(t) of Eq. 6.
type Ramp struct {
	// WMax is the final weight w_max (0.1 in the paper).
	WMax float64
	// Stepped makes t advance once every StepLength iterations (t = floor(iter /
	// StepLength)), as the reference code's sigmoid_rampup does; otherwise t = iter.
	Stepped    bool
	StepLength int
	// TMax is t_max, in iterations when continuous and in steps when Stepped.
	TMax float64
}

// PaperRamp is the paper's continuous ramp over maxIter iterations, w_max = 0.1.
func PaperRamp(maxIter int) Ramp { return Ramp{WMax: 0.1, TMax: float64(maxIter)} }

// CodeRamp is the reference 3-D code's stepped ramp: t = floor(iter / 150), t_max = 400.
func CodeRamp() Ramp { return Ramp{WMax: 0.1, Stepped: true, StepLength: 150, TMax: 400} }

// RampUp returns exp(-5 (1 - clip(t, 0, tMax) / tMax)^2), which rises from e^-5 at
// t = 0 to 1 at t = tMax and stays there; it is 1 when tMax is 0.
func RampUp(t, tMax float64) float64 {
	if tMax == 0 {
		return 1
	}
	phase := 1 - min(max(t, 0), tMax)/tMax
	return math.Exp(-5 * phase * phase)
}

// Lambda returns Eq. 6's consistency weight at iteration iter (counted from 0):
// lambda(t) = w_max exp(-5 (1 - min(t, t_max)/t_max)^2), with t = iter, or
// t = floor(iter / StepLength) when Stepped.
func (r Ramp) Lambda(iter int) float64 {
	t := float64(iter)
	if r.Stepped {
		if r.StepLength < 1 {
			panic("urpc: Ramp.Lambda: a stepped ramp needs StepLength >= 1")
		}
		t = float64(iter / r.StepLength)
	}
	return r.WMax * RampUp(t, r.TMax)
}

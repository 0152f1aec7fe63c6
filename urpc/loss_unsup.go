package urpc

import (
	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// codeEpsilon is what the reference code adds to mean_v w_s in the rectified term.
const codeEpsilon = 1e-8

// UncertaintyWeights returns the voxel weights of Eq. 5, w_s = exp(-D_s), for the
// uncertainty D_s [N, 1, D, H, W] of one scale. No gradient is stopped.
func UncertaintyWeights[T tensor.Float](uncertainty *autograd.Value[T]) *autograd.Value[T] {
	return autograd.Exp(autograd.Neg(uncertainty))
}

// RectifiedConsistency returns UR of Eq. 5, the uncertainty rectified pyramid
// consistency, from the squared distances sq_s = sum_j (p_s^j - p_c^j)^2 and the
// weights w_s = exp(-D_s) of every scale (each [N, 1, D, H, W]); sums over v run over
// every voxel of every sample:
//
//	paper form:  UR = (1/S) sum_s [sum_v sq_s w_s] / [sum_v w_s]
//	code form:   UR = (1/S) sum_s mean_{n,v}(sq_s w_s) / C / (mean_{n,v} w_s + 1e-8)
//	URGlobal:    UR = (1/S) [sum_s sum_v sq_s w_s] / [sum_s sum_v w_s]   (paper form)
//
// The code form is SSL4MIS's mean_{n,c,v}((p_c - p_s)^2 w_s) / (mean w_s + 1e-8).
// It returns UR and the term of each scale, whose mean over scales is UR.
func RectifiedConsistency[T tensor.Float](sqDist, weights []*autograd.Value[T], classes int,
	cfg Config) (*autograd.Value[T], []*autograd.Value[T]) {
	checkHeads("RectifiedConsistency", sqDist)
	checkHeads("RectifiedConsistency", weights)
	checkPair("RectifiedConsistency", sqDist[0], weights[0])
	if cfg.URNorm == URGlobal {
		if cfg.Form == FormCode {
			panic("urpc: RectifiedConsistency: URGlobal exists in the paper form only")
		}
		return globalRectifiedConsistency(sqDist, weights)
	}

	perScale := make([]*autograd.Value[T], len(sqDist))
	for s := range sqDist {
		weighted := sumAll(autograd.Mul(sqDist[s], weights[s]))
		normaliser := sumAll(weights[s])
		if cfg.Form == FormCode {
			// mean(sq w) / C / (mean w + eps) = sum(sq w) / C / (sum w + eps N V).
			voxels := float64(weights[s].Data.Numel())
			weighted = autograd.Scale(weighted, T(1/float64(classes)))
			normaliser = autograd.AddScalar(normaliser, T(codeEpsilon*voxels))
		}
		perScale[s] = autograd.Div(weighted, normaliser)
	}
	return meanOfValues(perScale), perScale
}

// globalRectifiedConsistency is RectifiedConsistency with URGlobal: one normaliser,
// the sum of the weights of every scale. Scale s contributes sum_v sq_s w_s / W.
func globalRectifiedConsistency[T tensor.Float](sqDist,
	weights []*autograd.Value[T]) (*autograd.Value[T], []*autograd.Value[T]) {
	normalisers := make([]*autograd.Value[T], len(weights))
	for s, w := range weights {
		normalisers[s] = sumAll(w)
	}
	total := sumOfValues(normalisers)

	perScale := make([]*autograd.Value[T], len(sqDist))
	for s := range sqDist {
		weighted := sumAll(autograd.Mul(sqDist[s], weights[s]))
		perScale[s] = autograd.Div(weighted, total)
	}
	return meanOfValues(perScale), perScale
}

// UncertaintyMinimisation returns UM of Eq. 5 from the uncertainties D_s
// [N, 1, D, H, W] of every scale:
//
//	UMMean:       UM = (1/S) sum_s mean_v D_s    (reference code; the default)
//	UMSum:        UM = (1/S) sum_s sum_v D_s     (the norm of Eq. 5 read literally)
//	UMSquaredSum: UM = (1/S) sum_s sum_v D_s^2   (a squared-norm reading)
//
// It returns UM and the term of each scale (before the 1/S mean).
func UncertaintyMinimisation[T tensor.Float](uncertainty []*autograd.Value[T],
	reduction UMReduction) (*autograd.Value[T], []*autograd.Value[T]) {
	checkHeads("UncertaintyMinimisation", uncertainty)
	perScale := make([]*autograd.Value[T], len(uncertainty))
	for s, d := range uncertainty {
		switch reduction {
		case UMSum:
			perScale[s] = sumAll(d)
		case UMSquaredSum:
			perScale[s] = sumAll(autograd.Square(d))
		default:
			perScale[s] = meanAll(d)
		}
	}
	return meanOfValues(perScale), perScale
}

// Unsupervised holds Eq. 5 on the unlabelled samples: the loss, its two parts and
// their terms per scale.
type Unsupervised[T tensor.Float] struct {
	// Loss is Lunsup = Consistency + Minimisation (just Consistency when UM is off).
	Loss *autograd.Value[T]
	// Consistency is UR of Eq. 5, or Eq. 3 when rectification is off.
	Consistency *autograd.Value[T]
	// Minimisation is UM of Eq. 5; nil when it is off.
	Minimisation *autograd.Value[T]
	// Rectified and Minimised record the switches the terms were computed with.
	Rectified, Minimised bool
	// ConsistencyPerScale and MinimisationPerScale are the terms of each scale
	// (their mean over scales gives Consistency and Minimisation).
	ConsistencyPerScale, MinimisationPerScale []float64
	// Uncertainty and Weight are mean_v D_s (Eq. 4) and mean_v w_s per scale;
	// Distance is mean_v sum_j (p_s^j - p_c^j)^2 per scale (Eq. 3's term).
	Uncertainty, Weight, Distance []float64
	// Confidence is mean_v max_j p_c^j, a summary of the mean prediction (Eq. 2).
	Confidence float64
}

// meanOf returns the mean of the elements of t, as float64.
func meanOf[T tensor.Float](t *tensor.Tensor[T]) float64 {
	return tensor.SumAll(t) / float64(t.Numel())
}

// UnsupervisedLoss returns Eq. 5 for the logits z_s [N, C, D, H, W] of the S heads on
// unlabelled samples: p_s = softmax(z_s), p_c (Eq. 2), D_s (Eq. 4), w_s = exp(-D_s),
// then Lunsup = UR + UM, or Eq. 3 + UM without rectification, as cfg selects.
func UnsupervisedLoss[T tensor.Float](logits []*autograd.Value[T], cfg Config) *Unsupervised[T] {
	checkHeads("UnsupervisedLoss", logits)
	_, classes, _ := classLayout("UnsupervisedLoss", logits[0].Shape())
	scales := len(logits)

	logProbs := make([]*autograd.Value[T], scales)
	for s, z := range logits {
		logProbs[s] = autograd.LogSoftmax(z, 1)
	}
	probs := Probabilities(logProbs)
	probData := make([]*tensor.Tensor[T], scales)
	for s, p := range probs {
		probData[s] = p.Data
	}
	mean, logMean := MeanPrediction(probs), logMeanPrediction(logProbs, probData)

	sqDist := make([]*autograd.Value[T], scales)
	uncertainty := make([]*autograd.Value[T], scales)
	weights := make([]*autograd.Value[T], scales)
	un := &Unsupervised[T]{Rectified: cfg.Rectify, Minimised: cfg.Minimise}
	for s := range scales {
		sqDist[s] = SquaredDistance(probs[s], mean)
		uncertainty[s] = uncertaintyGiven(logProbs[s], logMean, probData[s], mean.Data, cfg.KL)
		weights[s] = UncertaintyWeights(uncertainty[s])
		un.Uncertainty = append(un.Uncertainty, meanOf(uncertainty[s].Data))
		un.Weight = append(un.Weight, meanOf(weights[s].Data))
		un.Distance = append(un.Distance, meanOf(sqDist[s].Data))
	}
	un.Confidence = meanOf(tensor.Max(mean.Data, 1))

	var perScale []*autograd.Value[T]
	if cfg.Rectify {
		un.Consistency, perScale = RectifiedConsistency(sqDist, weights, classes, cfg)
	} else {
		un.Consistency, perScale = PyramidConsistency(sqDist, classes, cfg.Form)
	}
	un.ConsistencyPerScale = scalarsOf(perScale)
	un.Loss = un.Consistency

	if cfg.Minimise {
		un.Minimisation, perScale = UncertaintyMinimisation(uncertainty, cfg.UMReduce)
		un.MinimisationPerScale = scalarsOf(perScale)
		un.Loss = autograd.Add(un.Consistency, un.Minimisation)
	}
	return un
}

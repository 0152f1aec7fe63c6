// Package urpc computes the losses of URPC, the uncertainty rectified pyramid
// consistency of Luo et al. (MICCAI 2021), on autograd values, generically for float64
// (gradient checks) and float32 (training).
//
// A pyramid network gives S heads; the logits z_s of every head, already resized to
// the input size, are [N, C, D, H, W] (any [N, C, ...] works). Labels are class
// indices [N, D, H, W] in row-major order. p_s = softmax(z_s) over the class axis.
// Each equation of the paper has one function:
//
//	Eq. 1  SupervisedLoss          Lsup = (1/S) sum_s (Dice(p_s, y) + CE(z_s, y)) / 2
//	       SoftDiceLoss, CrossEntropy, NegativeLogLikelihood
//	Eq. 2  MeanPrediction          p_c = (1/S) sum_s p_s
//	       LogMeanPrediction       log p_c, from log-softmax values only
//	Eq. 3  PyramidConsistency      (1/S) sum_s mean_v sum_j (p_s^j - p_c^j)^2
//	       SquaredDistance         sum_j (p_s^j - p_c^j)^2 per voxel
//	Eq. 4  Uncertainty             D_s = KL(p_s || p_c) (paper) or KL(p_c || p_s) (code)
//	Eq. 5  UncertaintyWeights      w_s = exp(-D_s)
//	       RectifiedConsistency    UR, the uncertainty-weighted consistency
//	       UncertaintyMinimisation UM, the mean (or sum) of D_s
//	       UnsupervisedLoss        Lunsup = UR + UM (or Eq. 3 + UM without rectification)
//	Eq. 6  Ramp.Lambda             lambda(t) = w_max exp(-5 (1 - t/t_max)^2)
//	       TotalLoss               Ltotal = Lsup + lambda Lunsup
//
// Loss evaluates all of them on a batch whose first labeledBS samples are labelled
// and returns every term per scale (Result.Explain lists them with their functions).
//
// Two forms exist for Eq. 4 and 5 (Config.Form, Config.KL): the paper's and the one of
// the authors' code (SSL4MIS), which takes KL in the other direction, averages the
// rectified term over classes too and adds 1e-8 to its denominator. Nothing is
// detached: gradients pass through p_c, D_s and w_s, as in the reference code.
//
// Every logarithm comes from log-softmax, never from the log of a probability, so
// logit gaps that underflow a float32 probability to 0 still give finite losses and
// gradients. Every sum over voxels is accumulated in float64.
//
// Misuse (shapes that disagree, a label out of range) panics with a message that
// starts with "urpc:" and names the shapes.
package urpc

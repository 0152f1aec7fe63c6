package nn

import (
	"fmt"
	"math"

	"github.com/urpc-go/urpc/asm"
	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// NormEps is the eps of InstanceNorm3d and BatchNorm3d in the reference network
// (PyTorch's default): y = (x - mean) / sqrt(var + eps).
const NormEps = 1e-5

// BatchNormMomentum is PyTorch's default momentum of the running statistics:
// running = (1 - momentum) * running + momentum * batchStatistic.
const BatchNormMomentum = 0.1

// normGroups describes how a norm groups the elements of x [N, C, D, H, W] into the
// sets whose mean and variance it takes: one group per (n, c) for instance norm
// (perSample), one group per channel c across the whole batch for batch norm.
type normGroups struct {
	n, c, voxels int
	perSample    bool
}

// newNormGroups checks that x is [N, C, D, H, W] and that the affine parameters, when
// present, are [C].
func newNormGroups[T tensor.Float](op string, x, gamma, beta *autograd.Value[T],
	perSample bool) normGroups {
	shape := x.Data.Shape
	if len(shape) != 5 {
		panic(fmt.Sprintf("nn: %s wants x [N, C, D, H, W], got %v", op, shape))
	}
	for _, affine := range []*autograd.Value[T]{gamma, beta} {
		if affine != nil && (len(affine.Data.Shape) != 1 || affine.Data.Shape[0] != shape[1]) {
			panic(fmt.Sprintf("nn: %s wants gamma and beta [C] for x %v, got %v",
				op, shape, affine.Data.Shape))
		}
	}
	return normGroups{n: shape[0], c: shape[1], voxels: shape[2] * shape[3] * shape[4],
		perSample: perSample}
}

// count returns the number of elements in one group.
func (g normGroups) count() int {
	if g.perSample {
		return g.voxels
	}
	return g.n * g.voxels
}

// groups returns the number of groups.
func (g normGroups) groups() int {
	if g.perSample {
		return g.n * g.c
	}
	return g.c
}

// group returns the group of the slab (sample, channel).
func (g normGroups) group(sample, channel int) int {
	if g.perSample {
		return sample*g.c + channel
	}
	return channel
}

// slab returns the D*H*W elements of (sample, channel) inside data.
func slab[T tensor.Float](data []T, g normGroups, sample, channel int) []T {
	start := (sample*g.c + channel) * g.voxels
	return data[start : start+g.voxels]
}

// forSlabs calls body(worker, sample, channel) once for each slab (sample, channel),
// the slabs spread over the cores by forPlanes.
func (g normGroups) forSlabs(body func(worker, sample, channel int)) {
	forPlanes(g.n*g.c, g.voxels, func(worker, plane int) {
		body(worker, plane/g.c, plane%g.c)
	})
}

// groupSums returns, for each group, the sum of perSlab [N*C] over the group's slabs,
// added in (sample, channel) order whatever the number of workers.
func (g normGroups) groupSums(perSlab []float64) []float64 {
	sums := make([]float64, g.groups())
	for s := range g.n {
		for c := range g.c {
			sums[g.group(s, c)] += perSlab[s*g.c+c]
		}
	}
	return sums
}

// stats returns each group's mean and biased variance (the mean squared deviation),
// both accumulated in float64 in two passes: each slab's share in parallel, then the
// shares added per group in slab order.
func stats[T tensor.Float](x []T, g normGroups) (mean, variance []float64) {
	count, share := float64(g.count()), make([]float64, g.n*g.c)
	g.forSlabs(func(_, s, c int) {
		share[s*g.c+c] = sumOf(slab(x, g, s, c)) / count
	})
	mean = g.groupSums(share)

	g.forSlabs(func(_, s, c int) {
		share[s*g.c+c] = squaredDeviations(slab(x, g, s, c), mean[g.group(s, c)]) / count
	})
	return mean, g.groupSums(share)
}

// inverseStd returns 1 / sqrt(variance + eps) for each group.
func inverseStd(variance []float64, eps float64) []float64 {
	inv := make([]float64, len(variance))
	for i, v := range variance {
		inv[i] = 1 / math.Sqrt(v+eps)
	}
	return inv
}

// affineAt returns gamma[c] and beta[c], or 1 and 0 when the norm has no affine part.
func affineAt[T tensor.Float](gamma, beta *autograd.Value[T], c int) (float64, float64) {
	scale, shift := 1.0, 0.0
	if gamma != nil {
		scale = float64(gamma.Data.Data[c])
	}
	if beta != nil {
		shift = float64(beta.Data.Data[c])
	}
	return scale, shift
}

// normSpec describes one normalisation: its op name, its groups and their statistics.
// batchStats is true when mean and invStd were computed from x, so that the backward
// differentiates through them (false for BatchNorm3d in eval mode, whose statistics are
// constants). relu fuses a ReLU after the affine part.
type normSpec struct {
	op           string
	groups       normGroups
	mean, invStd []float64
	batchStats   bool
	relu         bool
}

// normalize records y = (x - mean_g) * invStd_g * gamma_c + beta_c (then max(y, 0) when
// spec.relu), the forward shared by the norms: g is the group of the element, c its
// channel.
func normalize[T tensor.Float](spec normSpec,
	x, gamma, beta *autograd.Value[T]) *autograd.Value[T] {
	g := spec.groups
	out := tensor.Uninitialized[T](x.Data.Shape...) // every element is written below
	g.forSlabs(func(_, s, c int) {
		k := g.group(s, c)
		scale, shift := affineAt(gamma, beta, c)
		mu, factor := spec.mean[k], spec.invStd[k]*scale
		dst, src := slab(out.Data, g, s, c), slab(x.Data.Data, g, s, c)
		if d32, ok := any(dst).([]float32); ok {
			asm.Normalize(d32, any(src).([]float32), mu, factor, shift)
		} else {
			for i, v := range src {
				dst[i] = T((float64(v)-mu)*factor + shift)
			}
		}
		if spec.relu {
			relu(dst)
		}
	})

	inputs := []*autograd.Value[T]{x}
	for _, affine := range []*autograd.Value[T]{gamma, beta} {
		if affine != nil {
			inputs = append(inputs, affine)
		}
	}
	return x.Tape().RecordOwnedUnread(spec.op, out, inputs, func(gradOut *tensor.Tensor[T]) {
		dy := gradOut.Data
		var gate *reluGate[T]
		if spec.relu {
			gate = &reluGate[T]{gamma: gamma, beta: beta}
		}
		sumDy, sumDyXhat := slabSums(x.Data.Data, dy, g, spec.mean, spec.invStd, gate)
		affineGrads(gamma, beta, g, sumDy, sumDyXhat)
		if x.RequiresGrad() {
			addNormInputGrad(x.GradBuffer().Data, x.Data.Data, gamma, dy, spec, sumDy,
				sumDyXhat)
		}
	})
}

// relu sets x = max(x, 0) in place (asm.ReluForward for float32).
func relu[T tensor.Float](x []T) {
	if x32, ok := any(x).([]float32); ok {
		asm.ReluForward(x32, x32)
		return
	}
	for i, v := range x {
		x[i] = max(v, 0)
	}
}

// reluGate is the fused ReLU of a norm, for its backward: where the output was not
// positive the gradient is 0 (ReLU's derivative is 0 at the kink, as in PyTorch). The
// output is not kept: its sign is recomputed from the input with the forward's
// arithmetic, so the decision is bitwise the forward's.
type reluGate[T tensor.Float] struct{ gamma, beta *autograd.Value[T] }

// gateRow sets grad[i] to 0 where the fused ReLU's output T((x[i] - mu)*factor +
// shift) was not positive (asm.GateNormReLU for float32).
func gateRow[T tensor.Float](grad, x []T, mu, factor, shift float64) {
	if g32, ok := any(grad).([]float32); ok {
		asm.GateNormReLU(g32, any(x).([]float32)[:len(g32)], mu, factor, shift)
		return
	}
	for i, v := range x[:len(grad)] {
		if !(T((float64(v)-mu)*factor+shift) > 0) {
			grad[i] = 0
		}
	}
}

// slabSums returns, for each slab (n, c), sum_v dy and sum_v dy * xhat, where
// xhat = (x - mean) * invStd is the normalised input and dy the gradient of the
// output. With a gate (fused ReLU), dy is first zeroed in place where the output was
// not positive.
func slabSums[T tensor.Float](x, dy []T, g normGroups, mean, invStd []float64,
	gate *reluGate[T]) (sumDy, sumDyXhat []float64) {
	sumDy = make([]float64, g.n*g.c)
	sumDyXhat = make([]float64, g.n*g.c)
	g.forSlabs(func(_, s, c int) {
		k := g.group(s, c)
		mu := mean[k]
		grad := slab(dy, g, s, c)
		if gate != nil {
			scale, shift := affineAt(gate.gamma, gate.beta, c)
			gateRow(grad, slab(x, g, s, c), mu, invStd[k]*scale, shift)
		}
		sd, sdx := gradientSums(grad, slab(x, g, s, c), mu)
		sumDy[s*g.c+c] = sd
		sumDyXhat[s*g.c+c] = sdx * invStd[k]
	})
	return sumDy, sumDyXhat
}

// affineGrads adds dgamma_c = sum_{n,v} dy * xhat and dbeta_c = sum_{n,v} dy.
func affineGrads[T tensor.Float](gamma, beta *autograd.Value[T], g normGroups,
	sumDy, sumDyXhat []float64) {
	for _, p := range []struct {
		value *autograd.Value[T]
		sums  []float64
	}{{gamma, sumDyXhat}, {beta, sumDy}} {
		if p.value == nil || !p.value.RequiresGrad() {
			continue
		}
		grad := tensor.Zeros[T](g.c)
		for s := range g.n {
			for c := range g.c {
				grad.Data[c] += T(p.sums[s*g.c+c])
			}
		}
		p.value.AccumulateGrad(grad)
	}
}

// addNormInputGrad adds dx to dst, dy being the output gradient already gated by a
// fused ReLU. With constant
// statistics dx = gamma * invStd * dy.
// With batch statistics (m elements per group, sums over the group):
// dx = gamma * invStd * (dy - sum(dy)/m - xhat * sum(dy * xhat)/m).
func addNormInputGrad[T tensor.Float](dst, x []T, gamma *autograd.Value[T], dy []T,
	spec normSpec, sumDy, sumDyXhat []float64) {
	g := spec.groups
	groupDy, groupDyXhat := g.groupSums(sumDy), g.groupSums(sumDyXhat)

	count := float64(g.count())
	g.forSlabs(func(_, s, c int) {
		k := g.group(s, c)
		scale, _ := affineAt(gamma, nil, c)
		factor, mu, inv := scale*spec.invStd[k], spec.mean[k], spec.invStd[k]
		shiftDy, slopeXhat := groupDy[k]/count, groupDyXhat[k]/count
		if !spec.batchStats {
			shiftDy, slopeXhat = 0, 0
		}
		grad, dyc, xc := slab(dst, g, s, c), slab(dy, g, s, c), slab(x, g, s, c)
		if g32, ok := any(grad).([]float32); ok {
			asm.AddNormInputGrad(g32, any(xc).([]float32), any(dyc).([]float32),
				asm.NormInputGrad{Mu: mu, InvStd: inv, Factor: factor, ShiftDy: shiftDy,
					SlopeXhat: slopeXhat})
			return
		}
		for i, v := range xc {
			xhat := (float64(v) - mu) * inv
			grad[i] += T(factor * (float64(dyc[i]) - shiftDy - xhat*slopeXhat))
		}
	})
}

// InstanceNorm3d normalises each (n, c) slab of x [N, C, D, H, W] over its D*H*W voxels
// with its own mean and biased variance, then applies the optional affine part:
// y = (x - mean_nc) / sqrt(var_nc + eps) * gamma_c + beta_c, gamma and beta [C] or nil.
// It behaves the same in training and inference (PyTorch's InstanceNorm3d without
// running statistics). A slab of one voxel normalises to 0 (x - mean = 0) with zero
// gradient; PyTorch refuses that case.
func InstanceNorm3d[T tensor.Float](x, gamma, beta *autograd.Value[T],
	eps float64) *autograd.Value[T] {
	return instanceNorm(x, gamma, beta, eps, false)
}

// InstanceNorm3dReLU is max(InstanceNorm3d(x, gamma, beta, eps), 0) as one operation,
// the "norm -> ReLU" of a U-Net block: it keeps one output instead of two and skips a
// pass. The ReLU's derivative is 0 where the output is 0.
func InstanceNorm3dReLU[T tensor.Float](x, gamma, beta *autograd.Value[T],
	eps float64) *autograd.Value[T] {
	return instanceNorm(x, gamma, beta, eps, true)
}

func instanceNorm[T tensor.Float](x, gamma, beta *autograd.Value[T], eps float64,
	relu bool) *autograd.Value[T] {
	g := newNormGroups("InstanceNorm3d", x, gamma, beta, true)
	mean, variance := stats(x.Data.Data, g)
	spec := normSpec{op: "instance_norm3d", groups: g, mean: mean,
		invStd: inverseStd(variance, eps), batchStats: true, relu: relu}
	if relu {
		spec.op = "instance_norm3d_relu"
	}
	return normalize(spec, x, gamma, beta)
}

// BatchNorm3dState holds what a BatchNorm3d layer keeps besides its affine
// parameters: the running mean and variance [C] (views into a model's buffers, updated
// in place in training) and the layer's momentum and eps.
type BatchNorm3dState[T tensor.Float] struct {
	RunningMean, RunningVar []T
	Momentum, Eps           float64
}

// BatchNorm3d normalises each channel of x [N, C, D, H, W] and applies gamma, beta [C]
// (either may be nil): y = (x - mean_c) / sqrt(var_c + eps) * gamma_c + beta_c.
// In training, mean_c and the biased var_c are taken over (N, D, H, W) and the running
// statistics, when state has them, become (1 - m) * running + m * batch, with the
// unbiased variance var_c * n/(n-1) for the running variance (n = N*D*H*W, m the
// momentum), as PyTorch does. In inference the running statistics are used as
// constants. Training needs n > 1.
func BatchNorm3d[T tensor.Float](x, gamma, beta *autograd.Value[T], state BatchNorm3dState[T],
	train bool) *autograd.Value[T] {
	return batchNorm(x, gamma, beta, state, train, false)
}

// BatchNorm3dReLU is max(BatchNorm3d(x, gamma, beta, state, train), 0) as one
// operation (see InstanceNorm3dReLU).
func BatchNorm3dReLU[T tensor.Float](x, gamma, beta *autograd.Value[T],
	state BatchNorm3dState[T], train bool) *autograd.Value[T] {
	return batchNorm(x, gamma, beta, state, train, true)
}

func batchNorm[T tensor.Float](x, gamma, beta *autograd.Value[T], state BatchNorm3dState[T],
	train, relu bool) *autograd.Value[T] {
	g := newNormGroups("BatchNorm3d", x, gamma, beta, false)
	hasRunning := state.RunningMean != nil || state.RunningVar != nil
	if hasRunning && (len(state.RunningMean) != g.c || len(state.RunningVar) != g.c) {
		panic(fmt.Sprintf("nn: BatchNorm3d wants running statistics [C] for x %v, got %d and %d",
			x.Data.Shape, len(state.RunningMean), len(state.RunningVar)))
	}
	spec := normSpec{op: "batch_norm3d", groups: g, batchStats: train, relu: relu}
	if !train {
		if !hasRunning {
			panic(fmt.Sprintf("nn: BatchNorm3d in inference needs running statistics (x %v)",
				x.Data.Shape))
		}
		spec.mean, spec.invStd = make([]float64, g.c), make([]float64, g.c)
		for c := range g.c {
			spec.mean[c] = float64(state.RunningMean[c])
			spec.invStd[c] = 1 / math.Sqrt(float64(state.RunningVar[c])+state.Eps)
		}
		return normalize(spec, x, gamma, beta)
	}

	if g.count() < 2 {
		panic(fmt.Sprintf("nn: BatchNorm3d training needs more than one value per channel, "+
			"got x %v", x.Data.Shape))
	}
	mean, variance := stats(x.Data.Data, g)
	if hasRunning {
		unbias := float64(g.count()) / float64(g.count()-1)
		m := state.Momentum
		for c := range g.c {
			state.RunningMean[c] = T((1-m)*float64(state.RunningMean[c]) + m*mean[c])
			state.RunningVar[c] = T((1-m)*float64(state.RunningVar[c]) + m*variance[c]*unbias)
		}
	}
	spec.mean, spec.invStd = mean, inverseStd(variance, state.Eps)
	return normalize(spec, x, gamma, beta)
}

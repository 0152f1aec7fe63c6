package nn

import (
	"fmt"
	"slices"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// Conv3d returns the 3-D cross-correlation of x [N, Cin, D, H, W] with weight
// [Cout, Cin, kD, kH, kW] plus bias [Cout] (or none when bias is nil), with zero
// padding and the given stride per axis (D, H, W):
//
//	out[n, o, z, y, x] = bias[o] + sum_{c, a, b, e} weight[o, c, a, b, e] *
//	                     xpad[n, c, z*sD + a, y*sH + b, x*sW + e]
//
// out is [N, Cout, Do, Ho, Wo] with Do = floor((D + 2pD - kD) / sD) + 1 (PyTorch's rule).
// Backward: grad x (the adjoint: gout gathered back onto the input grid times W^T),
// grad weight (gout times the columns of x, tile by tile) and grad bias (the sums of
// gout per channel).
//
// The products run tile by tile on up to GOMAXPROCS goroutines, through sgemm for
// float32; the whole batch is never unfolded. Three forms, k = kD*kH*kW:
//
//   - a 3x3x3 kernel with stride 1 and padding 1, at least 8 input and output channels
//     and a volume of at least 6^3 (the U-Net's convolutions down to 1/8 of the patch
//     at 48^3): the Winograd form of conv_winograd.go, F(4x4x4, 3x3x3) where the sides
//     are multiples of 4 and at least 16, else F(2x2x2, 3x3x3), for the forward and
//     both gradients; a worker holds blocks of about 2^18 transformed values;
//   - stride 1 with at least 8 input and 16..64 output channels and few padded
//     positions (shiftMaxJunk): the shifted-window form of conv_shift.go, no columns;
//     a worker holds a padded slab of about 2^20 elements (at least kD padded slices
//     of Hp*Wp*Cin) and an output tile of the slab's positions times Cout;
//   - otherwise columns gathered per tile: at most Cin*k*(max(256, 2^17/(Cin*k)) + Wo)
//     elements per worker. A 1x1x1 kernel with stride 1 and no padding reads x in
//     place. Samples of at most max(1024, 2^17/(Cs*k))/2 output voxels (Cs the
//     channels of the gathered side: Cin forward, Cout for the input gradient) are put
//     several to a tile and gathered a block of channels at a time (conv_batch.go
//     states that scratch).
func Conv3d[T tensor.Float](x, weight, bias *autograd.Value[T],
	stride, padding [3]int) *autograd.Value[T] {
	return Conv3dConcat([]*autograd.Value[T]{x}, weight, bias, stride, padding)
}

// Conv3dConcat is Conv3d of the concatenation of parts along the channel axis
// (torch.cat(parts, 1), parts [N, C_i, D, H, W] with sum C_i = Cin) without storing
// that concatenation: the products read each part in place of its channels, and the
// input gradient goes into each part's gradient. The U-Net decoder applies it to
// its skip connection and its upsampled input.
func Conv3dConcat[T tensor.Float](parts []*autograd.Value[T], weight, bias *autograd.Value[T],
	stride, padding [3]int) *autograd.Value[T] {
	parts = slices.Clone(parts) // the backward reads them; the caller may reuse its slice
	xs, ws := concatShape(parts), weight.Shape()
	if len(xs) != 5 || len(ws) != 5 || ws[1] != xs[1] {
		panic(fmt.Sprintf("nn: Conv3d input %v does not fit weight %v "+
			"([N, Cin, D, H, W] and [Cout, Cin, kD, kH, kW])", xs, ws))
	}
	checkBias("Conv3d", bias, ws[0])
	kernel, inDims := [3]int{ws[2], ws[3], ws[4]}, [3]int{xs[2], xs[3], xs[4]}
	var outDims [3]int
	for axis := range 3 {
		checkStridePad("Conv3d", xs, ws, stride, padding, axis)
		outDims[axis] = (inDims[axis]+2*padding[axis]-kernel[axis])/stride[axis] + 1
		if inDims[axis]+2*padding[axis] < kernel[axis] {
			panic(fmt.Sprintf("nn: Conv3d kernel %v larger than padded input %v", ws, xs))
		}
	}

	plan := newConvPlan(xs[0], xs[1], ws[0], inDims, outDims, kernel, stride, padding)
	out := tensor.Zeros[T](xs[0], ws[0], outDims[0], outDims[1], outDims[2])
	convForward(plan, out.Data, partsData(parts, false), weight.Data.Data, biasData(bias))

	inputs := append(append([]*autograd.Value[T](nil), parts...), weight)
	if bias != nil {
		inputs = append(inputs, bias)
	}
	return weight.Tape().RecordOwnedUnread("conv3d", out, inputs, func(g *tensor.Tensor[T]) {
		if weight.RequiresGrad() {
			convBackwardWeight(plan, weight.GradBuffer().Data, partsData(parts, false), g.Data)
		}
		for _, p := range parts {
			p.ReleaseAfterLastUse() // its gradient, allocated next, may take its memory
		}
		if grads := partsData(parts, true); grads.data != nil {
			convBackwardData(plan, grads, g.Data, weight.Data.Data, nil)
		}
		if bias != nil && bias.RequiresGrad() {
			addChannelSums(bias.GradBuffer().Data, g)
		}
	})
}

// concatShape returns the shape of the concatenation of parts along axis 1, or the
// first part's shape when the parts do not fit together (for Conv3d's message).
func concatShape[T tensor.Float](parts []*autograd.Value[T]) []int {
	if len(parts) == 0 {
		panic("nn: Conv3dConcat of no parts")
	}
	shape := append([]int(nil), parts[0].Shape()...)
	for _, p := range parts[1:] {
		ps := p.Shape()
		if len(ps) != 5 || len(shape) != 5 || ps[0] != shape[0] ||
			[3]int(ps[2:]) != [3]int(shape[2:]) {
			panic(fmt.Sprintf("nn: Conv3dConcat parts %v and %v differ in more than "+
				"their channels", parts[0].Shape(), ps))
		}
		shape[1] += ps[1]
	}
	return shape
}

// partsData returns the parts' data as one channelParts, or with grads their
// gradient buffers (nil for a part that needs no gradient; data nil when none does).
func partsData[T tensor.Float](parts []*autograd.Value[T], grads bool) channelParts[T] {
	shape := parts[0].Shape()
	cp := channelParts[T]{volume: shape[2] * shape[3] * shape[4]}
	anyGrad := false
	for _, p := range parts {
		cp.channels = append(cp.channels, p.Shape()[1])
		switch {
		case !grads:
			cp.data = append(cp.data, p.Data.Data)
		case p.RequiresGrad():
			cp.data = append(cp.data, p.GradBuffer().Data)
			anyGrad = true
		default:
			cp.data = append(cp.data, nil)
		}
	}
	if grads && !anyGrad {
		cp.data = nil
	}
	return cp
}

// ConvTranspose3d returns the transposed convolution (the adjoint of Conv3d's map from
// its input to its output) of x [N, Cin, D, H, W] with weight [Cin, Cout, kD, kH, kW]
// plus bias [Cout] (or none when bias is nil):
//
//	out[n, o, z*sD - pD + a, y*sH - pH + b, x*sW - pW + e] +=
//	        x[n, c, z, y, x] * weight[c, o, a, b, e]       (entries outside are dropped)
//
// out is [N, Cout, Do, Ho, Wo] with Do = (D - 1)*sD - 2pD + kD (PyTorch's rule, no output
// padding). Backward: grad x is Conv3d of gout with weight, grad weight the correlation
// of gout with x, grad bias the sums of gout per channel. Tiles as in Conv3d.
func ConvTranspose3d[T tensor.Float](x, weight, bias *autograd.Value[T],
	stride, padding [3]int) *autograd.Value[T] {
	xs, ws := x.Shape(), weight.Shape()
	if len(xs) != 5 || len(ws) != 5 || ws[0] != xs[1] {
		panic(fmt.Sprintf("nn: ConvTranspose3d input %v does not fit weight %v "+
			"([N, Cin, D, H, W] and [Cin, Cout, kD, kH, kW])", xs, ws))
	}
	checkBias("ConvTranspose3d", bias, ws[1])
	// TODO(output_padding): PyTorch's output_padding (extra trailing outputs) is not
	// supported; the U-Net upsamples trilinearly and does not need it.
	kernel, inDims := [3]int{ws[2], ws[3], ws[4]}, [3]int{xs[2], xs[3], xs[4]}
	var outDims [3]int
	for axis := range 3 {
		checkStridePad("ConvTranspose3d", xs, ws, stride, padding, axis)
		outDims[axis] = (inDims[axis]-1)*stride[axis] - 2*padding[axis] + kernel[axis]
		if outDims[axis] < 1 {
			panic(fmt.Sprintf("nn: ConvTranspose3d padding %v too large for input %v "+
				"and weight %v", padding, xs, ws))
		}
	}

	plan := newConvPlan(xs[0], ws[1], xs[1], outDims, inDims, kernel, stride, padding)
	out := tensor.Zeros[T](xs[0], ws[1], outDims[0], outDims[1], outDims[2])
	outVolume := outDims[0] * outDims[1] * outDims[2]
	convBackwardData(plan, onePart(out.Data, ws[1], outVolume), x.Data.Data,
		weight.Data.Data, biasData(bias))

	inputs := convInputs(x, weight, bias)
	return x.Tape().RecordOwnedUnread("conv_transpose3d", out, inputs,
		func(g *tensor.Tensor[T]) {
			if weight.RequiresGrad() {
				convBackwardWeight(plan, weight.GradBuffer().Data,
					onePart(g.Data, ws[1], outVolume), x.Data.Data)
			}
			x.ReleaseAfterLastUse()
			if x.RequiresGrad() {
				convForward(plan, x.GradBuffer().Data, onePart(g.Data, ws[1], outVolume),
					weight.Data.Data, nil)
			}
			if bias != nil && bias.RequiresGrad() {
				addChannelSums(bias.GradBuffer().Data, g)
			}
		})
}

// convForward accumulates y += conv(x) + bias for the plan's X -> Y direction:
// y[n] [Cy, Y] += w [Cy, Cx*taps] im2col(x[n]) [Cx*taps, Y] + bias [Cy] (nil: none).
// x may be in parts; the gathered form joins them first.
func convForward[T tensor.Float](p *convPlan, y []T, x channelParts[T], w, bias []T) {
	yVolume := p.yDims[0] * p.yDims[1] * p.yDims[2]
	if p.winograd != nil {
		u := winogradKernel(p.winograd.f, w, p.cy, p.cx, false)
		winogradProduct(p.winograd, onePart(y, p.cy, yVolume), x, u.Data, bias)
		tensor.Recycle(u)
		return
	}
	if p.shiftY != nil {
		wTaps := tapKernels(w, p.cy, p.cx, p.taps, false)
		shiftProduct(onePart(y, p.cy, yVolume), x, wTaps.Data, bias, p.shiftY, p.batch)
		tensor.Recycle(wTaps)
		return
	}
	joined, release := x.joined(p.batch)
	gatherProduct(y, joined, w, bias, p.cy, p.specToY(), p.batch)
	release()
}

// convBackwardData accumulates x += conv^T(y) + bias: x[n] [Cx, X] += w^T [Cx, Cy*taps]
// gather(y[n]) [Cy*taps, X] + bias [Cx] (nil: none), with w [Cy, Cx*taps] as in
// convForward. x may be in parts (nil parts are not computed by the shifted form); the
// gathered form computes the whole and adds it into the parts.
func convBackwardData[T tensor.Float](p *convPlan, x channelParts[T], y, w, bias []T) {
	yVolume := p.yDims[0] * p.yDims[1] * p.yDims[2]
	if p.winograd != nil {
		u := winogradKernel(p.winograd.f, w, p.cy, p.cx, true)
		winogradProduct(p.winograd, x, onePart(y, p.cy, yVolume), u.Data, bias)
		tensor.Recycle(u)
		return
	}
	if p.shiftX != nil {
		wTaps := tapKernels(w, p.cy, p.cx, p.taps, true)
		shiftProduct(x, onePart(y, p.cy, yVolume), wTaps.Data, bias, p.shiftX, p.batch)
		tensor.Recycle(wTaps)
		return
	}
	wAdjoint := adjointKernel(w, p.cy, p.cx, p.taps)
	defer tensor.Recycle(wAdjoint)
	if whole := x.single(); whole != nil {
		gatherProduct(whole, y, wAdjoint.Data, bias, p.cx, p.specToX(), p.batch)
		return
	}
	whole := tensor.Zeros[T](p.batch * p.cx * x.volume)
	gatherProduct(whole.Data, y, wAdjoint.Data, bias, p.cx, p.specToX(), p.batch)
	x.addJoined(whole.Data, p.batch)
	tensor.Recycle(whole)
}

// convBackwardWeight accumulates gw [Cy, Cx*taps] += sum_n y[n] im2col(x[n])^T, x
// possibly in parts.
func convBackwardWeight[T tensor.Float](p *convPlan, gw []T, x channelParts[T], y []T) {
	if p.winograd != nil {
		winogradWeight(p.winograd, gw, x, y)
		return
	}
	if p.shiftY != nil {
		gwTaps := tensor.Zeros[T](len(gw))
		shiftWeight(gwTaps.Data, x, y, p.shiftY, p.batch)
		addTapGradients(gw, gwTaps.Data, p.cy, p.cx, p.taps)
		tensor.Recycle(gwTaps)
		return
	}
	joined, release := x.joined(p.batch)
	weightProduct(gw, joined, y, p.cy, p.specToY(), p.batch)
	release()
}

// adjointKernel rearranges w [cy, cx, taps] into [cx, cy*taps]:
// out[c, o*taps + t] = w[o, c, t]. The result comes from tensor's free list (the
// kernels of deep layers are megabytes, faulted in afresh on every call otherwise);
// the caller recycles it.
func adjointKernel[T tensor.Float](w []T, cy, cx, taps int) *tensor.Tensor[T] {
	adjoint := tensor.Zeros[T](len(w))
	out := adjoint.Data
	for o := range cy {
		for c := range cx {
			copy(out[(c*cy+o)*taps:(c*cy+o+1)*taps], w[(o*cx+c)*taps:(o*cx+c+1)*taps])
		}
	}
	return adjoint
}

// biasData returns the bias values, or nil for no bias.
func biasData[T tensor.Float](bias *autograd.Value[T]) []T {
	if bias == nil {
		return nil
	}
	return bias.Data.Data
}

// addChannelSums adds to gb [C] the sums of g [N, C, D, H, W] over N, D, H and W,
// accumulated in float64: each (n, c) plane summed on its own (sumOf, planes spread
// over the cores), then the planes added per channel in (n, c) order.
func addChannelSums[T tensor.Float](gb []T, g *tensor.Tensor[T]) {
	channels, planes := g.Shape[1], g.Shape[0]*g.Shape[1]
	vol := g.Numel() / max(planes, 1)
	planeSums := make([]float64, planes)
	forPlanes(planes, vol, func(_, i int) {
		planeSums[i] = sumOf(g.Data[i*vol : (i+1)*vol])
	})

	sums := make([]float64, channels)
	for i, s := range planeSums {
		sums[i%channels] += s
	}
	for c, s := range sums {
		gb[c] += T(s)
	}
}

// convInputs lists the inputs of a convolution node (bias only when present).
func convInputs[T tensor.Float](x, weight, bias *autograd.Value[T]) []*autograd.Value[T] {
	if bias == nil {
		return []*autograd.Value[T]{x, weight}
	}
	return []*autograd.Value[T]{x, weight, bias}
}

func checkBias[T tensor.Float](op string, bias *autograd.Value[T], channels int) {
	if bias != nil && (len(bias.Shape()) != 1 || bias.Shape()[0] != channels) {
		panic(fmt.Sprintf("nn: %s bias %v, want [%d]", op, bias.Shape(), channels))
	}
}

func checkStridePad(op string, xs, ws []int, stride, padding [3]int, axis int) {
	if stride[axis] < 1 || padding[axis] < 0 {
		panic(fmt.Sprintf("nn: %s stride %v or padding %v invalid for input %v weight %v",
			op, stride, padding, xs, ws))
	}
}

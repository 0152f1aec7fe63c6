package nn

import (
	"fmt"
	"math"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// UpsampleTrilinear resizes x [N, C, D, H, W] to [N, C, size[0], size[1], size[2]] by
// trilinear interpolation (PyTorch's F.interpolate with mode "trilinear" and size).
// Along each axis with input length in and output length out, output i reads
//
//	src = max((i + 0.5) * in/out - 0.5, 0)          (alignCorners false)
//	src = i * (in-1)/(out-1), or 0 when out == 1     (alignCorners true)
//	i0 = min(floor(src), in-1), i1 = min(i0+1, in-1), l1 = clamp(src - i0, 0, 1)
//	out[i] = (1 - l1) * x[i0] + l1 * x[i1]
//
// and the three axes are applied one after the other (the interpolation is separable).
// Backward: the transpose, each gout element scattered back with the same weights.
func UpsampleTrilinear[T tensor.Float](x *autograd.Value[T], size [3]int,
	alignCorners bool) *autograd.Value[T] {
	in := spatialDims("UpsampleTrilinear", x.Shape(), size)
	var tables [3]resampleTable[T]
	for axis := range 3 {
		scale := float64(in[axis]) / float64(size[axis])
		tables[axis] = linearTable[T](in[axis], size[axis], scale, alignCorners)
	}
	return resample(x, "upsample_trilinear", tables)
}

// UpsampleTrilinearScale is UpsampleTrilinear with a scale factor per axis: the output
// length is floor(in * scale) and, following PyTorch, the source coordinate uses the
// ratio 1/scale (not in/out) when alignCorners is false.
func UpsampleTrilinearScale[T tensor.Float](x *autograd.Value[T], scale [3]float64,
	alignCorners bool) *autograd.Value[T] {
	size := scaledSize("UpsampleTrilinearScale", x.Shape(), scale)
	in := spatialDims("UpsampleTrilinearScale", x.Shape(), size)
	var tables [3]resampleTable[T]
	for axis := range 3 {
		tables[axis] = linearTable[T](in[axis], size[axis], 1/scale[axis], alignCorners)
	}
	return resample(x, "upsample_trilinear", tables)
}

// UpsampleNearest resizes x [N, C, D, H, W] to [N, C, size[0], size[1], size[2]] by
// PyTorch's legacy nearest rule (mode "nearest"): along an axis, output i reads
// src = i when out == in, i >> 1 when out == 2*in, and otherwise
// min(floor(float32(i) * float32(in/out)), in-1), in float32 arithmetic as PyTorch's CPU
// kernel. Backward: each gout element is added to the element it copied.
func UpsampleNearest[T tensor.Float](x *autograd.Value[T], size [3]int) *autograd.Value[T] {
	in := spatialDims("UpsampleNearest", x.Shape(), size)
	var tables [3]resampleTable[T]
	for axis := range 3 {
		scale := float32(in[axis]) / float32(size[axis])
		tables[axis] = nearestTable[T](in[axis], size[axis], scale)
	}
	return resample(x, "upsample_nearest", tables)
}

// UpsampleNearestScale is UpsampleNearest with a scale factor per axis: the output
// length is floor(in * scale) and the float32 ratio is float32(1/scale).
func UpsampleNearestScale[T tensor.Float](x *autograd.Value[T],
	scale [3]float64) *autograd.Value[T] {
	size := scaledSize("UpsampleNearestScale", x.Shape(), scale)
	in := spatialDims("UpsampleNearestScale", x.Shape(), size)
	var tables [3]resampleTable[T]
	for axis := range 3 {
		tables[axis] = nearestTable[T](in[axis], size[axis], float32(1/scale[axis]))
	}
	return resample(x, "upsample_nearest", tables)
}

// resampleTable is the 1-D map of one axis: out[i] = (1 - l1[i]) x[i0[i]] + l1[i] x[i1[i]],
// a plain copy of x[i0[i]] when l1[i] is 0.
type resampleTable[T tensor.Float] struct {
	i0, i1 []int
	l1     []T
}

// linearTable builds the trilinear map of one axis; scale is the source step used
// when alignCorners is false.
func linearTable[T tensor.Float](in, out int, scale float64,
	alignCorners bool) resampleTable[T] {
	t := resampleTable[T]{i0: make([]int, out), i1: make([]int, out), l1: make([]T, out)}
	for i := range out {
		var src float64
		switch {
		case !alignCorners:
			src = max((float64(i)+0.5)*scale-0.5, 0)
		case out > 1:
			src = float64(i) * float64(in-1) / float64(out-1)
		}
		i0 := min(int(math.Floor(src)), in-1)
		t.i0[i], t.i1[i] = i0, min(i0+1, in-1)
		t.l1[i] = T(min(max(src-float64(i0), 0), 1))
	}
	return t
}

// nearestTable builds the legacy nearest map of one axis with the float32 ratio scale.
func nearestTable[T tensor.Float](in, out int, scale float32) resampleTable[T] {
	t := resampleTable[T]{i0: make([]int, out), i1: make([]int, out), l1: make([]T, out)}
	for i := range out {
		var src int
		switch {
		case out == in:
			src = i
		case out == 2*in:
			src = i >> 1
		default:
			product := float32(i) * scale
			src = min(int(math.Floor(float64(product))), in-1)
		}
		t.i0[i], t.i1[i] = src, src
	}
	return t
}

// spatialDims checks x is [N, C, D, H, W] and size is positive, and returns (D, H, W).
func spatialDims(op string, xs []int, size [3]int) [3]int {
	if len(xs) != 5 || size[0] < 1 || size[1] < 1 || size[2] < 1 ||
		xs[2] < 1 || xs[3] < 1 || xs[4] < 1 {
		panic(fmt.Sprintf("nn: %s input %v to size %v, want [N, C, D, H, W] and sizes >= 1",
			op, xs, size))
	}
	return [3]int{xs[2], xs[3], xs[4]}
}

// scaledSize returns floor(in * scale) per spatial axis of xs.
func scaledSize(op string, xs []int, scale [3]float64) [3]int {
	if len(xs) != 5 || !(scale[0] > 0 && scale[1] > 0 && scale[2] > 0) {
		panic(fmt.Sprintf("nn: %s input %v with scale %v, want [N, C, D, H, W] and "+
			"scales > 0", op, xs, scale))
	}
	var size [3]int
	for axis := range 3 {
		size[axis] = int(math.Floor(float64(xs[2+axis]) * scale[axis]))
	}
	return size
}

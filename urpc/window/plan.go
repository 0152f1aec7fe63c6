// Package window runs a patch-based segmentation network over a whole 3-D volume by
// sliding-window inference, independently of the network itself (which is a Predictor).
//
// The tiling is that of SSL4MIS test_single_case (docs/urpc-method.md §5). Volumes are
// row-major [D, H, W] (W fastest). Along each axis:
//
//   - an axis shorter than the patch is zero-padded by (pad/2, pad - pad/2), where
//     pad = patch - size, and the padding is cropped from the result;
//   - on the padded size, n = ceil((size - patch) / stride) + 1 windows start at
//     min(stride*i, size - patch), so the last window ends exactly at the border;
//   - the class probabilities of overlapping windows are averaged voxel by voxel:
//     summed and divided by the number of windows covering the voxel, or, with the
//     Gaussian option, weighted by a Gaussian importance map and divided by the sum of
//     weights.
package window

import "fmt"

// Plan is the tiling of one volume: its padding and the window starts on each axis.
type Plan struct {
	Shape     [3]int   // image size along D, H, W
	Patch     [3]int   // window size along D, H, W
	PadBefore [3]int   // zeros added before the image on each axis
	PadAfter  [3]int   // zeros added after the image on each axis
	Padded    [3]int   // Shape + PadBefore + PadAfter
	Stride    [3]int   // step between window starts before the last one
	Starts    [3][]int // window starts along each axis, in padded coordinates
}

// NewPlan tiles a volume of the given shape with windows of size patch, whose starts
// are stride apart on each axis (the last one moved back to end at the border). It
// panics unless shape, patch and stride are positive and stride <= patch (a longer
// stride would leave voxels that no window covers).
func NewPlan(shape, patch, stride [3]int) Plan {
	p := Plan{Shape: shape, Patch: patch, Stride: stride}
	for a := range 3 {
		if shape[a] <= 0 || patch[a] <= 0 || stride[a] <= 0 {
			panic("window: shape, patch and stride must be positive")
		}
		if stride[a] > patch[a] {
			panic("window: stride longer than the patch leaves voxels uncovered")
		}
		if pad := patch[a] - shape[a]; pad > 0 {
			p.PadBefore[a], p.PadAfter[a] = pad/2, pad-pad/2
		}
		p.Padded[a] = shape[a] + p.PadBefore[a] + p.PadAfter[a]
		p.Starts[a] = axisStarts(p.Padded[a], patch[a], stride[a])
	}
	return p
}

// axisStarts returns the window starts along one axis of (padded) length size >= patch:
// n = ceil((size - patch) / stride) + 1 starts, the i-th at min(stride*i, size - patch).
func axisStarts(size, patch, stride int) []int {
	n := (size-patch+stride-1)/stride + 1
	starts := make([]int, n)
	for i := range starts {
		starts[i] = min(stride*i, size-patch)
	}
	return starts
}

// NumWindows returns the number of windows in the plan.
func (p Plan) NumWindows() int {
	return len(p.Starts[0]) * len(p.Starts[1]) * len(p.Starts[2])
}

// Window returns the start, in padded coordinates, of window k, windows being numbered
// in raster order of their starts (D slowest, W fastest).
func (p Plan) Window(k int) [3]int {
	nh, nw := len(p.Starts[1]), len(p.Starts[2])
	return [3]int{p.Starts[0][k/(nh*nw)], p.Starts[1][k/nw%nh], p.Starts[2][k%nw]}
}

// Coverage returns, for every index of the padded axis, how many window starts along
// that axis cover it. The number of windows covering a voxel is the product of the
// three axes' coverages.
func (p Plan) Coverage(axis int) []int {
	if axis < 0 || axis > 2 {
		panic("window: axis must be 0, 1 or 2")
	}
	c := make([]int, p.Padded[axis])
	for _, s := range p.Starts[axis] {
		for i := s; i < s+p.Patch[axis]; i++ {
			c[i]++
		}
	}
	return c
}

// String describes the plan in one line, for logs.
func (p Plan) String() string {
	return fmt.Sprintf("shape %v padded %v patch %v stride %v: %dx%dx%d = %d windows",
		p.Shape, p.Padded, p.Patch, p.Stride,
		len(p.Starts[0]), len(p.Starts[1]), len(p.Starts[2]), p.NumWindows())
}

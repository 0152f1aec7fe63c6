package window

import (
	"fmt"
	"math"
)

// Predictor runs the network on n single-channel patches. batch holds them as
// [n, 1, pd, ph, pw] with patch = (pd, ph, pw); the result must be class probabilities
// [n, C, pd, ph, pw] (softmax already applied), C being the numClasses given to Predict.
// batch is reused between calls, so the Predictor must not keep it.
type Predictor func(batch []float32, n int, patch [3]int) ([]float32, error)

// Options configures sliding-window inference.
type Options struct {
	Patch     [3]int // window size along D, H, W
	Stride    [3]int // step between window starts along D, H, W
	BatchSize int    // windows per Predictor call; values below 1 mean 1

	// Gaussian weights each window's probabilities by an importance map that falls off
	// from the patch centre, as nnU-Net does, instead of weighting all voxels equally
	// (SSL4MIS, the default). The map is the product over axes of
	// exp(-(i - (p-1)/2)^2 / (2 sigma^2)) with sigma = p/8, p the patch size along the
	// axis, scaled to a maximum of 1. Unlike nnU-Net it is centred at the geometric
	// centre (p-1)/2 rather than at voxel p/2 and not truncated; its smallest value,
	// about exp(-24) in a corner, needs no clamping.
	Gaussian bool
}

// Predict runs predict over every window of the plan NewPlan(shape, opts.Patch,
// opts.Stride) and returns the averaged class probabilities [numClasses, D, H, W] of
// the row-major [D, H, W] image, with the padding cropped away. An error of predict is
// returned wrapped, as is a result of the wrong length. Predict panics if the image
// length does not match shape or if numClasses, the patch or the stride is not positive.
func Predict(image []float32, shape [3]int, numClasses int, opts Options,
	predict Predictor) ([]float32, error) {
	if numClasses < 1 {
		panic("window: numClasses must be positive")
	}
	plan := NewPlan(shape, opts.Patch, opts.Stride)
	if len(image) != shape[0]*shape[1]*shape[2] {
		panic("window: image length does not match shape")
	}
	acc, wsum, err := accumulate(padImage(image, plan), plan, numClasses, opts, predict)
	if err != nil {
		return nil, err
	}
	return normalizeAndCrop(acc, wsum, plan, numClasses), nil
}

// Segment is Predict followed by Argmax: the label map [D, H, W] of the image.
func Segment(image []float32, shape [3]int, numClasses int, opts Options,
	predict Predictor) ([]uint8, error) {
	probs, err := Predict(image, shape, numClasses, opts, predict)
	if err != nil {
		return nil, err
	}
	return Argmax(probs, numClasses, shape), nil
}

// Argmax returns, for every voxel of probs [numClasses, D, H, W], the class with the
// largest value; ties go to the lowest class, as numpy.argmax does. It panics unless
// 1 <= numClasses <= 256 and len(probs) = numClasses*D*H*W.
func Argmax(probs []float32, numClasses int, shape [3]int) []uint8 {
	if numClasses < 1 || numClasses > 256 {
		panic("window: numClasses must be in 1..256")
	}
	vol := shape[0] * shape[1] * shape[2]
	if shape[0] <= 0 || shape[1] <= 0 || shape[2] <= 0 || len(probs) != numClasses*vol {
		panic("window: probs length does not match [numClasses, D, H, W]")
	}
	labels := make([]uint8, vol)
	for v := range labels {
		best, bestP := 0, probs[v]
		for c := 1; c < numClasses; c++ {
			if p := probs[c*vol+v]; p > bestP {
				best, bestP = c, p
			}
		}
		labels[v] = uint8(best)
	}
	return labels
}

// padImage returns the image zero-padded to plan.Padded, or the image itself when no
// axis needs padding.
func padImage(image []float32, p Plan) []float32 {
	if p.Padded == p.Shape {
		return image
	}
	padded := make([]float32, p.Padded[0]*p.Padded[1]*p.Padded[2])
	forRows(p.Shape, p.Padded, p.PadBefore, func(src, dst int) {
		copy(padded[dst:dst+p.Shape[2]], image[src:src+p.Shape[2]])
	})
	return padded
}

// accumulate runs predict over all windows, opts.BatchSize at a time, and returns the
// weighted sum of probabilities acc [C, padded D, H, W] and the sum of weights wsum
// [padded D, H, W].
func accumulate(padded []float32, p Plan, numClasses int, opts Options,
	predict Predictor) (acc, wsum []float32, err error) {
	weights := patchWeights(p.Patch, opts.Gaussian)
	pv := len(weights)
	vol := len(padded)
	acc = make([]float32, numClasses*vol)
	wsum = make([]float32, vol)
	total := p.NumWindows()
	bs := min(max(opts.BatchSize, 1), total)
	batch := make([]float32, bs*pv)
	for first := 0; first < total; first += bs {
		n := min(bs, total-first)
		for k := range n {
			patch := batch[k*pv : (k+1)*pv]
			forRows(p.Patch, p.Padded, p.Window(first+k), func(src, dst int) {
				copy(patch[src:src+p.Patch[2]], padded[dst:dst+p.Patch[2]])
			})
		}
		out, err := predict(batch[:n*pv], n, p.Patch)
		if err != nil {
			return nil, nil, fmt.Errorf("window: predictor on windows %d-%d of %d: %w",
				first, first+n-1, total, err)
		}
		if len(out) != n*numClasses*pv {
			return nil, nil, fmt.Errorf("window: predictor returned %d values for %d "+
				"windows, want %d ([n, C=%d, %v])", len(out), n, n*numClasses*pv,
				numClasses, p.Patch)
		}
		for k := range n {
			probs := out[k*numClasses*pv : (k+1)*numClasses*pv]
			addWindow(acc, wsum, probs, weights, p, p.Window(first+k))
		}
	}
	return acc, wsum, nil
}

// addWindow adds one window's weighted probabilities probs [C, pd, ph, pw] to acc and
// its weights to wsum, at the window's place start in the padded volume.
func addWindow(acc, wsum, probs, weights []float32, p Plan, start [3]int) {
	vol, pv, pw := len(wsum), len(weights), p.Patch[2]
	numClasses := len(probs) / pv
	forRows(p.Patch, p.Padded, start, func(src, dst int) {
		w := weights[src : src+pw]
		s := wsum[dst : dst+pw]
		for x := range w {
			s[x] += w[x]
		}
		for c := range numClasses {
			a := acc[c*vol+dst : c*vol+dst+pw]
			q := probs[c*pv+src : c*pv+src+pw]
			for x := range w {
				a[x] += w[x] * q[x]
			}
		}
	})
}

// normalizeAndCrop divides acc by wsum and cuts the padding away, giving
// [C, D, H, W] probabilities of the original image.
func normalizeAndCrop(acc, wsum []float32, p Plan, numClasses int) []float32 {
	vol := p.Shape[0] * p.Shape[1] * p.Shape[2]
	pvol := len(wsum)
	out := make([]float32, numClasses*vol)
	w := p.Shape[2]
	forRows(p.Shape, p.Padded, p.PadBefore, func(src, dst int) {
		for c := range numClasses {
			o := out[c*vol+src : c*vol+src+w]
			a := acc[c*pvol+dst : c*pvol+dst+w]
			for x := range o {
				o[x] = a[x] / wsum[dst+x]
			}
		}
	})
	return out
}

// forRows visits a box of size box placed at offset inside a volume of size outer,
// one W row at a time: visit(src, dst) gets the row's flat index in the box and in the
// volume; each row has box[2] voxels.
func forRows(box, outer, offset [3]int, visit func(src, dst int)) {
	for d := 0; d < box[0]; d++ {
		for h := 0; h < box[1]; h++ {
			src := (d*box[1] + h) * box[2]
			dst := ((offset[0]+d)*outer[1]+offset[1]+h)*outer[2] + offset[2]
			visit(src, dst)
		}
	}
}

// patchWeights returns the per-voxel weight [pd, ph, pw] of a window: all 1, or the
// Gaussian importance map described at Options.Gaussian.
func patchWeights(patch [3]int, gaussian bool) []float32 {
	w := make([]float32, patch[0]*patch[1]*patch[2])
	if !gaussian {
		for i := range w {
			w[i] = 1
		}
		return w
	}
	var axes [3][]float64
	peak := 1.0
	for a := range 3 {
		p := float64(patch[a])
		sigma, centre := p/8, (p-1)/2
		axes[a] = make([]float64, patch[a])
		for i := range axes[a] {
			x := (float64(i) - centre) / sigma
			axes[a][i] = math.Exp(-x * x / 2)
		}
		// The largest value sits at the one or two voxels nearest the centre.
		peak *= axes[a][patch[a]/2]
	}
	i := 0
	for _, gd := range axes[0] {
		for _, gh := range axes[1] {
			for _, gw := range axes[2] {
				w[i] = float32(gd * gh * gw / peak)
				i++
			}
		}
	}
	return w
}

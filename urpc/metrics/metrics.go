// Package metrics scores binary and multi-class 3-D segmentations the way the URPC
// evaluation does (see docs/urpc-method.md §5): Dice, Jaccard, RAVD and the surface
// distances HD95, HD, ASD (both directions) and ASSD, in voxels and in millimetres.
//
// Volumes are row-major [D, H, W] (W fastest). Conventions follow medpy.metric.binary
// with 6-connectivity:
//
//   - surface(A) = A minus its erosion by the 6-neighbour cross; voxels outside the
//     volume count as background, so objects touching the border have a surface there;
//   - sd(A->B) = exact Euclidean distance from each surface voxel of A to the nearest
//     surface voxel of B, scaled by the voxel spacing;
//   - HD95 = 95th percentile (numpy's default linear interpolation) of sd(P->G) and
//     sd(G->P) pooled; HD = the largest of them;
//   - ASDPredToGT = mean sd(P->G) (medpy's asd(pred, gt), what SSL4MIS reports since
//     2022-11-01), ASDGTToPred = mean sd(G->P) (what it reported before), ASSD = the mean
//     of the two;
//   - Dice = 2|P∩G|/(|P|+|G|) and Jaccard = |P∩G|/|P∪G| as fractions in [0, 1] (multiply
//     by 100 for the paper's %); RAVD = (|P|-|G|)/|G|, signed.
//
// Empty masks never give NaN or a panic. If both masks are empty, Dice = Jaccard = 1
// and every distance and RAVD is 0. If exactly one is empty, Dice = Jaccard = 0 and every
// distance (HD95, HD, both ASDs, ASSD) is the volume's diagonal in the unit asked, and
// Result.Empty says which one was empty. An empty ground truth has no relative volume
// difference; RAVD then divides by 1 voxel instead, giving |P|.
package metrics

import (
	"math"
	"slices"
)

// Spacing is the voxel size along the D, H and W axes, in millimetres.
type Spacing [3]float64

// Distances holds the surface-distance metrics of one comparison in one unit.
type Distances struct {
	HD95        float64 `json:"hd95"`           // 95th percentile of both directions pooled
	HD          float64 `json:"hd"`             // largest distance of both directions
	ASDPredToGT float64 `json:"asd_pred_to_gt"` // mean sd(pred -> gt), medpy asd(pred, gt)
	ASDGTToPred float64 `json:"asd_gt_to_pred"` // mean sd(gt -> pred)
	ASSD        float64 `json:"assd"`           // mean of the two directed ASDs
}

// Result holds every metric of one binary comparison (one class of one case), or the
// mean of several.
type Result struct {
	Dice    float64   `json:"dice"`    // fraction in [0, 1]
	Jaccard float64   `json:"jaccard"` // fraction in [0, 1]
	RAVD    float64   `json:"ravd"`    // signed (|P|-|G|)/|G|
	Vox     Distances `json:"vox"`     // distances in voxel units (spacing 1, 1, 1)
	MM      Distances `json:"mm"`      // distances in millimetres (the given spacing)

	// Empty is "" when both masks have voxels, "pred" or "gt" when only that mask is
	// empty (distances are then the volume diagonal), and "both" when both are.
	Empty string `json:"empty"`

	PredVoxels  int `json:"pred_voxels"`  // |P|
	GTVoxels    int `json:"gt_voxels"`    // |G|
	PredSurface int `json:"pred_surface"` // surface voxels of P
	GTSurface   int `json:"gt_surface"`   // surface voxels of G
}

// Binary compares a predicted and a ground-truth binary mask, both row-major [D, H, W]
// of the given shape, with voxel size spacing along D, H, W. It panics if the lengths do
// not match the shape or a spacing is not positive and finite.
func Binary(pred, gt []bool, shape [3]int, spacing Spacing) Result {
	checkVolume(len(pred), shape)
	checkVolume(len(gt), shape)
	checkSpacing(spacing)
	var r Result
	inter := 0
	for i, p := range pred {
		if p {
			r.PredVoxels++
			if gt[i] {
				inter++
			}
		}
		if gt[i] {
			r.GTVoxels++
		}
	}
	surfP, surfG := Surface(pred, shape), Surface(gt, shape)
	r.PredSurface, r.GTSurface = count(surfP), count(surfG)

	switch {
	case r.PredVoxels == 0 && r.GTVoxels == 0:
		r.Empty = "both"
		r.Dice, r.Jaccard = 1, 1
		return r
	case r.PredVoxels == 0:
		r.Empty = "pred"
	case r.GTVoxels == 0:
		r.Empty = "gt"
	}
	np, ng, ni := float64(r.PredVoxels), float64(r.GTVoxels), float64(inter)
	r.Dice = 2 * ni / (np + ng)
	r.Jaccard = ni / (np + ng - ni)
	r.RAVD = (np - ng) / math.Max(ng, 1)
	if r.Empty != "" {
		r.Vox = allDistances(diagonal(shape, Spacing{1, 1, 1}))
		r.MM = allDistances(diagonal(shape, spacing))
		return r
	}
	bb, _ := boundingBox(surfP, surfG, shape)
	r.Vox = surfaceMetrics(surfP, surfG, shape, Spacing{1, 1, 1}, bb)
	if spacing == (Spacing{1, 1, 1}) {
		r.MM = r.Vox
	} else {
		r.MM = surfaceMetrics(surfP, surfG, shape, spacing, bb)
	}
	return r
}

// surfaceMetrics computes HD95, HD and the directed and symmetric ASDs between two
// non-empty surfaces whose voxels all lie inside bb.
func surfaceMetrics(surfP, surfG []bool, shape [3]int, spacing Spacing, bb box) Distances {
	pg := surfaceDistances(surfP, surfG, shape, spacing, bb)
	gp := surfaceDistances(surfG, surfP, shape, spacing, bb)
	var d Distances
	d.ASDPredToGT = average(pg)
	d.ASDGTToPred = average(gp)
	d.ASSD = (d.ASDPredToGT + d.ASDGTToPred) / 2
	pooled := append(pg, gp...)
	d.HD = slices.Max(pooled)
	d.HD95 = percentile(pooled, 95)
	return d
}

// PerClass compares two label maps (row-major [D, H, W], values 0..numClasses-1, 0 the
// background) class by class. perClass[c-1] is the Result of foreground class c; mean
// is their average (Mean). Labels at or above numClasses belong to no class scored. It
// panics if numClasses < 2 or the lengths do not match the shape.
func PerClass(pred, gt []uint8, shape [3]int, spacing Spacing,
	numClasses int) (perClass []Result, mean Result) {
	if numClasses < 2 || numClasses > 256 {
		panic("metrics: numClasses must be in 2..256")
	}
	checkVolume(len(pred), shape)
	checkVolume(len(gt), shape)
	p := make([]bool, len(pred))
	g := make([]bool, len(gt))
	perClass = make([]Result, 0, numClasses-1)
	for c := 1; c < numClasses; c++ {
		for i := range pred {
			p[i] = int(pred[i]) == c
			g[i] = int(gt[i]) == c
		}
		perClass = append(perClass, Binary(p, g, shape, spacing))
	}
	return perClass, Mean(perClass)
}

// Mean averages every metric field of rs (Dice, Jaccard, RAVD and all distances). The
// voxel counts of the result are 0 and its Empty is "": read the flags from rs. The mean
// of no results is the zero Result.
func Mean(rs []Result) Result {
	var m Result
	if len(rs) == 0 {
		return m
	}
	for _, r := range rs {
		m.Dice += r.Dice
		m.Jaccard += r.Jaccard
		m.RAVD += r.RAVD
		m.Vox = addDistances(m.Vox, r.Vox, 1)
		m.MM = addDistances(m.MM, r.MM, 1)
	}
	n := float64(len(rs))
	m.Dice /= n
	m.Jaccard /= n
	m.RAVD /= n
	m.Vox = addDistances(Distances{}, m.Vox, 1/n)
	m.MM = addDistances(Distances{}, m.MM, 1/n)
	return m
}

// addDistances returns a + scale*b field by field.
func addDistances(a, b Distances, scale float64) Distances {
	return Distances{
		HD95:        a.HD95 + scale*b.HD95,
		HD:          a.HD + scale*b.HD,
		ASDPredToGT: a.ASDPredToGT + scale*b.ASDPredToGT,
		ASDGTToPred: a.ASDGTToPred + scale*b.ASDGTToPred,
		ASSD:        a.ASSD + scale*b.ASSD,
	}
}

// allDistances returns Distances with every field set to v.
func allDistances(v float64) Distances {
	return Distances{HD95: v, HD: v, ASDPredToGT: v, ASDGTToPred: v, ASSD: v}
}

// diagonal returns the length of the diagonal of the volume's bounding box,
// sqrt(sum_a (shape[a]*spacing[a])^2): longer than any distance between two voxel
// centres, so an empty mask always scores worse than a poor non-empty one.
func diagonal(shape [3]int, spacing Spacing) float64 {
	var s float64
	for a := range 3 {
		e := float64(shape[a]) * spacing[a]
		s += e * e
	}
	return math.Sqrt(s)
}

// count returns the number of true entries of m.
func count(m []bool) int {
	n := 0
	for _, v := range m {
		if v {
			n++
		}
	}
	return n
}

// average returns the arithmetic mean of a non-empty slice.
func average(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// checkVolume panics unless shape is positive and n = D*H*W.
func checkVolume(n int, shape [3]int) {
	if shape[0] <= 0 || shape[1] <= 0 || shape[2] <= 0 {
		panic("metrics: shape must be positive")
	}
	if n != shape[0]*shape[1]*shape[2] {
		panic("metrics: volume length does not match shape")
	}
}

// checkSpacing panics unless every spacing is positive and finite.
func checkSpacing(s Spacing) {
	for _, v := range s {
		if !(v > 0) || math.IsInf(v, 1) {
			panic("metrics: spacing must be positive and finite")
		}
	}
}

package metrics

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os/exec"
	"testing"
)

// systemPython is Debian's interpreter, the one with python3-scipy; the python3 first on
// PATH may be another one.
const systemPython = "/usr/bin/python3"

// scipyOracle is an independent Python version of the metrics, written from the
// definitions in tests/testdata/golden/README.md with scipy.ndimage. It reads a list of
// cases on stdin and writes, per case, the distance transform to the gt voxels and the
// metrics with spacing 1 ("vox") and with the case's spacing ("mm").
const scipyOracle = `
import json, sys
import numpy as np
from scipy import ndimage

cross = ndimage.generate_binary_structure(3, 1)

def surface(m):
    return m ^ ndimage.binary_erosion(m, structure=cross, border_value=0)

def distances(p, g, sampling):
    sp, sg = surface(p), surface(g)
    pg = ndimage.distance_transform_edt(~sg, sampling=sampling)[sp]
    gp = ndimage.distance_transform_edt(~sp, sampling=sampling)[sg]
    both = np.concatenate([pg, gp])
    return {"hd95": float(np.percentile(both, 95)), "hd": float(both.max()),
            "asd_pred_to_gt": float(pg.mean()), "asd_gt_to_pred": float(gp.mean()),
            "assd": float((pg.mean() + gp.mean()) / 2)}

out = []
for c in json.load(sys.stdin):
    shape = tuple(c["shape"])
    p = np.array(c["pred"], dtype=bool).reshape(shape)
    g = np.array(c["gt"], dtype=bool).reshape(shape)
    edt = ndimage.distance_transform_edt(~g, sampling=c["spacing"])
    out.append({"edt": edt.ravel().tolist(), "vox": distances(p, g, [1, 1, 1]),
                "mm": distances(p, g, c["spacing"])})
json.dump(out, sys.stdout)
`

// scipyCase is one input of scipyOracle.
type scipyCase struct {
	Shape   [3]int  `json:"shape"`
	Spacing Spacing `json:"spacing"`
	Pred    []bool  `json:"pred"`
	GT      []bool  `json:"gt"`
}

// scipyAnswer is scipyOracle's output for one case.
type scipyAnswer struct {
	EDT []float64 `json:"edt"`
	Vox Distances `json:"vox"`
	MM  Distances `json:"mm"`
}

// TestAgainstScipy compares EDT with scipy.ndimage.distance_transform_edt(sampling=...)
// and Binary with the scipy version of the metrics, on random volumes of a few thousand
// voxels with anisotropic spacing.
func TestAgainstScipy(t *testing.T) {
	if err := exec.Command(systemPython, "-c", "import scipy.ndimage").Run(); err != nil {
		t.Skipf("%s cannot import scipy.ndimage (%v): install Debian's python3-scipy",
			systemPython, err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	var cases []scipyCase
	for range 12 {
		shape := randomShape(rng, 6, 24)
		c := scipyCase{Shape: shape, Spacing: randomSpacing(rng)}
		for c.hasEmptyMask() {
			c.Pred = randomMask(rng, shape, 0.03*rng.Float64())
			c.GT = randomMask(rng, shape, 0.03*rng.Float64())
		}
		cases = append(cases, c)
	}
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(systemPython, "-c", scipyOracle)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("scipy oracle: %v\n%s", err, stderr.String())
	}
	var answers []scipyAnswer
	if err := json.Unmarshal(raw, &answers); err != nil || len(answers) != len(cases) {
		t.Fatalf("scipy oracle output: %v (%d answers for %d cases)", err, len(answers), len(cases))
	}
	worst := 0.0
	for i, c := range cases {
		got := EDT(c.GT, c.Shape, c.Spacing)
		for j, want := range answers[i].EDT {
			worst = max(worst, math.Abs(got[j]-want))
		}
		r := Binary(c.Pred, c.GT, c.Shape, c.Spacing)
		checkDistances(t, "scipy mm", r.MM, answers[i].MM)
		checkDistances(t, "scipy vox", r.Vox, answers[i].Vox)
	}
	if worst > 1e-12 {
		t.Errorf("EDT differs from scipy by up to %.3g", worst)
	}
	t.Logf("%d cases checked against scipy; worst EDT difference %.3g", len(cases), worst)
}

// hasEmptyMask reports whether either mask of the case has no voxel.
func (c scipyCase) hasEmptyMask() bool {
	return count(c.Pred) == 0 || count(c.GT) == 0
}

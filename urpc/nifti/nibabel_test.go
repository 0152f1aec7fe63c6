package nifti

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// systemPython is Debian's interpreter, the one that has python3-nibabel; the
// python3 first on PATH may be another one.
const systemPython = "/usr/bin/python3"

// nibabelScript loads each file named on the command line with nibabel and prints one
// JSON object per file: shape, affine, the qform nibabel derives from the header, the
// transform codes and the scaled voxel values as base64 little-endian float64 in
// nibabel's (x fastest) order.
const nibabelScript = `
import base64, json, sys
import numpy as np
import nibabel as nib
for path in sys.argv[1:]:
    img = nib.load(path)
    h = img.header
    data = np.asarray(img.dataobj, dtype=np.float64)
    flat = data.reshape(-1, order="F").astype("<f8")
    print(json.dumps({
        "shape": [int(n) for n in data.shape],
        "affine": img.affine.tolist(),
        "qform": h.get_qform().tolist(),
        "codes": [int(h["qform_code"]), int(h["sform_code"])],
        "dtype": str(h.get_data_dtype()),
        "data": base64.b64encode(flat.tobytes()).decode(),
    }))
`

// nibabelView is what nibabelScript prints about one file.
type nibabelView struct {
	Shape  []int
	Affine [4][4]float64
	Qform  [4][4]float64
	Codes  [2]int32
	Dtype  string
	Data   string
}

// loadWithNibabel runs nibabelScript on paths, or skips the test without nibabel.
func loadWithNibabel(t *testing.T, paths []string) []nibabelView {
	t.Helper()
	if err := exec.Command(systemPython, "-c", "import nibabel").Run(); err != nil {
		t.Skipf("nibabel is not available to %s (%v); install python3-nibabel to "+
			"check this package against it", systemPython, err)
	}
	out, err := exec.Command(systemPython, append([]string{"-c", nibabelScript},
		paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("nibabel failed: %v\n%s", err, out)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	views := make([]nibabelView, len(paths))
	for i := range views {
		if err := dec.Decode(&views[i]); err != nil {
			t.Fatalf("reading nibabel's output for %s: %v\n%s", paths[i], err, out)
		}
	}
	return views
}

// TestAgainstNibabel writes files with this package (through WriteLabels,
// WriteFloat32 and, for every voxel type, byte order and version, encodeImage), loads
// them with nibabel, and requires nibabel and Read to agree exactly on the values and
// the affine (to 1e-14 when it comes from a qform), and nibabel's qform of the written
// files to match their affine to float32 precision.
func TestAgainstNibabel(t *testing.T) {
	dir := t.TempDir()
	ref := obliqueRef(t)
	var paths []string
	labels := make([]uint8, ref.Voxels())
	probs := make([]float32, ref.Voxels())
	for i := range labels {
		labels[i], probs[i] = uint8(255-i), float32(i)/3-2
	}
	for _, name := range []string{"seg.nii.gz", "seg.nii"} {
		paths = append(paths, filepath.Join(dir, name), filepath.Join(dir, "p"+name))
		if err := WriteLabels(paths[len(paths)-2], labels, ref); err != nil {
			t.Fatal(err)
		}
		if err := WriteFloat32(paths[len(paths)-1], probs, ref); err != nil {
			t.Fatal(err)
		}
	}
	for i, h := range nibabelInputs() {
		vals := fitToType(extremes(h.Datatype), h.Datatype)
		h.Dim = [8]int64{3, int64(len(vals)), 1, 1, 1, 1, 1, 1}
		b, err := encodeImage(h, vals)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("in%02d_v%d_%v_%v.nii", i, h.Version, h.ByteOrder, h.Datatype)
		paths = append(paths, writeTemp(t, name, b))
	}
	for i, view := range loadWithNibabel(t, paths) {
		compareWithNibabel(t, paths[i], view)
	}
}

// nibabelInputs returns headers of every readable type in both byte orders and both
// versions, with sform, qform or neither, and some scaling.
func nibabelInputs() []*Header {
	var hs []*Header
	for k, dt := range readableTypes {
		for _, version := range []int{1, 2} {
			for _, order := range []binary.ByteOrder{le, be} {
				h := testHeader(version, order, dt, 1)
				h.QformCode = 1
				h.Quatern = [3]float64{-0.3, 0.1, 0.5}
				h.QOffset = [3]float64{1.5, -2, 100}
				h.Pixdim[0] = float64(1 - 2*(k%2)) // qfac
				switch k % 3 {
				case 0:
					h.SformCode = 4
					h.Srow = [3][4]float64{{0.9, 0.1, 0, -5}, {0, 1.1, 0.2, 7}, {0.3, 0, -1, 2}}
				case 1:
					h.QformCode = 0 // nibabel's fallback differs; see the package doc
					h.SformCode = 1
					h.Srow = [3][4]float64{{-1, 0, 0, 3}, {0, 1, 0, 4}, {0, 0, 1, 5}}
				}
				if dt != Float32 && dt != Float64 && k%2 == 0 {
					h.SclSlope, h.SclInter = 0.25, -3
				}
				hs = append(hs, h)
			}
		}
	}
	return hs
}

// compareWithNibabel requires Read of path to agree with what nibabel saw.
func compareWithNibabel(t *testing.T, path string, view nibabelView) {
	t.Helper()
	v, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(view.Data)
	if err != nil || len(raw) != 8*len(v.Data) {
		t.Fatalf("%s: nibabel gave %d bytes of data for %d voxels (%v)", path, len(raw),
			len(v.Data), err)
	}
	for i, got := range v.Data {
		want := float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
		if got != want && !(got != got && want != want) {
			t.Errorf("%s: voxel %d is %v here, %v in nibabel", path, i, got, want)
		}
	}
	// An sform is copied, so it must agree exactly; a qform-only affine is computed,
	// in a different order of operations than nibabel's, so it may differ by rounding.
	tol := 0.0
	if v.Header.SformCode <= 0 {
		tol = 1e-14
	}
	if d := maxDiff(v.Affine, view.Affine); d > tol {
		t.Errorf("%s: affine differs by %g:\nhere    %v\nnibabel %v", path, d, v.Affine,
			view.Affine)
	}
	// The files written by WriteLabels and WriteFloat32 hold the affine in the qform
	// too: nibabel must decode that quaternion to the same matrix.
	if written := !strings.HasPrefix(filepath.Base(path), "in"); written {
		if d := maxDiff(view.Qform, v.Affine); d > 1e-5 {
			t.Errorf("%s: nibabel's qform is %g from the affine", path, d)
		}
	}
	if view.Codes != [2]int32{v.Header.QformCode, v.Header.SformCode} {
		t.Errorf("%s: codes %v in nibabel", path, view.Codes)
	}
}

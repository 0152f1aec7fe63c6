package nifti

import (
	"fmt"
	"io"
	"math"
)

// newVolume checks the header's voxel type, axes and transforms and returns the
// volume they describe, still without data.
func newVolume(h *Header, asLabels bool) (*Volume, error) {
	if err := checkReadable(h.Datatype); err != nil {
		return nil, err
	}
	nd := h.Dim[0]
	if nd < 1 || nd > 7 {
		return nil, fmt.Errorf("dim[0] is %d; want 1 to 7 axes", nd)
	}
	v := &Volume{Dims: [3]int{1, 1, 1}, Frames: 1, Header: h}
	total := int64(1)
	for i := int64(1); i <= nd; i++ {
		n := h.Dim[i]
		if n < 1 {
			return nil, fmt.Errorf("dim[%d] is %d (dim = %v); want at least 1 voxel "+
				"along each of the dim[0] = %d axes", i, n, h.Dim, nd)
		}
		if n > maxVoxels/total {
			return nil, fmt.Errorf("dim = %v gives more than 2^40 voxels; the header "+
				"is corrupt", h.Dim)
		}
		total *= n
		if i <= 3 {
			v.Dims[i-1] = int(n)
		} else {
			v.Frames *= int(n)
		}
	}
	if asLabels && v.Frames > 1 {
		return nil, fmt.Errorf("a label map must be one 3-D volume, but dim = %v "+
			"holds %d volumes of %dx%dx%d; read it with Read and pick a Frame", h.Dim,
			v.Frames, v.Dims[0], v.Dims[1], v.Dims[2])
	}
	v.Spacing = voxelSpacing(h)
	var err error
	if v.Affine, err = voxelToWorld(h); err != nil {
		return nil, err
	}
	if _, _, err := scaling(h); err != nil {
		return nil, err
	}
	return v, nil
}

// checkSize refuses a header whose voxels cannot fit in the input: limit is the file
// size, or for gzip the most its compressed bytes can expand to.
func checkSize(h *Header, v *Volume, limit int64, gz bool) error {
	nbytes := int64(v.Voxels()) * int64(v.Frames) * int64(h.Datatype.Size())
	if h.VoxOffset <= limit && nbytes <= limit-h.VoxOffset {
		return nil
	}
	avail := max(limit-h.VoxOffset, 0)
	what := fmt.Sprintf("the file has %d bytes", limit)
	if gz {
		what = fmt.Sprintf("%d compressed bytes expand to at most %d",
			limit/maxDeflateRatio, limit)
	}
	return fmt.Errorf("dim = %v of %v needs %d voxel bytes after vox_offset %d, but "+
		"only %d can follow it (%s): the dim field is wrong or the file is truncated",
		h.Dim[:h.Dim[0]+1], h.Datatype, nbytes, h.VoxOffset, avail, what)
}

// skipTo discards the bytes between the end of the header (consumed bytes read) and
// the voxel data at offset: the extension flag and any extensions.
func skipTo(src io.Reader, offset, consumed int64) error {
	if offset <= consumed {
		return nil
	}
	n, err := io.CopyN(io.Discard, src, offset-consumed)
	if err != nil {
		return fmt.Errorf("the file ends at byte %d, before vox_offset %d: %w",
			consumed+n, offset, truncated(err))
	}
	return nil
}

// scaling returns the slope and intercept to apply to stored values: the header's
// scl_slope and scl_inter, or (1, 0) when scl_slope is 0 or not finite, which the
// standard defines as "no scaling". A valid slope with an intercept that is not
// finite is an error.
func scaling(h *Header) (slope, inter float64, err error) {
	s, b := h.SclSlope, h.SclInter
	if s == 0 || math.IsNaN(s) || math.IsInf(s, 0) {
		return 1, 0, nil
	}
	if math.IsNaN(b) || math.IsInf(b, 0) {
		return 0, 0, fmt.Errorf("scl_slope is %v but scl_inter is %v; want a finite "+
			"scl_inter, or scl_slope 0 for no scaling", s, b)
	}
	return s, b, nil
}

// readVoxels reads the voxel data of v from src, converts it to float32 with the
// scaling applied into v.Data, and with asLabels also returns it as labels. The output
// grows as data arrives, so a truncated input is found before much is allocated.
func readVoxels(src io.Reader, v *Volume, asLabels bool) ([]uint8, error) {
	h := v.Header
	slope, inter, _ := scaling(h)
	esize := int64(h.Datatype.Size())
	nvox := int64(v.Voxels()) * int64(v.Frames)
	const chunk = 1 << 14
	raw := make([]byte, chunk*esize)
	vals := make([]float64, chunk)
	data := make([]float32, 0, min(nvox, growChunk))
	var labels []uint8
	if asLabels {
		labels = make([]uint8, 0, min(nvox, growChunk))
	}
	for done := int64(0); done < nvox; {
		n := min(chunk, nvox-done)
		if got, err := io.ReadFull(src, raw[:n*esize]); err != nil {
			return nil, fmt.Errorf("the voxel data ends after %d of %d bytes: %w",
				done*esize+int64(got), nvox*esize, truncated(err))
		}
		decodeValues(vals[:n], raw[:n*esize], h.Datatype, h.ByteOrder)
		for k, x := range vals[:n] {
			y := x*slope + inter
			data = append(data, float32(y))
			if !asLabels {
				continue
			}
			if !(y >= 0 && y <= 255 && y == math.Trunc(y)) {
				return nil, notLabel(v, done+int64(k), x, y)
			}
			labels = append(labels, uint8(y))
		}
		done += n
	}
	v.Data = data
	return labels, nil
}

// notLabel explains why voxel number idx (stored value x, scaled y) is not a label.
func notLabel(v *Volume, idx int64, x, y float64) error {
	nx, ny, nz := int64(v.Dims[0]), int64(v.Dims[1]), int64(v.Dims[2])
	i, j, k := idx%nx, idx/nx%ny, idx/(nx*ny)%nz
	scaled := ""
	if x != y {
		scaled = fmt.Sprintf(" (stored %v, scaled by scl_slope/scl_inter)", x)
	}
	return fmt.Errorf("voxel (i=%d, j=%d, k=%d) holds %v%s; a label map must hold "+
		"whole numbers from 0 to 255: is this an image rather than a label map?",
		i, j, k, y, scaled)
}

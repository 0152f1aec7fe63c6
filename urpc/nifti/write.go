package nifti

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// intentLabel is NIFTI_INTENT_LABEL: the voxel values are indices into a set of labels.
const intentLabel = 1002

// WriteLabels writes a 3-D label map as uint8 voxels, with the geometry of ref: one
// label per voxel of one frame of ref, in the order of Volume.Data (x fastest). See
// WriteFloat32 for the file written.
func WriteLabels(path string, labels []uint8, ref *Volume) error {
	h, err := derivedHeader(ref, Uint8, len(labels), false)
	if err != nil {
		return fmt.Errorf("nifti: writing %s: %w", path, err)
	}
	h.IntentCode = intentLabel
	return writeFile(path, h, func(w io.Writer) error {
		_, err := w.Write(labels)
		return err
	})
}

// WriteFloat32 writes data (probabilities, uncertainty, an image) as float32 voxels
// with the geometry of ref: one value per voxel of ref (all its frames) or of one
// frame, in the order of Volume.Data (x fastest).
//
// The file is a single-file NIfTI-1 image, little-endian, gzip-compressed if path ends
// in ".gz", written to a temporary file in the same folder and renamed into place.
// Both the sform and the qform hold ref.Affine (the qform as closely as a rotation,
// voxel steps and qfac can: exactly unless the affine shears), with the codes of ref's
// header, or qform_code 1 and sform_code 2 where those are unset (not 1 to 5);
// pixdim holds the voxel steps of the affine; scl_slope is 1 and scl_inter 0.
func WriteFloat32(path string, data []float32, ref *Volume) error {
	h, err := derivedHeader(ref, Float32, len(data), true)
	if err != nil {
		return fmt.Errorf("nifti: writing %s: %w", path, err)
	}
	return writeFile(path, h, func(w io.Writer) error {
		buf := make([]byte, 4<<10)
		for len(data) > 0 {
			n := min(len(data), len(buf)/4)
			for i, v := range data[:n] {
				binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
			}
			if _, err := w.Write(buf[:4*n]); err != nil {
				return err
			}
			data = data[n:]
		}
		return nil
	})
}

// TODO(extensions): header extensions, intent parameters and slice timing of the
// reference are not carried over; only units, dim_info, descrip and toffset are.

// derivedHeader returns the NIfTI-1 header for n voxels of type t laid out like ref.
// n must be one frame of ref, or with allFrames also all of ref's frames.
func derivedHeader(ref *Volume, t DataType, n int, allFrames bool) (*Header, error) {
	if ref == nil {
		return nil, fmt.Errorf("no reference volume to take the geometry from")
	}
	if ref.Dims[0] < 1 || ref.Dims[1] < 1 || ref.Dims[2] < 1 {
		return nil, fmt.Errorf("reference dims %v; want at least 1 voxel per axis", ref.Dims)
	}
	h := &Header{Version: 1, ByteOrder: le, Datatype: t, SclSlope: 1, XYZTUnits: 2}
	if src := ref.Header; src != nil {
		h.XYZTUnits, h.DimInfo, h.Descrip = src.XYZTUnits, src.DimInfo, src.Descrip
		h.TOffset, h.QformCode, h.SformCode = src.TOffset, src.QformCode, src.SformCode
		copy(h.Pixdim[4:], src.Pixdim[4:])
	}
	h.Dim = [8]int64{3, int64(ref.Dims[0]), int64(ref.Dims[1]), int64(ref.Dims[2]), 1, 1, 1, 1}
	switch {
	case n == ref.Voxels():
	case allFrames && ref.Frames > 1 && n == ref.Voxels()*ref.Frames && ref.Header != nil:
		copy(h.Dim[:], ref.Header.Dim[:])
	default:
		return nil, fmt.Errorf("%d values for a reference of %dx%dx%d voxels in %d "+
			"frame(s); want one value per voxel", n, ref.Dims[0], ref.Dims[1],
			ref.Dims[2], ref.Frames)
	}
	for r := range 3 {
		for c := range 4 {
			// NIfTI-1 stores the affine as float32; larger values would become Inf.
			if v := ref.Affine[r][c]; !(math.Abs(v) <= math.MaxFloat32) {
				return nil, fmt.Errorf("reference affine[%d][%d] is %v; want a finite "+
					"value within the float32 range of NIfTI-1", r, c, v)
			}
			h.Srow[r][c] = ref.Affine[r][c]
		}
	}
	var steps [3]float64
	h.Quatern, h.QOffset, steps, h.Pixdim[0] = qformOf(ref.Affine)
	copy(h.Pixdim[1:4], steps[:])
	// Codes outside the standard's 1 (scanner) to 5 (other template) count as unset.
	if h.QformCode < 1 || h.QformCode > 5 {
		h.QformCode = 1
	}
	if h.SformCode < 1 || h.SformCode > 5 {
		h.SformCode = 2
	}
	return h, nil
}

// writeFile writes header h, then the voxels that body writes, to a temporary file in
// path's folder, gzip-compressed if path ends in ".gz", and renames it to path.
func writeFile(path string, h *Header, body func(io.Writer) error) (err error) {
	lower := strings.ToLower(path)
	if !strings.HasSuffix(lower, ".nii") && !strings.HasSuffix(lower, ".nii.gz") {
		return fmt.Errorf("nifti: writing %s: the name must end in .nii or .nii.gz", path)
	}
	hdr, err := marshalHeader(h)
	if err != nil {
		return fmt.Errorf("nifti: writing %s: %w", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("nifti: writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("nifti: writing %s: %w", path, err)
		}
	}()
	bw := bufio.NewWriterSize(f, 64<<10)
	var w io.Writer = bw
	var zw *gzip.Writer
	if strings.HasSuffix(lower, ".gz") {
		zw = gzip.NewWriter(bw)
		w = zw
	}
	if _, err = w.Write(hdr); err != nil {
		return err
	}
	if err = body(w); err != nil {
		return err
	}
	if zw != nil {
		if err = zw.Close(); err != nil {
			return err
		}
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

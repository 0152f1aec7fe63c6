package nifti

// Volume is an image read from a NIfTI file, with its voxel values as float32 after
// the file's scaling (scl_slope, scl_inter) has been applied.
//
// Memory order: Data holds the voxels in the file's order, x (the first axis, index i)
// fastest, then y (j), then z (k), then the frames of a 4-D file:
//
//	Data[i + Dims[0]*(j + Dims[1]*(k + Dims[2]*t))]
//
// Read the other way round, that is a row-major (C order) array of shape
// [Frames, z, y, x]; a 3-D volume is thus already the row-major [D, H, W] = [z, y, x]
// array that the tensor code uses, without any copy (see DHW).
type Volume struct {
	// Data holds Dims[0]*Dims[1]*Dims[2]*Frames voxel values, x fastest.
	Data []float32
	// Dims holds the number of voxels along x, y and z (axes i, j, k) as stored.
	// A file with fewer than three axes has 1 for the missing ones.
	Dims [3]int
	// Frames is the number of 3-D volumes: the product of the sizes of axes 4 to 7,
	// 1 for a 3-D file (trailing axes of size 1 are squeezed away).
	Frames int
	// Spacing is the voxel step along x, y and z, always > 0: |pixdim[1..3]|, with 1
	// for a step stored as 0 or not finite. It is usually in millimetres
	// (Header.XYZTUnits says).
	Spacing [3]float64
	// Affine maps voxel indices (i, j, k, 1) to RAS+ world coordinates (x, y, z, 1):
	// the sform if sform_code > 0, else the qform if qform_code > 0, else
	// diag(Spacing) with the origin at voxel (0, 0, 0).
	Affine [4][4]float64
	// Header holds the header as read, for writing derived volumes back.
	Header *Header
}

// Voxels returns the number of voxels in one 3-D frame.
func (v *Volume) Voxels() int { return v.Dims[0] * v.Dims[1] * v.Dims[2] }

// ShapeDHW returns the frame shape as [D, H, W] = [z, y, x] = [Dims[2], Dims[1],
// Dims[0]], the shape under which Data (one frame of it) is a row-major array.
func (v *Volume) ShapeDHW() [3]int { return [3]int{v.Dims[2], v.Dims[1], v.Dims[0]} }

// DHW returns Data itself, with no copy, and its shape [D, H, W] = [z, y, x]: element
// (d, h, w) is data[(d*H + h)*W + w], the voxel at i = w, j = h, k = d. It panics if
// the volume has more than one frame; use Frame then.
func (v *Volume) DHW() (data []float32, shape [3]int) {
	if v.Frames != 1 {
		panic("nifti: DHW of a volume with several frames; use Frame")
	}
	return v.Data, v.ShapeDHW()
}

// Frame returns frame t (0 <= t < Frames) of Data, with no copy, as a row-major
// [D, H, W] = [z, y, x] array of shape ShapeDHW. It panics if t is out of range.
func (v *Volume) Frame(t int) []float32 {
	if t < 0 || t >= v.Frames {
		panic("nifti: Frame index out of range")
	}
	n := v.Voxels()
	return v.Data[t*n : (t+1)*n : (t+1)*n]
}

// Package nifti reads and writes NIfTI-1 and NIfTI-2 images (.nii and .nii.gz), the
// file format of the segmentation data sets, using only the standard library.
//
// Read returns an image as float32 voxels with its geometry (Volume); ReadLabels
// returns a label map as uint8. WriteLabels and WriteFloat32 write a segmentation or a
// probability map with the geometry of the image it was computed from.
//
// # Memory order
//
// Voxels are kept in the file's order, x (index i) fastest, then y, then z. That is a
// row-major [D, H, W] = [z, y, x] array, so Volume.Data of a 3-D volume can be used as
// a [D, H, W] tensor without copying; see Volume and Volume.DHW.
//
// # What each kind of input gets
//
// Every refusal is an error that names the file, the header field and what was
// expected; no input makes the reader panic.
//
//   - Compression: a file starting with the gzip magic bytes is decompressed (several
//     gzip members are read as one stream; bytes after the last member that do not
//     start another are ignored), whatever its name; any other file is read as is.
//     The gzip checksum is verified when the stream ends within 1 MiB after the voxel
//     data.
//   - Version and byte order: sizeof_hdr (348 for NIfTI-1, 540 for NIfTI-2, read in
//     both byte orders) gives both; any other value is "not a NIfTI file".
//   - Magic: "n+1" or "n+2" (single file) is read. "ni1"/"ni2" (a .hdr/.img pair) and
//     files without magic (Analyze 7.5) are refused; a NIfTI-2 magic with damaged
//     trailing bytes is refused with a hint about text-mode transfers.
//   - Voxel types: uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32
//     and float64 are converted to float32 (values beyond float32 precision round).
//     RGB and complex types are refused with a message saying so, as are binary and
//     float128. bitpix is not consulted: datatype alone gives the voxel size.
//   - Scaling: stored values are mapped to slope*x + inter with scl_slope and
//     scl_inter, computed in float64. A slope of 0, NaN or ±Inf means no scaling (the
//     intercept is then ignored); a valid slope with a non-finite intercept is refused.
//   - Axes: dim[0] must be 1 to 7 and every used axis at least 1 long. Missing spatial
//     axes count as 1; axes 4 to 7 are flattened into Volume.Frames, so trailing axes
//     of length 1 vanish. Read accepts several frames; ReadLabels refuses them.
//   - Size: before anything is allocated, the voxel bytes the header claims must fit
//     in the file (.nii) or in what its compressed bytes can expand to (.nii.gz: 1032
//     times), and the voxel count must be below 2^40. The output then grows as voxel
//     data actually arrives; a file that ends early is reported as truncated.
//   - Data start: vox_offset is honoured, which skips extensions. A NIfTI-1
//     vox_offset that is negative, fractional or not finite is refused. A vox_offset
//     smaller than the header (0 in many files) means the voxels follow the header and
//     its 4 extension-flag bytes, unless that flag announces extensions, which is
//     refused since the data cannot then be found. Bytes after the voxels are ignored.
//   - Affine: the sform when sform_code > 0, else the qform when qform_code > 0, else
//     the diagonal of the voxel steps with the origin at voxel 0 (the standard's
//     "method 1"; nibabel instead centres an Analyze-style affine here). The qform
//     uses a = sqrt(1-b²-c²-d²), qfac = -1 if pixdim[0] is -1 and 1 otherwise, and the
//     voxel steps; a quaternion whose (b, c, d) is longer than 1 beyond float32
//     rounding is refused, as are non-finite values in the transform used.
//   - Spacing: |pixdim[1..3]|, with 1 for a step of 0 or not finite, so it is always
//     positive.
//   - Labels (ReadLabels): every scaled value must be a whole number from 0 to 255,
//     whatever the voxel type (float label maps of whole numbers are fine); the first
//     voxel that is not is named by its (i, j, k).
//
// The writers produce single-file NIfTI-1 with the reference's affine in both sform
// and qform; see WriteFloat32.
package nifti

package nifti

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Header sizes and magic strings of the two NIfTI versions. A single-file image's
// header is followed by 4 extension-flag bytes, so its voxels start at 352 or 544
// at the earliest.
const (
	sizeofHdr1 = 348
	sizeofHdr2 = 540
	minOffset1 = sizeofHdr1 + 4
	minOffset2 = sizeofHdr2 + 4

	magic1     = "n+1\x00"
	magic1Pair = "ni1\x00"
	magic2     = "n+2\x00\r\n\x1a\n"
	magic2Pair = "ni2\x00\r\n\x1a\n"
)

// Header holds the fields of a NIfTI-1 or NIfTI-2 header in NIfTI-2 widths, so one
// type serves both versions. It is kept on every Volume so that a volume derived from
// it can be written back with the same geometry and metadata. The Analyze-legacy
// fields of NIfTI-1 (data_type, db_name, extents, session_error, regular, glmax,
// glmin) are not kept.
type Header struct {
	// Version is 1 or 2.
	Version int
	// ByteOrder is the byte order of the header and voxels as stored.
	ByteOrder binary.ByteOrder
	// Datatype is the voxel type code (datatype field).
	Datatype DataType
	// Dim is the dim field: Dim[0] axes, then the size of each axis.
	Dim [8]int64
	// Pixdim is the pixdim field: Pixdim[0] is qfac, then the step of each axis.
	Pixdim [8]float64
	// VoxOffset is where the voxels start in the (decompressed) file: vox_offset, or
	// the end of the header and its extension flag where vox_offset is smaller than
	// the header (unset). The writers ignore it.
	VoxOffset int64
	// SclSlope and SclInter are the voxel scaling fields as stored.
	SclSlope, SclInter float64
	// CalMax and CalMin are the display range fields.
	CalMax, CalMin float64
	// SliceDuration and TOffset are the slice timing and time-origin fields.
	SliceDuration, TOffset float64
	// SliceStart, SliceEnd and SliceCode describe the slice acquisition order.
	SliceStart, SliceEnd int64
	SliceCode            int32
	// DimInfo packs the frequency, phase and slice axes (dim_info).
	DimInfo uint8
	// XYZTUnits packs the space and time units (xyzt_units).
	XYZTUnits int32
	// IntentCode, IntentP and IntentName give the meaning of the voxel values.
	IntentCode int32
	IntentP    [3]float64
	IntentName string
	// Descrip and AuxFile are free text.
	Descrip, AuxFile string
	// QformCode and SformCode say what space each transform maps to (0: unset).
	QformCode, SformCode int32
	// Quatern holds quatern_b, quatern_c, quatern_d; QOffset holds qoffset_x,y,z.
	Quatern, QOffset [3]float64
	// Srow holds srow_x, srow_y and srow_z, the first three rows of the sform.
	Srow [3][4]float64
}

// le and be shorten the two byte orders.
var (
	le = binary.LittleEndian
	be = binary.BigEndian
)

// detectVersion reads the sizeof_hdr field (the first 4 bytes), which is 348 for
// NIfTI-1 and 540 for NIfTI-2 in the file's own byte order.
func detectVersion(b []byte) (version int, order binary.ByteOrder, err error) {
	for _, o := range []binary.ByteOrder{le, be} {
		switch o.Uint32(b) {
		case sizeofHdr1:
			return 1, o, nil
		case sizeofHdr2:
			return 2, o, nil
		}
	}
	return 0, nil, fmt.Errorf("sizeof_hdr is %d (bytes % x); want 348 (NIfTI-1) or "+
		"540 (NIfTI-2) in either byte order: not a NIfTI file", le.Uint32(b), b[:4])
}

// cstring returns the bytes of a fixed-width text field up to its first NUL.
func cstring(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// f32 reads a float32 field and widens it.
func f32(o binary.ByteOrder, b []byte) float64 {
	return float64(math.Float32frombits(o.Uint32(b)))
}

// f64 reads a float64 field.
func f64(o binary.ByteOrder, b []byte) float64 {
	return math.Float64frombits(o.Uint64(b))
}

// parseHeader1 decodes a 348-byte NIfTI-1 header after its magic has been checked.
func parseHeader1(b []byte, o binary.ByteOrder) *Header {
	h := &Header{Version: 1, ByteOrder: o}
	i16 := func(off int) int64 { return int64(int16(o.Uint16(b[off:]))) }
	h.DimInfo = b[39]
	for i := range 8 {
		h.Dim[i] = i16(40 + 2*i)
		h.Pixdim[i] = f32(o, b[76+4*i:])
	}
	for i := range 3 {
		h.IntentP[i] = f32(o, b[56+4*i:])
		h.Quatern[i] = f32(o, b[256+4*i:])
		h.QOffset[i] = f32(o, b[268+4*i:])
		for j := range 4 {
			h.Srow[i][j] = f32(o, b[280+16*i+4*j:])
		}
	}
	h.IntentCode = int32(i16(68))
	h.Datatype = DataType(i16(70))
	h.SliceStart = i16(74)
	// vox_offset is a float in NIfTI-1; readVoxOffset1 checks it is a whole number.
	h.SclSlope, h.SclInter = f32(o, b[112:]), f32(o, b[116:])
	h.SliceEnd = i16(120)
	h.SliceCode, h.XYZTUnits = int32(b[122]), int32(b[123])
	h.CalMax, h.CalMin = f32(o, b[124:]), f32(o, b[128:])
	h.SliceDuration, h.TOffset = f32(o, b[132:]), f32(o, b[136:])
	h.Descrip, h.AuxFile = cstring(b[148:228]), cstring(b[228:252])
	h.QformCode, h.SformCode = int32(i16(252)), int32(i16(254))
	h.IntentName = cstring(b[328:344])
	return h
}

// readVoxOffset1 converts NIfTI-1's float vox_offset to a byte count.
func readVoxOffset1(b []byte, o binary.ByteOrder) (int64, error) {
	v := f32(o, b[108:])
	if math.IsNaN(v) || v < 0 || v > 1<<53 || v != math.Trunc(v) {
		return 0, fmt.Errorf("vox_offset is %v; want a whole number of bytes >= 0", v)
	}
	return int64(v), nil
}

// parseHeader2 decodes a 540-byte NIfTI-2 header after its magic has been checked.
func parseHeader2(b []byte, o binary.ByteOrder) *Header {
	h := &Header{Version: 2, ByteOrder: o}
	i64 := func(off int) int64 { return int64(o.Uint64(b[off:])) }
	i32 := func(off int) int32 { return int32(o.Uint32(b[off:])) }
	h.Datatype = DataType(int16(o.Uint16(b[12:])))
	for i := range 8 {
		h.Dim[i] = i64(16 + 8*i)
		h.Pixdim[i] = f64(o, b[104+8*i:])
	}
	for i := range 3 {
		h.IntentP[i] = f64(o, b[80+8*i:])
		h.Quatern[i] = f64(o, b[352+8*i:])
		h.QOffset[i] = f64(o, b[376+8*i:])
		for j := range 4 {
			h.Srow[i][j] = f64(o, b[400+32*i+8*j:])
		}
	}
	h.VoxOffset = i64(168)
	h.SclSlope, h.SclInter = f64(o, b[176:]), f64(o, b[184:])
	h.CalMax, h.CalMin = f64(o, b[192:]), f64(o, b[200:])
	h.SliceDuration, h.TOffset = f64(o, b[208:]), f64(o, b[216:])
	h.SliceStart, h.SliceEnd = i64(224), i64(232)
	h.Descrip, h.AuxFile = cstring(b[240:320]), cstring(b[320:344])
	h.QformCode, h.SformCode = i32(344), i32(348)
	h.SliceCode, h.XYZTUnits, h.IntentCode = i32(496), i32(500), i32(504)
	h.IntentName = cstring(b[508:524])
	h.DimInfo = b[524]
	return h
}

package nifti

import (
	"encoding/binary"
	"fmt"
	"math"
)

// marshalHeader encodes h as a single-file header of its Version in its ByteOrder,
// followed by a zero extension flag, so the voxels follow at once: the result is 352
// (NIfTI-1) or 544 (NIfTI-2) bytes, and h.VoxOffset is ignored. NIfTI-1's 16-bit
// integer fields must hold their values.
func marshalHeader(h *Header) ([]byte, error) {
	o := h.ByteOrder
	if o == nil {
		o = le
	}
	switch h.Version {
	case 1:
		return marshalHeader1(h, o)
	case 2:
		return marshalHeader2(h, o), nil
	}
	return nil, fmt.Errorf("header version is %d; want 1 or 2", h.Version)
}

// putF32 stores v rounded to float32.
func putF32(o binary.ByteOrder, b []byte, v float64) {
	o.PutUint32(b, math.Float32bits(float32(v)))
}

// putF64 stores v.
func putF64(o binary.ByteOrder, b []byte, v float64) { o.PutUint64(b, math.Float64bits(v)) }

// marshalHeader1 encodes a NIfTI-1 header; see marshalHeader.
func marshalHeader1(h *Header, o binary.ByteOrder) ([]byte, error) {
	b := make([]byte, minOffset1)
	var err error
	i16 := func(off int, v int64, field string) {
		if v < math.MinInt16 || v > math.MaxInt16 {
			if err == nil {
				err = fmt.Errorf("%s is %d, beyond the 16 bits NIfTI-1 has for it; "+
					"write NIfTI-2 instead", field, v)
			}
			return
		}
		o.PutUint16(b[off:], uint16(int16(v)))
	}
	o.PutUint32(b, sizeofHdr1)
	b[38] = 'r'
	b[39] = h.DimInfo
	for i := range 8 {
		i16(40+2*i, h.Dim[i], fmt.Sprintf("dim[%d]", i))
		putF32(o, b[76+4*i:], h.Pixdim[i])
	}
	for i := range 3 {
		putF32(o, b[56+4*i:], h.IntentP[i])
		putF32(o, b[256+4*i:], h.Quatern[i])
		putF32(o, b[268+4*i:], h.QOffset[i])
		for j := range 4 {
			putF32(o, b[280+16*i+4*j:], h.Srow[i][j])
		}
	}
	i16(68, int64(h.IntentCode), "intent_code")
	i16(70, int64(h.Datatype), "datatype")
	i16(72, int64(8*h.Datatype.Size()), "bitpix")
	i16(74, h.SliceStart, "slice_start")
	putF32(o, b[108:], minOffset1)
	putF32(o, b[112:], h.SclSlope)
	putF32(o, b[116:], h.SclInter)
	i16(120, h.SliceEnd, "slice_end")
	b[122], b[123] = byte(h.SliceCode), byte(h.XYZTUnits)
	putF32(o, b[124:], h.CalMax)
	putF32(o, b[128:], h.CalMin)
	putF32(o, b[132:], h.SliceDuration)
	putF32(o, b[136:], h.TOffset)
	copy(b[148:227], h.Descrip)
	copy(b[228:251], h.AuxFile)
	i16(252, int64(h.QformCode), "qform_code")
	i16(254, int64(h.SformCode), "sform_code")
	copy(b[328:343], h.IntentName)
	copy(b[344:], magic1)
	return b, err
}

// marshalHeader2 encodes a NIfTI-2 header; see marshalHeader.
func marshalHeader2(h *Header, o binary.ByteOrder) []byte {
	b := make([]byte, minOffset2)
	o.PutUint32(b, sizeofHdr2)
	copy(b[4:], magic2)
	o.PutUint16(b[12:], uint16(h.Datatype))
	o.PutUint16(b[14:], uint16(8*h.Datatype.Size()))
	for i := range 8 {
		o.PutUint64(b[16+8*i:], uint64(h.Dim[i]))
		putF64(o, b[104+8*i:], h.Pixdim[i])
	}
	for i := range 3 {
		putF64(o, b[80+8*i:], h.IntentP[i])
		putF64(o, b[352+8*i:], h.Quatern[i])
		putF64(o, b[376+8*i:], h.QOffset[i])
		for j := range 4 {
			putF64(o, b[400+32*i+8*j:], h.Srow[i][j])
		}
	}
	o.PutUint64(b[168:], minOffset2)
	putF64(o, b[176:], h.SclSlope)
	putF64(o, b[184:], h.SclInter)
	putF64(o, b[192:], h.CalMax)
	putF64(o, b[200:], h.CalMin)
	putF64(o, b[208:], h.SliceDuration)
	putF64(o, b[216:], h.TOffset)
	o.PutUint64(b[224:], uint64(h.SliceStart))
	o.PutUint64(b[232:], uint64(h.SliceEnd))
	copy(b[240:319], h.Descrip)
	copy(b[320:343], h.AuxFile)
	o.PutUint32(b[344:], uint32(h.QformCode))
	o.PutUint32(b[348:], uint32(h.SformCode))
	o.PutUint32(b[496:], uint32(h.SliceCode))
	o.PutUint32(b[500:], uint32(h.XYZTUnits))
	o.PutUint32(b[504:], uint32(h.IntentCode))
	copy(b[508:523], h.IntentName)
	b[524] = h.DimInfo
	return b
}

// encodeImage returns a whole single-file image: the header h followed by values
// stored as h.Datatype in h.ByteOrder. It fails if a value does not fit the type
// exactly. The tests build their input files with it.
func encodeImage(h *Header, values []float64) ([]byte, error) {
	hdr, err := marshalHeader(h)
	if err != nil {
		return nil, err
	}
	size := h.Datatype.Size()
	if size == 0 {
		return nil, fmt.Errorf("cannot write voxels of %v", h.Datatype)
	}
	o := h.ByteOrder
	if o == nil {
		o = le
	}
	out := make([]byte, len(hdr)+size*len(values))
	copy(out, hdr)
	for i, v := range values {
		if !encodeValue(out[len(hdr)+size*i:], v, h.Datatype, o) {
			return nil, fmt.Errorf("voxel %d holds %v, which %v cannot store exactly",
				i, v, h.Datatype)
		}
	}
	return out, nil
}

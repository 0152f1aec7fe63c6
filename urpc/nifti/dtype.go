package nifti

import (
	"encoding/binary"
	"fmt"
	"math"
)

// DataType is a NIfTI voxel type code (the datatype header field).
type DataType int16

// The voxel type codes of the NIfTI-1 standard. Only the real-valued ones from Uint8
// to Float64 can be read; the others are listed so that errors can name them.
const (
	Binary     DataType = 1
	Uint8      DataType = 2
	Int16      DataType = 4
	Int32      DataType = 8
	Float32    DataType = 16
	Complex64  DataType = 32
	Float64    DataType = 64
	RGB24      DataType = 128
	Int8       DataType = 256
	Uint16     DataType = 512
	Uint32     DataType = 768
	Int64      DataType = 1024
	Uint64     DataType = 1280
	Float128   DataType = 1536
	Complex128 DataType = 1792
	Complex256 DataType = 2048
	RGBA32     DataType = 2304
)

// dtypeInfo describes one voxel type: its name and, when readable, its size in bytes.
type dtypeInfo struct {
	name string
	size int // 0: not readable
}

var dtypes = map[DataType]dtypeInfo{
	Binary: {"binary (1 bit)", 0}, Uint8: {"uint8", 1}, Int16: {"int16", 2},
	Int32: {"int32", 4}, Float32: {"float32", 4}, Complex64: {"complex64", 0},
	Float64: {"float64", 8}, RGB24: {"RGB24", 0}, Int8: {"int8", 1},
	Uint16: {"uint16", 2}, Uint32: {"uint32", 4}, Int64: {"int64", 8},
	Uint64: {"uint64", 8}, Float128: {"float128", 0}, Complex128: {"complex128", 0},
	Complex256: {"complex256", 0}, RGBA32: {"RGBA32", 0},
}

// String returns the type's name, such as "float32", or "datatype 77" for an unknown
// code.
func (t DataType) String() string {
	if d, ok := dtypes[t]; ok {
		return d.name
	}
	return fmt.Sprintf("datatype %d", int16(t))
}

// Size returns the bytes per voxel of a readable type and 0 for any other code.
func (t DataType) Size() int { return dtypes[t].size }

// checkReadable explains why a voxel type cannot be read, or returns nil.
func checkReadable(t DataType) error {
	switch t {
	case RGB24, RGBA32:
		return fmt.Errorf("datatype is %v: RGB colour voxels are not supported; "+
			"convert the image to one scalar channel", t)
	case Complex64, Complex128, Complex256:
		return fmt.Errorf("datatype is %v: complex voxels are not supported; "+
			"store the magnitude as a real image", t)
	}
	if t.Size() == 0 {
		return fmt.Errorf("datatype is %v: not supported; want an integer type "+
			"(u)int8 to (u)int64, float32 or float64", t)
	}
	return nil
}

// decodeValues widens the voxels in raw, stored as type t in byte order o, into dst.
// len(raw) must be len(dst)*t.Size().
func decodeValues(dst []float64, raw []byte, t DataType, o binary.ByteOrder) {
	switch t {
	case Uint8:
		for i := range dst {
			dst[i] = float64(raw[i])
		}
	case Int8:
		for i := range dst {
			dst[i] = float64(int8(raw[i]))
		}
	case Int16:
		for i := range dst {
			dst[i] = float64(int16(o.Uint16(raw[2*i:])))
		}
	case Uint16:
		for i := range dst {
			dst[i] = float64(o.Uint16(raw[2*i:]))
		}
	case Int32:
		for i := range dst {
			dst[i] = float64(int32(o.Uint32(raw[4*i:])))
		}
	case Uint32:
		for i := range dst {
			dst[i] = float64(o.Uint32(raw[4*i:]))
		}
	case Int64:
		for i := range dst {
			dst[i] = float64(int64(o.Uint64(raw[8*i:])))
		}
	case Uint64:
		for i := range dst {
			dst[i] = float64(o.Uint64(raw[8*i:]))
		}
	case Float32:
		for i := range dst {
			dst[i] = float64(math.Float32frombits(o.Uint32(raw[4*i:])))
		}
	case Float64:
		for i := range dst {
			dst[i] = math.Float64frombits(o.Uint64(raw[8*i:]))
		}
	default:
		panic("nifti: decodeValues of an unreadable datatype")
	}
}

// encodeValue stores v as type t in byte order o at the start of dst. It reports
// false when t cannot hold v exactly (a fraction, NaN or out of range for an integer
// type, or a value that rounds in float32).
func encodeValue(dst []byte, v float64, t DataType, o binary.ByteOrder) bool {
	if t == Float64 {
		o.PutUint64(dst, math.Float64bits(v))
		return true
	}
	if t == Float32 {
		f := float32(v)
		o.PutUint32(dst, math.Float32bits(f))
		return float64(f) == v || math.IsNaN(v)
	}
	lo, hi := intRange(t)
	if v != math.Trunc(v) || v < lo || v > hi {
		return false
	}
	switch t.Size() {
	case 1:
		dst[0] = byte(int64(v))
	case 2:
		o.PutUint16(dst, uint16(int64(v)))
	case 4:
		o.PutUint32(dst, uint32(int64(v)))
	default:
		if t == Uint64 && v >= 1<<63 {
			o.PutUint64(dst, uint64(v))
		} else {
			o.PutUint64(dst, uint64(int64(v)))
		}
	}
	return true
}

// intRange returns the smallest and largest value of an integer voxel type.
func intRange(t DataType) (lo, hi float64) {
	switch t {
	case Uint8:
		return 0, math.MaxUint8
	case Int8:
		return math.MinInt8, math.MaxInt8
	case Int16:
		return math.MinInt16, math.MaxInt16
	case Uint16:
		return 0, math.MaxUint16
	case Int32:
		return math.MinInt32, math.MaxInt32
	case Uint32:
		return 0, math.MaxUint32
	case Int64:
		return math.MinInt64, math.Nextafter(1<<63, 0) // largest float64 below 2^63
	case Uint64:
		return 0, math.Nextafter(1<<64, 0)
	}
	panic("nifti: intRange of a non-integer datatype")
}

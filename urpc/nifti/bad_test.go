package nifti

import (
	"crypto/rand"
	"math"
	"runtime"
	"testing"
	"time"
)

func TestTruncatedGzip(t *testing.T) {
	h := testHeader(1, le, Float32, 20, 20, 20)
	whole := gzipBytes(t, mustEncode(t, h, ramp(8000, 0)))
	cases := []struct {
		name string
		keep int
		want string
	}{
		{"half", len(whole) / 2, "truncated"},
		{"inside header", 40, "truncated"},
		{"no crc trailer", len(whole) - 4, "gzip stream after the voxel data"},
		{"gzip magic only", 2, "gzip header"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeTemp(t, "cut.nii", whole[:c.keep]) // gzip is found by content
			_, err := Read(path)
			wantError(t, err, path, c.want)
		})
	}
}

func TestTruncatedPlain(t *testing.T) {
	h := testHeader(1, le, Int16, 10, 10, 10)
	b := mustEncode(t, h, ramp(1000, 0))
	path := writeTemp(t, "cut.nii", b[:len(b)-1])
	_, err := Read(path)
	wantError(t, err, path, "dim = [3 10 10 10]", "2000 voxel bytes", "only 1999")
	path = writeTemp(t, "short.nii", b[:100])
	_, err = Read(path)
	wantError(t, err, path, "348-byte NIfTI-1 header", "truncated")
	path = writeTemp(t, "empty.nii", nil)
	_, err = Read(path)
	wantError(t, err, path, "too short")
}

func TestWrongMagic(t *testing.T) {
	h := testHeader(1, le, Uint8, 2, 2, 2)
	b := mustEncode(t, h, ramp(8, 0))
	cases := []struct {
		name  string
		patch func(b []byte)
		want  string
	}{
		{"garbage", func(b []byte) { copy(b[344:], "abc\x00") }, `magic is "abc\x00"`},
		{"analyze", func(b []byte) { copy(b[344:], "\x00\x00\x00\x00") }, "Analyze"},
		{"pair", func(b []byte) { copy(b[344:], "ni1\x00") }, ".hdr/.img pair"},
		{"sizeof_hdr", func(b []byte) { b[0] = 0x5d }, "not a NIfTI file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := append([]byte(nil), b...)
			c.patch(bad)
			path := writeTemp(t, "magic.nii", bad)
			_, err := Read(path)
			wantError(t, err, path, c.want)
		})
	}
	h2 := testHeader(2, le, Uint8, 2, 2, 2)
	b2 := mustEncode(t, h2, ramp(8, 0))
	b2[8], b2[9] = '\n', 0 // "\r\n" turned into "\n" by a text-mode copy
	path := writeTemp(t, "text.nii", b2)
	_, err := Read(path)
	wantError(t, err, path, "text-mode")
}

func TestHugeDimensionsRefusedQuickly(t *testing.T) {
	h := testHeader(1, le, Float64, 8000, 8000, 8000)
	b := mustEncode(t, h, ramp(16, 0)) // 16 voxels stored, 4e12 bytes claimed
	h2 := testHeader(2, le, Uint8, 1<<20, 1<<20, 1<<20, 1<<20)
	b2 := mustEncode(t, h2, ramp(16, 0))
	cases := []struct{ name, want string }{
		{"huge.nii", "needs 4096000000000 voxel bytes"},
		{"huge.nii.gz", "compressed bytes expand to at most"},
	}
	for _, c := range cases {
		path := writeTemp(t, c.name, b)
		start := time.Now()
		_, err := Read(path)
		wantError(t, err, path, c.want, "dim field is wrong")
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Errorf("%s: refusing took %v", c.name, d)
		}
	}
	path := writeTemp(t, "huge2.nii", b2)
	_, err := Read(path)
	wantError(t, err, path, "more than 2^40 voxels")
}

// TestLyingGzipSizeCostsLittleMemory gives a header that claims 1 GB of voxels, which
// 2 MiB of incompressible gzip could in principle expand to, followed by only those
// 2 MiB: the reader must fail as truncated without allocating the claimed size.
func TestLyingGzipSizeCostsLittleMemory(t *testing.T) {
	h := testHeader(1, le, Uint8, 1000, 1000, 1000)
	hdr, err := marshalHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	noise := make([]byte, 2<<20)
	rand.Read(noise)
	path := writeTemp(t, "liar.nii.gz", append(hdr, noise...))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = Read(path)
	runtime.ReadMemStats(&after)
	wantError(t, err, path, "voxel data ends after 2097152 of 1000000000 bytes", "truncated")
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 200<<20 {
		t.Errorf("allocated %d MiB for a truncated file", alloc>>20)
	}
}

func TestUnsupportedTypes(t *testing.T) {
	cases := []struct {
		dt   DataType
		want string
	}{
		{RGB24, "RGB"}, {RGBA32, "RGB"}, {Complex64, "complex"}, {Complex128, "complex"},
		{Binary, "not supported"}, {Float128, "not supported"}, {DataType(77), "datatype 77"},
	}
	for _, c := range cases {
		h := testHeader(1, le, Uint8, 2, 2, 2)
		b := mustEncode(t, h, ramp(8, 0))
		le.PutUint16(b[70:], uint16(c.dt))
		b = append(b, make([]byte, 64)...) // enough bytes for any voxel size
		path := writeTemp(t, "type.nii", b)
		_, err := Read(path)
		wantError(t, err, path, "datatype", c.want)
	}
}

func TestVoxOffsetAndExtensions(t *testing.T) {
	h := testHeader(1, le, Int16, 2, 2, 2)
	want := ramp(8, 100)
	b := mustEncode(t, h, want)
	// An extension of 16 bytes: flag 1, then esize 16, ecode 6, 8 bytes of text.
	ext := []byte{1, 0, 0, 0, 16, 0, 0, 0, 6, 0, 0, 0, 'c', 'o', 'm', 'm', 'e', 'n', 't', 0}
	withExt := append(append(append([]byte(nil), b[:348]...), ext...), b[352:]...)
	putF32(le, withExt[108:], 368)
	v, err := Read(writeTemp(t, "ext.nii.gz", withExt))
	if err != nil {
		t.Fatal(err)
	}
	sameValues(t, v.Data, want)

	unset := append([]byte(nil), b...)
	putF32(le, unset[108:], 0) // as in the hippocampus files
	if v, err = Read(writeTemp(t, "zero.nii", unset)); err != nil {
		t.Fatal(err)
	}
	sameValues(t, v.Data, want)

	unset[348] = 1 // extensions announced but nowhere to find the data
	path := writeTemp(t, "zeroext.nii", unset)
	_, err = Read(path)
	wantError(t, err, path, "extension flag")

	for _, off := range []float32{-352, 352.5, float32(math.Inf(1))} {
		bad := append([]byte(nil), b...)
		putF32(le, bad[108:], float64(off))
		path := writeTemp(t, "off.nii", bad)
		_, err := Read(path)
		wantError(t, err, path, "vox_offset")
	}
	putF32(le, b[108:], 4000)
	path = writeTemp(t, "far.nii.gz", b)
	_, err = Read(path)
	wantError(t, err, path, "before vox_offset 4000")
}

func TestGzipStreams(t *testing.T) {
	h := testHeader(1, le, Int16, 4, 4, 4)
	want := ramp(64, -30)
	b := mustEncode(t, h, want)
	whole := gzipBytes(t, b)
	// bgzip-style files are several gzip members; some files carry padding after them.
	members := append(gzipBytes(t, b[:200]), gzipBytes(t, b[200:])...)
	padded := append(append([]byte(nil), whole...), make([]byte, 100)...)
	for name, file := range map[string][]byte{"members": members, "padded": padded} {
		v, err := Read(writeTemp(t, name+".nii.gz.raw", file))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameValues(t, v.Data, want)
	}
	bad := append([]byte(nil), whole...)
	bad[len(bad)-8] ^= 1 // the CRC-32 of the trailer
	path := writeTemp(t, "crc.nii", bad)
	_, err := Read(path)
	wantError(t, err, path, "checksum")
	dir := t.TempDir()
	_, err = Read(dir)
	wantError(t, err, dir, "directory")
}

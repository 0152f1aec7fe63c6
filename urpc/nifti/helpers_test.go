package nifti

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testHeader returns a header of the given version, byte order and voxel type with
// axes dims, 2 mm voxels along x, 3 along y, 4 along z, and no transform codes.
func testHeader(version int, o binary.ByteOrder, t DataType, dims ...int64) *Header {
	h := &Header{Version: version, ByteOrder: o, Datatype: t, XYZTUnits: 2}
	h.Dim[0] = int64(len(dims))
	for i := 1; i < 8; i++ {
		h.Dim[i] = 1
		h.Pixdim[i] = 1
	}
	copy(h.Dim[1:], dims)
	h.Pixdim[0], h.Pixdim[1], h.Pixdim[2], h.Pixdim[3] = 1, 2, 3, 4
	return h
}

// ramp returns n values 0, 1, 2, ... shifted by from.
func ramp(n int, from float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = from + float64(i)
	}
	return v
}

// mustEncode is encodeImage for tests.
func mustEncode(t testing.TB, h *Header, values []float64) []byte {
	t.Helper()
	b, err := encodeImage(h, values)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gzipBytes compresses b as one gzip member.
func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeTemp stores b under name in a fresh temporary folder, gzip-compressed first if
// name ends in ".gz", and returns the path.
func writeTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	if strings.HasSuffix(name, ".gz") {
		b = gzipBytes(t, b)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantError checks that err is non-nil and its message holds every one of parts.
func wantError(t testing.TB, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error; want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

// sameValues checks got against want voxel by voxel.
func sameValues(t testing.TB, got []float32, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d voxels, want %d", len(got), len(want))
	}
	for i := range got {
		if float64(got[i]) != float64(float32(want[i])) {
			t.Fatalf("voxel %d is %v, want %v", i, got[i], want[i])
		}
	}
}

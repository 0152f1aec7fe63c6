package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// rawFile returns a safetensors file with the header given verbatim (not padded) and
// dataLen zero bytes of data.
func rawFile(header string, dataLen int) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, make([]byte, dataLen)...)
}

// loadBytes writes b to a file and loads it.
func loadBytes(t *testing.T, b []byte) (map[string]Tensor, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bad.safetensors")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	tensors, _, err := Load(path)
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Path != path || !strings.Contains(err.Error(), path) {
			t.Errorf("error %q is not a *FormatError naming the file", err)
		}
	}
	return tensors, err
}

// f32 is the header entry of an F32 tensor.
func f32(name, shape string, begin, end int) string {
	return `"` + name + `":{"dtype":"F32","shape":` + shape + `,"data_offsets":[` +
		strconv.Itoa(begin) + `,` + strconv.Itoa(end) + `]}`
}

// corruptFile is a broken file and the words its error must contain.
type corruptFile struct {
	name, problem string
	file          []byte
}

// corruptFiles returns one file per way of breaking the format.
func corruptFiles() []corruptFile {
	hugeLen := binary.LittleEndian.AppendUint64(nil, 1<<62)
	return []corruptFile{
		{"short file", "shorter than the 8-byte header length", []byte{1, 0, 0}},
		{"header past file end", "exceeds the", append(hugeLen, "{}"...)},
		{"header one byte past end", "exceeds the", rawFile("{}", 0)[:9]},
		{"bad JSON", "invalid JSON", rawFile(`{"a":{"dtype":"F32",}`, 0)},
		{"not an object", "does not start", rawFile(`[1, 2]`, 0)},
		{"two values", "more than one JSON value", rawFile(`{} {}`, 0)},
		{"trailing junk", "more than one JSON value", rawFile(`{}xx`, 0)},
		{"invalid UTF-8", "UTF-8", rawFile("{\"\xff\":1}", 0)},
		{"duplicate name", "appears twice", rawFile("{"+f32("a", "[1]", 0, 4)+","+
			f32("a", "[1]", 4, 8)+"}", 8)},
		{"duplicate field", "appears twice", rawFile(
			`{"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 4)},
		{"unknown dtype", `unknown dtype "F33"`, rawFile(
			`{"a":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}`, 4)},
		{"unsupported dtype", "only F32", rawFile(
			`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`, 8)},
		{"unknown field", `unknown field "strides"`, rawFile(
			`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"strides":[1]}}`, 4)},
		{"field name case", `unknown field "Shape"`, rawFile(
			`{"a":{"dtype":"F32","Shape":[1],"data_offsets":[0,4]}}`, 4)},
		{"missing field", `field "shape" is missing`, rawFile(
			`{"a":{"dtype":"F32","data_offsets":[0,4]}}`, 4)},
		{"null shape", `invalid value null`, rawFile(
			`{"a":{"dtype":"F32","shape":null,"data_offsets":[0,4]}}`, 4)},
		{"fractional dim", `invalid value`, rawFile("{"+f32("a", "[1.5]", 0, 4)+"}", 4)},
		{"negative dim", "negative dimension", rawFile("{"+f32("a", "[-1]", 0, 4)+"}", 4)},
		{"three offsets", "not [begin, end]", rawFile(
			`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}`, 8)},
		{"negative offset", "invalid value", rawFile(
			`{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}`, 4)},
		{"reversed offsets", "reversed", rawFile("{"+f32("a", "[0]", 4, 0)+"}", 4)},
		{"offsets past data", "run past the 4-byte data section",
			rawFile("{"+f32("a", "[2]", 0, 8)+"}", 4)},
		{"overlap", `overlap tensor "a"`, rawFile("{"+f32("a", "[2]", 0, 8)+","+
			f32("b", "[2]", 4, 12)+"}", 12)},
		{"gap", "[4, 8) before tensor \"b\" belong to no tensor", rawFile("{"+
			f32("a", "[1]", 0, 4)+","+f32("b", "[1]", 8, 12)+"}", 12)},
		{"gap at start", "[0, 4) before tensor \"a\"", rawFile("{"+
			f32("a", "[1]", 4, 8)+"}", 8)},
		{"unclaimed tail", "[4, 8) at its end", rawFile("{"+f32("a", "[1]", 0, 4)+"}", 8)},
		{"size mismatch", "needs 4 bytes but data_offsets [0, 8] hold 8",
			rawFile("{"+f32("a", "[1]", 0, 8)+"}", 8)},
		{"shape beyond data", "needs more than the 8-byte data section",
			rawFile("{"+f32("a", "[3]", 0, 8)+"}", 8)},
		{"shape overflow", "needs more than", rawFile("{"+f32("a",
			"[4611686018427387904,4611686018427387904]", 0, 8)+"}", 8)},
		{"metadata not strings", "is not a string", rawFile(
			`{"__metadata__":{"step":12}}`, 0)},
		{"metadata null value", "is not a string", rawFile(
			`{"__metadata__":{"step":null}}`, 0)},
		{"metadata not object", "not a JSON object", rawFile(`{"__metadata__":"x"}`, 0)},
		{"empty name", "empty name", rawFile("{"+f32("", "[1]", 0, 4)+"}", 4)},
		{"entry not object", "not a JSON object", rawFile(`{"a":[1,2]}`, 0)},
	}
}

func TestLoadRejectsCorruptFiles(t *testing.T) {
	for _, c := range corruptFiles() {
		t.Run(c.name, func(t *testing.T) {
			_, err := loadBytes(t, c.file)
			if err == nil {
				t.Fatal("loaded without error")
			}
			if !strings.Contains(err.Error(), c.problem) {
				t.Errorf("error %q does not say %q", err, c.problem)
			}
		})
	}
}

// TestLoadAcceptsOtherWriters checks files a different writer could produce: no padding,
// header entries not in offset order, tab and newline whitespace, a zero-size tensor
// sharing its offset with the next one.
func TestLoadAcceptsOtherWriters(t *testing.T) {
	header := "{\n\t" + f32("b", "[1]", 4, 8) + ",\n\t" + f32("z", "[0,3]", 0, 0) +
		",\n\t" + f32("a", "[]", 0, 4) + "}\n"
	file := rawFile(header, 8)
	binary.LittleEndian.PutUint32(file[len(file)-8:], 0x3f800000) // a = 1
	binary.LittleEndian.PutUint32(file[len(file)-4:], 0xc0000000) // b = -2

	got, err := loadBytes(t, file)
	if err != nil {
		t.Fatal(err)
	}
	if got["a"].Data[0] != 1 || got["b"].Data[0] != -2 || len(got["z"].Data) != 0 {
		t.Errorf("loaded %v", got)
	}
	if len(got["a"].Shape) != 0 || len(got["z"].Shape) != 2 {
		t.Errorf("shapes %v and %v", got["a"].Shape, got["z"].Shape)
	}
}

// TestLoadTruncated cuts a valid file at every length: each must fail cleanly.
func TestLoadTruncated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "full.safetensors")
	if err := Save(path, sampleTensors(), map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(full) {
		_, _, err := decode("cut", bytes.NewReader(full[:n]), int64(n))
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Fatalf("file cut to %d of %d bytes: error %v, want a *FormatError",
				n, len(full), err)
		}
	}
	if _, err := loadBytes(t, full); err != nil {
		t.Fatalf("the full file: %v", err)
	}
}

package checkpoint

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"unicode/utf8"
)

// chunkValues is how many float32 values are converted to bytes at a time.
const chunkValues = 1 << 14

// Save writes tensors, in the order given, and metadata to path as a safetensors file.
// It writes a temporary file in the same folder, flushes it to disk, renames it over
// path and flushes the folder, so a crash at any point leaves either the previous file
// or the complete new one (and perhaps a hidden ".<name>.tmp-*" file beside it, which
// Load never reads). The file gets mode 0644. metadata may be nil.
//
// Save panics when a tensor's Data does not hold the product of its Shape values, when
// a name is empty or "__metadata__", or when two tensors share a name.
func Save(path string, tensors []Tensor, metadata map[string]string) (err error) {
	header := encodeHeader(tensors, metadata)

	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err = write(tmp, header, tensors); err != nil {
		return fmt.Errorf("checkpoint: writing %s: %w", tmp.Name(), err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// syncDir flushes a folder's entries (the rename) to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("checkpoint: syncing folder %s: %w", dir, err)
	}
	return nil
}

// write writes the 8-byte header length, the padded header and the tensor values.
func write(w io.Writer, header []byte, tensors []Tensor) error {
	bw := bufio.NewWriter(w)
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	bw.Write(n[:])
	bw.Write(header)

	buf := make([]byte, 0, chunkValues*4)
	for _, t := range tensors {
		for chunk := range slices.Chunk(t.Data, chunkValues) {
			buf = buf[:0]
			for _, v := range chunk {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			}
			bw.Write(buf)
		}
	}
	return bw.Flush()
}

// encodeHeader returns the JSON header for tensors laid out one after the other in the
// data section, padded with spaces to a multiple of headerAlign bytes.
func encodeHeader(tensors []Tensor, metadata map[string]string) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	if len(metadata) > 0 {
		b.Write(jsonString(metadataKey))
		b.WriteByte(':')
		checkMetadata(metadata)
		b.Write(mustJSON(metadata)) // encoding/json sorts the keys: the output is stable
	}

	seen := make(map[string]bool, len(tensors))
	offset := 0
	for i, t := range tensors {
		checkTensor(t, seen)
		if i > 0 || len(metadata) > 0 {
			b.WriteByte(',')
		}
		end := offset + 4*len(t.Data)
		fmt.Fprintf(&b, `%s:{"dtype":"F32","shape":%s,"data_offsets":[%d,%d]}`,
			jsonString(t.Name), shapeJSON(t.Shape), offset, end)
		offset = end
	}
	b.WriteByte('}')

	for b.Len()%headerAlign != 0 {
		b.WriteByte(' ')
	}
	return b.Bytes()
}

// checkTensor panics when t cannot be saved; seen collects the names so far.
func checkTensor(t Tensor, seen map[string]bool) {
	if t.Name == "" || t.Name == metadataKey || !utf8.ValidString(t.Name) {
		panic(fmt.Sprintf("checkpoint: Save: invalid tensor name %q", t.Name))
	}
	if seen[t.Name] {
		panic(fmt.Sprintf("checkpoint: Save: two tensors named %q", t.Name))
	}
	seen[t.Name] = true
	n, ok := numElements(t.Shape, math.MaxInt/4)
	if !ok || n != len(t.Data) {
		panic(fmt.Sprintf("checkpoint: Save: tensor %q of shape %v has %d values",
			t.Name, t.Shape, len(t.Data)))
	}
}

// checkMetadata panics when a metadata key or value is not valid UTF-8, which JSON
// would silently change.
func checkMetadata(metadata map[string]string) {
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			panic(fmt.Sprintf("checkpoint: Save: metadata %q: %q is not UTF-8", k, v))
		}
	}
}

// shapeJSON writes a shape as a JSON array; an empty shape is [] (a scalar), not null.
func shapeJSON(shape []int) []byte {
	if len(shape) == 0 {
		return []byte("[]")
	}
	return mustJSON(shape)
}

// jsonString returns s as a JSON string literal.
func jsonString(s string) []byte {
	return mustJSON(s)
}

// mustJSON marshals values that always marshal: strings, string maps, int slices.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("checkpoint: " + err.Error())
	}
	return b
}

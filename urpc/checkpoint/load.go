package checkpoint

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
)

// Load reads a safetensors file written by Save or by any other safetensors writer,
// provided its tensors are F32. It returns the tensors by name and the metadata (empty,
// not nil, when the file has none).
//
// A file that breaks a rule of the format (see the package documentation) or holds a
// dtype other than F32 gives a *FormatError that names the file and the problem:
// a header length beyond the file, a header that is not one JSON object, a duplicate
// name, an unknown dtype or field, data_offsets out of range, overlapping or leaving a
// gap, or a shape whose size does not match its data_offsets.
func Load(path string) (map[string]Tensor, map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %w", err)
	}
	defer f.Close()

	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %w", err)
	}
	return decode(path, f, st.Size())
}

// decode reads a safetensors file of size bytes from r; path only names it in errors.
func decode(path string, r io.Reader, size int64) (map[string]Tensor, map[string]string,
	error) {
	fail := func(format string, args ...any) error {
		return &FormatError{Path: path, Problem: fmt.Sprintf(format, args...)}
	}
	if size < 8 {
		return nil, nil, fail("file is %d bytes, shorter than the 8-byte header length", size)
	}

	br := bufio.NewReader(r)
	var lenField [8]byte
	if _, err := io.ReadFull(br, lenField[:]); err != nil {
		return nil, nil, fail("reading the header length: %v", err)
	}
	headerLen := binary.LittleEndian.Uint64(lenField[:])
	if headerLen > uint64(size-8) {
		return nil, nil, fail("header length %d exceeds the %d bytes after it",
			headerLen, size-8)
	}
	if headerLen > maxHeaderLen {
		return nil, nil, fail("header length %d exceeds the limit of %d bytes",
			headerLen, maxHeaderLen)
	}

	header := make([]byte, headerLen)
	if _, err := io.ReadFull(br, header); err != nil {
		return nil, nil, fail("reading the %d-byte header: %v", headerLen, err)
	}
	entries, metadata, problem := parseHeader(header)
	if problem != "" {
		return nil, nil, fail("header: %s", problem)
	}

	dataLen := uint64(size-8) - headerLen
	if problem := checkLayout(entries, dataLen); problem != "" {
		return nil, nil, fail("%s", problem)
	}
	tensors, err := readTensors(br, entries)
	if err != nil {
		return nil, nil, fail("reading the data section: %v", err)
	}
	return tensors, metadata, nil
}

// checkLayout checks each entry's dtype and size, that the entries tile the data
// section of dataLen bytes exactly, and then that all are F32. It sorts entries by
// offset and returns the first problem found, or "".
func checkLayout(entries []entry, dataLen uint64) string {
	for _, e := range entries {
		if problem := checkEntry(e, dataLen); problem != "" {
			return fmt.Sprintf("tensor %q: %s", e.name, problem)
		}
	}

	slices.SortStableFunc(entries, func(a, b entry) int {
		if a.begin != b.begin {
			return compare(a.begin, b.begin)
		}
		return compare(a.end, b.end)
	})
	pos := uint64(0)
	for i, e := range entries {
		if e.begin < pos {
			return fmt.Sprintf("tensor %q: data_offsets [%d, %d] overlap tensor %q",
				e.name, e.begin, e.end, entries[i-1].name)
		}
		if e.begin > pos {
			return fmt.Sprintf("data section bytes [%d, %d) before tensor %q "+
				"belong to no tensor", pos, e.begin, e.name)
		}
		pos = e.end
	}
	if pos != dataLen {
		return fmt.Sprintf("data section bytes [%d, %d) at its end belong to no tensor",
			pos, dataLen)
	}

	for _, e := range entries {
		if e.dtype != "F32" {
			return fmt.Sprintf("tensor %q has dtype %s; only F32 is read", e.name, e.dtype)
		}
	}
	return ""
}

// checkEntry checks one entry's dtype, offsets and size against a data section of
// dataLen bytes.
func checkEntry(e entry, dataLen uint64) string {
	elemSize, ok := dtypeSizes[e.dtype]
	if !ok {
		return fmt.Sprintf("unknown dtype %q", e.dtype)
	}
	if e.begin > e.end {
		return fmt.Sprintf("data_offsets [%d, %d] are reversed", e.begin, e.end)
	}
	if e.end > dataLen {
		return fmt.Sprintf("data_offsets [%d, %d] run past the %d-byte data section",
			e.begin, e.end, dataLen)
	}

	limit := int(min(dataLen/elemSize, math.MaxInt))
	n, ok := numElements(e.shape, limit)
	if !ok {
		return fmt.Sprintf("shape %v of %s needs more than the %d-byte data section",
			e.shape, e.dtype, dataLen)
	}
	if uint64(n)*elemSize != e.end-e.begin {
		return fmt.Sprintf("shape %v of %s needs %d bytes but data_offsets [%d, %d] "+
			"hold %d", e.shape, e.dtype, uint64(n)*elemSize, e.begin, e.end, e.end-e.begin)
	}
	return ""
}

// compare orders two offsets.
func compare(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// readTensors reads the F32 values of entries, which are sorted by offset and tile the
// data section that r is positioned at.
func readTensors(r io.Reader, entries []entry) (map[string]Tensor, error) {
	tensors := make(map[string]Tensor, len(entries))
	buf := make([]byte, chunkValues*4)
	for _, e := range entries {
		data := make([]float32, (e.end-e.begin)/4)
		for chunk := range slices.Chunk(data, chunkValues) {
			b := buf[:4*len(chunk)]
			if _, err := io.ReadFull(r, b); err != nil {
				if errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF
				}
				return nil, fmt.Errorf("tensor %q: %w", e.name, err)
			}
			for i := range chunk {
				chunk[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			}
		}
		tensors[e.name] = Tensor{Name: e.name, Shape: e.shape, Data: data}
	}
	return tensors, nil
}

package nifti

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// maxDeflateRatio bounds how much a gzip (deflate) stream can expand: at most 1032
// bytes out per byte in. A header that claims more voxel bytes than that allows
// cannot be right and is refused before anything is allocated.
const maxDeflateRatio = 1032

// maxVoxels bounds the voxel count of one file (2^40, 4 TiB as float32) so that all
// size arithmetic stays far from overflow.
const maxVoxels = 1 << 40

// growChunk is the most voxels allocated ahead of the data actually read: the output
// grows as voxels arrive, so a header that lies about its size costs little memory.
const growChunk = 1 << 22

// Read reads a NIfTI-1 or NIfTI-2 image from a .nii or .nii.gz file. The voxels are
// converted to float32 with the file's scaling applied; see Volume for their order
// and the package documentation for how each kind of input is handled.
func Read(path string) (*Volume, error) {
	v, _, err := readFile(path, false)
	return v, err
}

// ReadLabels reads a label map: a 3-D NIfTI image whose voxels, after scaling, are
// whole numbers from 0 to 255, of any readable voxel type. It returns the labels in
// the same order as Volume.Data (x fastest; see Volume), and the volume itself, whose
// Data holds the same values as float32. A file with more than one frame, or with a
// voxel that is not such a whole number, is an error naming the file.
func ReadLabels(path string) (labels []uint8, v *Volume, err error) {
	v, labels, err = readFile(path, true)
	return labels, v, err
}

// readFile opens path and decodes it; see decode.
func readFile(path string, asLabels bool) (*Volume, []uint8, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("nifti: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("nifti: %w", err)
	}
	return decode(path, f, st.Size(), asLabels)
}

// decode reads a NIfTI image from r, which holds size bytes (compressed bytes for
// gzip, detected from its magic number). With asLabels it also returns the voxels as
// labels and refuses values that are not labels. Errors start with "nifti: name: ".
func decode(name string, r io.Reader, size int64, asLabels bool) (*Volume, []uint8, error) {
	v, labels, err := decodeStream(r, size, asLabels)
	if err != nil {
		return nil, nil, fmt.Errorf("nifti: %s: %w", name, err)
	}
	return v, labels, nil
}

// decodeStream does the work of decode, with errors that do not name the file.
func decodeStream(r io.Reader, size int64, asLabels bool) (*Volume, []uint8, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(2)
	if errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("file is %d bytes, too short for a NIfTI header", size)
	} else if err != nil {
		return nil, nil, err
	}
	src, limit := io.Reader(br), size
	var zr *gzip.Reader
	if head[0] == 0x1f && head[1] == 0x8b {
		if zr, err = gzip.NewReader(br); err != nil {
			return nil, nil, fmt.Errorf("reading the gzip header: %w", err)
		}
		src, limit = zr, size*maxDeflateRatio
		if size > math.MaxInt64/maxDeflateRatio {
			limit = math.MaxInt64
		}
	}
	h, consumed, err := readHeader(src)
	if err != nil {
		return nil, nil, err
	}
	v, err := newVolume(h, asLabels)
	if err != nil {
		return nil, nil, err
	}
	if err := checkSize(h, v, limit, zr != nil); err != nil {
		return nil, nil, err
	}
	if err := skipTo(src, h.VoxOffset, consumed); err != nil {
		return nil, nil, err
	}
	labels, err := readVoxels(src, v, asLabels)
	if err != nil {
		return nil, nil, err
	}
	if zr != nil {
		// Read on to the end of the stream (a little way at most) so that gzip
		// verifies its checksum. Bytes after the voxels are otherwise ignored, and so
		// is anything after the last gzip member that is not another member.
		_, err := io.CopyN(io.Discard, zr, 1<<20)
		if err != nil && err != io.EOF && !errors.Is(err, gzip.ErrHeader) {
			return nil, nil, fmt.Errorf("gzip stream after the voxel data: %w", err)
		}
	}
	return v, labels, nil
}

// readHeader reads and parses the header and returns it with the number of bytes
// consumed. h.VoxOffset is resolved to where the voxels start.
func readHeader(src io.Reader) (*Header, int64, error) {
	buf := make([]byte, minOffset2)
	if _, err := io.ReadFull(src, buf[:4]); err != nil {
		return nil, 0, fmt.Errorf("reading sizeof_hdr: %w", truncated(err))
	}
	version, order, err := detectVersion(buf)
	if err != nil {
		return nil, 0, err
	}
	n := sizeofHdr1
	if version == 2 {
		n = sizeofHdr2
	}
	if _, err := io.ReadFull(src, buf[4:n]); err != nil {
		return nil, 0, fmt.Errorf("reading the %d-byte NIfTI-%d header: %w",
			n, version, truncated(err))
	}
	h, err := parseHeader(buf[:n], version, order)
	if err != nil {
		return nil, 0, err
	}
	consumed := int64(n)
	if h.VoxOffset < int64(n) {
		// vox_offset unset (or pointing into the header): the voxels follow the
		// header and the 4 extension-flag bytes, unless extensions are announced.
		if _, err := io.ReadFull(src, buf[n:n+4]); err != nil {
			return nil, 0, fmt.Errorf("reading the extension flag: %w", truncated(err))
		}
		consumed += 4
		if buf[n] != 0 {
			return nil, 0, fmt.Errorf("vox_offset is %d but the extension flag is set, "+
				"so the start of the voxel data is unknown; want vox_offset >= %d",
				h.VoxOffset, n+4)
		}
		h.VoxOffset = consumed
	}
	return h, consumed, nil
}

// parseHeader checks the magic string and decodes a header of either version.
func parseHeader(b []byte, version int, order binary.ByteOrder) (*Header, error) {
	if version == 1 {
		if err := checkMagic(string(b[344:348]), magic1, magic1Pair, 1); err != nil {
			return nil, err
		}
		off, err := readVoxOffset1(b, order)
		if err != nil {
			return nil, err
		}
		h := parseHeader1(b, order)
		h.VoxOffset = off
		return h, nil
	}
	if err := checkMagic(string(b[4:12]), magic2, magic2Pair, 2); err != nil {
		return nil, err
	}
	h := parseHeader2(b, order)
	if h.VoxOffset < 0 {
		return nil, fmt.Errorf("vox_offset is %d; want a byte count >= 0", h.VoxOffset)
	}
	return h, nil
}

// TODO(pairs): .hdr/.img pairs (magic ni1/ni2) are refused rather than read; none of
// our data sets uses them.

// checkMagic explains a magic string other than the single-file one.
func checkMagic(got, single, pair string, version int) error {
	switch got {
	case single:
		return nil
	case pair:
		return fmt.Errorf("magic %q marks a .hdr/.img pair; only single-file NIfTI "+
			"(.nii, .nii.gz) is supported: convert it, e.g. to .nii.gz", got)
	}
	if version == 2 && got[:4] == single[:4] {
		return fmt.Errorf("magic %q should end in \\r\\n\\x1a\\n: the file was "+
			"probably altered by a text-mode transfer", got)
	}
	return fmt.Errorf("magic is %q, want %q: not a single-file NIfTI-%d image "+
		"(an Analyze 7.5 file has no magic and is not supported)", got, single, version)
}

// truncated turns the io errors of a short read into a message that says so.
func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated: the file ends too early (%w); was a copy or "+
			"download cut short?", io.ErrUnexpectedEOF)
	}
	return err
}

package checkpoint

import "fmt"

// Tensor is one named array of a checkpoint: Data holds the product of Shape values in
// row-major order (for a 5-D tensor, [N, C, D, H, W] with W fastest). An empty Shape is
// a scalar with one value. It is stored with dtype F32.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// FormatError reports a file that is not a valid safetensors file, or one that holds
// something this package does not read (a dtype other than F32).
type FormatError struct {
	Path    string // the file
	Problem string // what is wrong, naming the tensor or header field
}

// Error returns "checkpoint: <path>: <problem>".
func (e *FormatError) Error() string {
	return fmt.Sprintf("checkpoint: %s: %s", e.Path, e.Problem)
}

// metadataKey is the reserved header entry that holds the string-to-string metadata.
const metadataKey = "__metadata__"

// headerAlign is the multiple of bytes the written header is padded to, so that the data
// section, and every F32 tensor in it, starts 8-byte aligned in the file.
const headerAlign = 8

// maxHeaderLen bounds the JSON header (100 MB, the bound the reference library uses) so
// that a corrupt length cannot make Load read a huge header.
const maxHeaderLen = 100_000_000

// dtypeSizes gives the bytes per element of each dtype of the safetensors specification.
// Load checks the layout of tensors of any of these dtypes, then refuses all but F32.
var dtypeSizes = map[string]uint64{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8,
}

// numElements returns the product of shape, or false when a dimension is negative or
// the product exceeds limit.
func numElements(shape []int, limit int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		if d == 0 {
			n = 0
			continue
		}
		if n > limit/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

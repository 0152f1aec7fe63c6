// Package checkpoint saves and loads named float32 tensors (model parameters, optimizer
// state) in the safetensors format, written here from its public specification:
//
//	bytes 0..7      N, the header length, an unsigned 64-bit little-endian integer
//	bytes 8..8+N    the header: one JSON object, padded at the end with spaces
//	bytes 8+N..     the data section: raw little-endian tensor values
//
// The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]},
// with offsets in bytes relative to the start of the data section, and may hold a
// "__metadata__" object of string values. The tensors tile the data section: sorted by
// offset, the first begins at 0, each begins where the previous ends, and the last ends
// at the end of the file. A tensor of shape [d0, d1, ...] holds d0*d1*... values in
// row-major order, so a model tensor of shape [N, C, D, H, W] keeps that order.
//
// Save writes the header with the tensors in the order given, __metadata__ first, and
// pads it to a multiple of 8 bytes so the data section is aligned. It writes atomically:
// a crash leaves either the old file or the new one, never a mix.
//
// Load checks every rule above and refuses, with a *FormatError naming the file and
// the problem, any file that breaks one. It never panics on a bad file and never
// allocates more than the file's size, whatever the header claims.
package checkpoint

// Package nn holds the layers of the pyramid U-Net (PPNet) of URPC: 3-D convolution
// (also of a channel concatenation read in place, for the decoder) and transposed
// convolution, max pooling, trilinear and nearest upsampling, the norms, the dropout and
// feature-noise perturbations, and the model that chains them.
//
// Activations are recorded with autograd.RecordOwnedUnread where the backward pass does
// not read them, so that Tape.BackwardRecycling frees each one after its last reader.
//
// Every layer is an autograd operation generic over the element type (float32 for
// training, float64 for gradient checks) on volumes laid out as [N, C, D, H, W]; its
// forward and backward are written side by side, and backward adds (+=) into the
// gradients of its inputs. Misuse (wrong ranks or shapes) panics with a constant message
// that starts with "nn:" and names the shapes.
package nn

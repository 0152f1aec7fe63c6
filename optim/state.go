package optim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/urpc-go/urpc/tensor"
)

// stateMagic opens an encoded State; stateVersion is its layout version.
const (
	stateMagic   = "URPCSGD\x00"
	stateVersion = 1
)

// MarshalBinary encodes the state as: the 8-byte magic "URPCSGD\0", then little-endian
// uint32 version, uint32 element size in bytes (4 or 8), uint64 steps, uint64 buffer
// length, and the buffer's elements.
func (s State[T]) MarshalBinary() ([]byte, error) {
	size := elementSize[T]()
	out := make([]byte, 0, len(stateMagic)+24+size*len(s.MomentumBuffer))
	out = append(out, stateMagic...)
	out = binary.LittleEndian.AppendUint32(out, stateVersion)
	out = binary.LittleEndian.AppendUint32(out, uint32(size))
	out = binary.LittleEndian.AppendUint64(out, uint64(s.Steps))
	out = binary.LittleEndian.AppendUint64(out, uint64(len(s.MomentumBuffer)))
	for _, x := range s.MomentumBuffer {
		if size == 4 {
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(float32(x)))
		} else {
			out = binary.LittleEndian.AppendUint64(out, math.Float64bits(float64(x)))
		}
	}
	return out, nil
}

// UnmarshalBinary decodes a state written by MarshalBinary with the same element type.
func (s *State[T]) UnmarshalBinary(data []byte) error {
	header := len(stateMagic) + 24
	if len(data) < header || string(data[:len(stateMagic)]) != stateMagic {
		return errors.New("optim: not an SGD state (bad magic number)")
	}
	le, fields := binary.LittleEndian, data[len(stateMagic):]
	version, size := le.Uint32(fields), le.Uint32(fields[4:])
	steps, length := le.Uint64(fields[8:]), le.Uint64(fields[16:])
	switch {
	case version != stateVersion:
		return fmt.Errorf("optim: SGD state version %d, this build reads %d",
			version, stateVersion)
	case int(size) != elementSize[T]():
		return fmt.Errorf("optim: SGD state of %d-byte elements, want %d",
			size, elementSize[T]())
	case length > uint64(len(data)) || uint64(len(data)-header) != length*uint64(size) ||
		steps > math.MaxInt64:
		return fmt.Errorf("optim: SGD state of %d bytes does not hold %d elements and %d steps",
			len(data), length, steps)
	}

	s.Steps, s.MomentumBuffer = int(steps), make([]T, length)
	body := data[header:]
	for i := range s.MomentumBuffer {
		if size == 4 {
			s.MomentumBuffer[i] = T(math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:])))
		} else {
			s.MomentumBuffer[i] = T(math.Float64frombits(binary.LittleEndian.Uint64(body[8*i:])))
		}
	}
	return nil
}

// elementSize returns the size in bytes of T: 4 for float32, 8 for float64.
func elementSize[T tensor.Float]() int {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return 4
	}
	return 8
}

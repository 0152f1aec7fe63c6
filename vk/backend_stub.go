//go:build !cgo || novulkan

package vk

import "fmt"

// backend is empty in builds without Vulkan: openBackend always fails, so no Device
// (and no backend method) is ever reached.
type backend struct{}

// deviceInfo is what openBackend reports about the chosen physical device.
type deviceInfo struct {
	name       string
	limits     Limits
	validation bool
}

const stubMessage = "vk: no Vulkan backend in this build"

func openBackend(int, Options) (*backend, deviceInfo, error) {
	return nil, deviceInfo{}, fmt.Errorf("%w: this binary was built without cgo or "+
		"with the novulkan tag", ErrUnavailable)
}

func (*backend) close()                     { panic(stubMessage) }
func (*backend) alloc(int) (*memory, error) { panic(stubMessage) }
func (*backend) free(*memory)               { panic(stubMessage) }
func (*backend) flush() error               { panic(stubMessage) }
func (*backend) dispatch(*kernelSpec, []binding, []uint32, [3]uint32) error {
	panic(stubMessage)
}
func (*backend) copyBuffer(*memory, uint64, *memory, uint64, uint64) error {
	panic(stubMessage)
}

func validationMessages() (int64, string) { return 0, "" }

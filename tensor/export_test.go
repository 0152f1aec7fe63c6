package tensor

// SetAsm turns the float32 asm kernels on or off and returns a function that restores
// the previous choice, so tests and benchmarks can run both paths in one binary.
func SetAsm(on bool) (restore func()) {
	previous := useAsm
	useAsm = on
	return func() { useAsm = previous }
}

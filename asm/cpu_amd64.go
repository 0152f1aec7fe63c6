//go:build amd64 && !purego

package asm

// haveAsm reports whether the assembly kernels are compiled in.
const haveAsm = true

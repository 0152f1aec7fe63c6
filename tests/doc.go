// Package tests holds the cross-package tests of the project: the comparison of every
// operation with the PyTorch reference values of testdata/golden, and end-to-end runs.
package tests

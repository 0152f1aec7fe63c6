package tensor

import "fmt"

// MatMul returns the matrix product a b of a [M, K] and b [K, N], giving [M, N]:
// out[i, j] = sum_k a[i, k] b[k, j].
func MatMul[T Float](a, b *Tensor[T]) *Tensor[T] {
	if len(a.Shape) != 2 || len(b.Shape) != 2 || a.Shape[1] != b.Shape[0] {
		panic(fmt.Sprintf("tensor: MatMul shapes %v and %v do not fit", a.Shape, b.Shape))
	}
	m, k, n := a.Shape[0], a.Shape[1], b.Shape[1]
	out := Zeros[T](m, n)
	for i := range m {
		row := out.Data[i*n : (i+1)*n]
		for p := range k {
			aip := a.Data[i*k+p]
			bRow := b.Data[p*n : (p+1)*n]
			for j := range row {
				row[j] += aip * bRow[j]
			}
		}
	}
	return out
}

// Transpose returns the transpose of a matrix [M, N] as [N, M].
func Transpose[T Float](a *Tensor[T]) *Tensor[T] {
	if len(a.Shape) != 2 {
		panic(fmt.Sprintf("tensor: Transpose of non-matrix shape %v", a.Shape))
	}
	return Permute(a, 1, 0)
}

package tensor

import "math"

// Map returns f applied to every element of t.
func Map[T Float](t *Tensor[T], f func(x T) T) *Tensor[T] {
	out := Zeros[T](t.Shape...)
	for i, x := range t.Data {
		out.Data[i] = f(x)
	}
	return out
}

// Add returns a + b, broadcast.
func Add[T Float](a, b *Tensor[T]) *Tensor[T] { return Binary(a, b, func(x, y T) T { return x + y }) }

// Sub returns a - b, broadcast.
func Sub[T Float](a, b *Tensor[T]) *Tensor[T] { return Binary(a, b, func(x, y T) T { return x - y }) }

// Mul returns a * b elementwise, broadcast.
func Mul[T Float](a, b *Tensor[T]) *Tensor[T] { return Binary(a, b, func(x, y T) T { return x * y }) }

// Div returns a / b elementwise, broadcast.
func Div[T Float](a, b *Tensor[T]) *Tensor[T] { return Binary(a, b, func(x, y T) T { return x / y }) }

// Scale returns s * t.
func Scale[T Float](t *Tensor[T], s T) *Tensor[T] { return Map(t, func(x T) T { return s * x }) }

// AddScalar returns t + s.
func AddScalar[T Float](t *Tensor[T], s T) *Tensor[T] { return Map(t, func(x T) T { return x + s }) }

// Neg returns -t.
func Neg[T Float](t *Tensor[T]) *Tensor[T] { return Map(t, func(x T) T { return -x }) }

// Exp returns e^t elementwise.
func Exp[T Float](t *Tensor[T]) *Tensor[T] {
	return Map(t, func(x T) T { return T(math.Exp(float64(x))) })
}

// Log returns the natural logarithm of t elementwise.
func Log[T Float](t *Tensor[T]) *Tensor[T] {
	return Map(t, func(x T) T { return T(math.Log(float64(x))) })
}

// Sqrt returns the square root of t elementwise.
func Sqrt[T Float](t *Tensor[T]) *Tensor[T] {
	return Map(t, func(x T) T { return T(math.Sqrt(float64(x))) })
}

// Square returns t^2 elementwise.
func Square[T Float](t *Tensor[T]) *Tensor[T] { return Map(t, func(x T) T { return x * x }) }

// ReLU returns max(t, 0) elementwise.
func ReLU[T Float](t *Tensor[T]) *Tensor[T] { return Map(t, func(x T) T { return max(x, 0) }) }

// LeakyReLU returns t where t > 0 and slope*t elsewhere.
func LeakyReLU[T Float](t *Tensor[T], slope T) *Tensor[T] {
	return Map(t, func(x T) T {
		if x > 0 {
			return x
		}
		return slope * x
	})
}

// AddInPlace accumulates src into dst (dst += src); the shapes must be equal.
func AddInPlace[T Float](dst, src *Tensor[T]) {
	MustSameShape("AddInPlace", dst.Shape, src.Shape)
	for i, v := range src.Data {
		dst.Data[i] += v
	}
}

package tensor

import "math"

// Map returns f applied to every element of t.
func Map[T Float](t *Tensor[T], f func(x T) T) *Tensor[T] {
	out := empty[T](t.Shape...)
	for i, x := range t.Data {
		out.Data[i] = f(x)
	}
	return out
}

// Add returns a + b, broadcast.
func Add[T Float](a, b *Tensor[T]) *Tensor[T] { return arith(a, b, opAdd) }

// Sub returns a - b, broadcast.
func Sub[T Float](a, b *Tensor[T]) *Tensor[T] { return arith(a, b, opSub) }

// Mul returns a * b elementwise, broadcast.
func Mul[T Float](a, b *Tensor[T]) *Tensor[T] { return arith(a, b, opMul) }

// Div returns a / b elementwise, broadcast.
func Div[T Float](a, b *Tensor[T]) *Tensor[T] { return arith(a, b, opDiv) }

// Scale returns s * t.
func Scale[T Float](t *Tensor[T], s T) *Tensor[T] {
	out := t.Clone()
	scaleInPlace(out.Data, s)
	return out
}

// AddScalar returns t + s.
func AddScalar[T Float](t *Tensor[T], s T) *Tensor[T] { return Add(t, Scalar(s)) }

// Neg returns -t.
func Neg[T Float](t *Tensor[T]) *Tensor[T] { return Scale(t, -1) }

// Exp returns e^t elementwise (see expInto for the float32 accuracy).
func Exp[T Float](t *Tensor[T]) *Tensor[T] {
	out := empty[T](t.Shape...)
	expInto(out.Data, t.Data)
	return out
}

// Log returns the natural logarithm of t elementwise.
func Log[T Float](t *Tensor[T]) *Tensor[T] {
	out := empty[T](t.Shape...)
	logInto(out.Data, t.Data)
	return out
}

// Sqrt returns the square root of t elementwise.
func Sqrt[T Float](t *Tensor[T]) *Tensor[T] {
	return Map(t, func(x T) T { return T(math.Sqrt(float64(x))) })
}

// Square returns t^2 elementwise.
func Square[T Float](t *Tensor[T]) *Tensor[T] { return Mul(t, t) }

// ReLU returns max(t, 0) elementwise; a NaN stays NaN, as in PyTorch (asm.ReluForward
// maps NaN to 0, so it is not used here).
func ReLU[T Float](t *Tensor[T]) *Tensor[T] {
	out := Zeros[T](t.Shape...)
	maxInto(out.Data, t.Data)
	return out
}

// LeakyReLU returns t where t > 0 and slope*t elsewhere.
func LeakyReLU[T Float](t *Tensor[T], slope T) *Tensor[T] {
	return Map(t, func(x T) T {
		if x > 0 {
			return x
		}
		return slope * x
	})
}

// ScaleInPlace multiplies every element of t by s (t *= s).
func ScaleInPlace[T Float](t *Tensor[T], s T) { scaleInPlace(t.Data, s) }

// AddInPlace accumulates src into dst (dst += src); the shapes must be equal.
func AddInPlace[T Float](dst, src *Tensor[T]) {
	MustSameShape("AddInPlace", dst.Shape, src.Shape)
	arithVV(opAdd, dst.Data, dst.Data, src.Data)
}

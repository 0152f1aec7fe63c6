package autograd

import (
	"math"

	"github.com/urpc-go/urpc/tensor"
)

// Add returns a + b (broadcast). Backward: da += sum-to-shape(g), db likewise.
func Add[T tensor.Float](a, b *Value[T]) *Value[T] {
	return a.tape.Record("add", tensor.Add(a.Data, b.Data), []*Value[T]{a, b},
		func(g *tensor.Tensor[T]) {
			a.AccumulateGrad(tensor.SumTo(g, a.Data.Shape...))
			b.AccumulateGrad(tensor.SumTo(g, b.Data.Shape...))
		})
}

// Sub returns a - b (broadcast). Backward: da += g, db -= g, each summed to shape.
func Sub[T tensor.Float](a, b *Value[T]) *Value[T] {
	return a.tape.Record("sub", tensor.Sub(a.Data, b.Data), []*Value[T]{a, b},
		func(g *tensor.Tensor[T]) {
			a.AccumulateGrad(tensor.SumTo(g, a.Data.Shape...))
			b.AccumulateGrad(tensor.Neg(tensor.SumTo(g, b.Data.Shape...)))
		})
}

// Mul returns a * b elementwise (broadcast). Backward: da += g*b, db += g*a.
func Mul[T tensor.Float](a, b *Value[T]) *Value[T] {
	return a.tape.Record("mul", tensor.Mul(a.Data, b.Data), []*Value[T]{a, b},
		func(g *tensor.Tensor[T]) {
			if a.requiresGrad {
				a.AccumulateGrad(tensor.SumTo(tensor.Mul(g, b.Data), a.Data.Shape...))
			}
			if b.requiresGrad {
				b.AccumulateGrad(tensor.SumTo(tensor.Mul(g, a.Data), b.Data.Shape...))
			}
		})
}

// Div returns a / b elementwise (broadcast). Backward: da += g/b, db -= g*a/b^2.
func Div[T tensor.Float](a, b *Value[T]) *Value[T] {
	out := tensor.Div(a.Data, b.Data)
	return a.tape.Record("div", out, []*Value[T]{a, b}, func(g *tensor.Tensor[T]) {
		if a.requiresGrad {
			a.AccumulateGrad(tensor.SumTo(tensor.Div(g, b.Data), a.Data.Shape...))
		}
		if b.requiresGrad {
			gb := tensor.Neg(tensor.Div(tensor.Mul(g, out), b.Data))
			b.AccumulateGrad(tensor.SumTo(gb, b.Data.Shape...))
		}
	})
}

// unary records an elementwise op y = f(x) whose derivative dy/dx is deriv(x, y).
func unary[T tensor.Float](op string, x *Value[T], f func(x T) T,
	deriv func(x, y T) T) *Value[T] {
	out := tensor.Map(x.Data, f)
	return x.tape.Record(op, out, []*Value[T]{x}, func(g *tensor.Tensor[T]) {
		gx := tensor.Zeros[T](x.Data.Shape...)
		for i, gi := range g.Data {
			gx.Data[i] = gi * deriv(x.Data.Data[i], out.Data[i])
		}
		x.AccumulateGrad(gx)
	})
}

// Neg returns -x.
func Neg[T tensor.Float](x *Value[T]) *Value[T] {
	return unary("neg", x, func(x T) T { return -x }, func(_, _ T) T { return -1 })
}

// Scale returns s*x for a constant s.
func Scale[T tensor.Float](x *Value[T], s T) *Value[T] {
	return unary("scale", x, func(x T) T { return s * x }, func(_, _ T) T { return s })
}

// AddScalar returns x + s for a constant s.
func AddScalar[T tensor.Float](x *Value[T], s T) *Value[T] {
	return unary("add_scalar", x, func(x T) T { return x + s }, func(_, _ T) T { return 1 })
}

// Exp returns e^x. Backward: dx += g*e^x.
func Exp[T tensor.Float](x *Value[T]) *Value[T] {
	return unary("exp", x, func(x T) T { return T(math.Exp(float64(x))) },
		func(_, y T) T { return y })
}

// Log returns ln x. Backward: dx += g/x.
func Log[T tensor.Float](x *Value[T]) *Value[T] {
	return unary("log", x, func(x T) T { return T(math.Log(float64(x))) },
		func(x, _ T) T { return 1 / x })
}

// Sqrt returns the square root of x. Backward: dx += g/(2 sqrt x).
func Sqrt[T tensor.Float](x *Value[T]) *Value[T] {
	return unary("sqrt", x, func(x T) T { return T(math.Sqrt(float64(x))) },
		func(_, y T) T { return 1 / (2 * y) })
}

// Square returns x^2. Backward: dx += 2 g x.
func Square[T tensor.Float](x *Value[T]) *Value[T] {
	return unary("square", x, func(x T) T { return x * x }, func(x, _ T) T { return 2 * x })
}

// ReLU returns max(x, 0). Its derivative is 1 where x > 0 and 0 elsewhere (0 at x = 0,
// as in PyTorch).
func ReLU[T tensor.Float](x *Value[T]) *Value[T] {
	return unary("relu", x, func(x T) T { return max(x, 0) }, func(x, _ T) T {
		if x > 0 {
			return 1
		}
		return 0
	})
}

// LeakyReLU returns x where x > 0 and slope*x elsewhere; its derivative at 0 is slope,
// as in PyTorch.
func LeakyReLU[T tensor.Float](x *Value[T], slope T) *Value[T] {
	return unary("leaky_relu", x, func(x T) T {
		if x > 0 {
			return x
		}
		return slope * x
	}, func(x, _ T) T {
		if x > 0 {
			return 1
		}
		return slope
	})
}

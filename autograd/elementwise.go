package autograd

import (
	"math"
	"slices"

	"github.com/urpc-go/urpc/tensor"
)

// accumulateBroadcastGrad adds g, the gradient of a broadcast result, to operand v:
// g itself when the shapes agree, else g summed over the broadcast axes.
func accumulateBroadcastGrad[T tensor.Float](v *Value[T], g *tensor.Tensor[T]) {
	if !v.requiresGrad {
		return
	}
	if slices.Equal(v.Data.Shape, g.Shape) {
		v.AccumulateGrad(g)
		return
	}
	v.AccumulateOwnedGrad(tensor.SumTo(g, v.Data.Shape...))
}

// accumulateOwnedBroadcastGrad is accumulateBroadcastGrad for a g the caller has just
// allocated and hands over.
func accumulateOwnedBroadcastGrad[T tensor.Float](v *Value[T], g *tensor.Tensor[T]) {
	if !v.requiresGrad {
		return
	}
	if slices.Equal(v.Data.Shape, g.Shape) {
		v.AccumulateOwnedGrad(g)
		return
	}
	v.AccumulateOwnedGrad(tensor.SumTo(g, v.Data.Shape...))
}

// Add returns a + b (broadcast). Backward: da += sum-to-shape(g), db likewise.
func Add[T tensor.Float](a, b *Value[T]) *Value[T] {
	return a.tape.RecordOwned("add", tensor.Add(a.Data, b.Data), []*Value[T]{a, b},
		func(g *tensor.Tensor[T]) {
			accumulateBroadcastGrad(a, g)
			accumulateBroadcastGrad(b, g)
		})
}

// Sub returns a - b (broadcast). Backward: da += g, db -= g, each summed to shape.
func Sub[T tensor.Float](a, b *Value[T]) *Value[T] {
	return a.tape.RecordOwned("sub", tensor.Sub(a.Data, b.Data), []*Value[T]{a, b},
		func(g *tensor.Tensor[T]) {
			accumulateBroadcastGrad(a, g)
			if !b.requiresGrad {
				return
			}
			if slices.Equal(b.Data.Shape, g.Shape) {
				b.AccumulateOwnedGrad(tensor.Neg(g))
				return
			}
			b.AccumulateOwnedGrad(tensor.Neg(tensor.SumTo(g, b.Data.Shape...)))
		})
}

// Mul returns a * b elementwise (broadcast). Backward: da += g*b, db += g*a.
func Mul[T tensor.Float](a, b *Value[T]) *Value[T] {
	return a.tape.RecordOwned("mul", tensor.Mul(a.Data, b.Data), []*Value[T]{a, b},
		func(g *tensor.Tensor[T]) {
			if a.requiresGrad {
				accumulateOwnedBroadcastGrad(a, tensor.Mul(g, b.Data))
			}
			if b.requiresGrad {
				accumulateOwnedBroadcastGrad(b, tensor.Mul(g, a.Data))
			}
		})
}

// Div returns a / b elementwise (broadcast). Backward: da += g/b, db -= g*a/b^2.
func Div[T tensor.Float](a, b *Value[T]) *Value[T] {
	out := tensor.Div(a.Data, b.Data)
	return a.tape.RecordOwned("div", out, []*Value[T]{a, b}, func(g *tensor.Tensor[T]) {
		if a.requiresGrad {
			accumulateOwnedBroadcastGrad(a, tensor.Div(g, b.Data))
		}
		if b.requiresGrad {
			gb := tensor.Neg(tensor.Div(tensor.Mul(g, out), b.Data))
			accumulateOwnedBroadcastGrad(b, gb)
		}
	})
}

// unary records an elementwise op y = f(x) whose derivative dy/dx is deriv(x, y).
func unary[T tensor.Float](op string, x *Value[T], f func(x T) T,
	deriv func(x, y T) T) *Value[T] {
	out := tensor.Map(x.Data, f)
	return x.tape.RecordOwned(op, out, []*Value[T]{x}, func(g *tensor.Tensor[T]) {
		gx := tensor.Zeros[T](x.Data.Shape...)
		for i, gi := range g.Data {
			gx.Data[i] = gi * deriv(x.Data.Data[i], out.Data[i])
		}
		x.AccumulateOwnedGrad(gx)
	})
}

// Neg returns -x. Backward: dx -= g.
func Neg[T tensor.Float](x *Value[T]) *Value[T] { return scale("neg", x, -1) }

// Scale returns s*x for a constant s. Backward: dx += s g.
func Scale[T tensor.Float](x *Value[T], s T) *Value[T] { return scale("scale", x, s) }

// scale records y = s*x under the name op.
func scale[T tensor.Float](op string, x *Value[T], s T) *Value[T] {
	return x.tape.RecordOwned(op, tensor.Scale(x.Data, s), []*Value[T]{x},
		func(g *tensor.Tensor[T]) { x.AccumulateOwnedGrad(tensor.Scale(g, s)) })
}

// AddScalar returns x + s for a constant s. Backward: dx += g.
func AddScalar[T tensor.Float](x *Value[T], s T) *Value[T] {
	return x.tape.RecordOwned("add_scalar", tensor.AddScalar(x.Data, s), []*Value[T]{x},
		func(g *tensor.Tensor[T]) { x.AccumulateGrad(g) })
}

// Exp returns e^x. Backward: dx += g*e^x.
func Exp[T tensor.Float](x *Value[T]) *Value[T] {
	out := tensor.Exp(x.Data)
	return x.tape.RecordOwned("exp", out, []*Value[T]{x},
		func(g *tensor.Tensor[T]) { x.AccumulateOwnedGrad(tensor.Mul(g, out)) })
}

// Log returns ln x. Backward: dx += g/x.
func Log[T tensor.Float](x *Value[T]) *Value[T] {
	return x.tape.RecordOwned("log", tensor.Log(x.Data), []*Value[T]{x},
		func(g *tensor.Tensor[T]) { x.AccumulateOwnedGrad(tensor.Div(g, x.Data)) })
}

// Sqrt returns the square root of x. Backward: dx += g/(2 sqrt x).
func Sqrt[T tensor.Float](x *Value[T]) *Value[T] {
	return unary("sqrt", x, func(x T) T { return T(math.Sqrt(float64(x))) },
		func(_, y T) T { return 1 / (2 * y) })
}

// Square returns x^2. Backward: dx += 2 g x.
func Square[T tensor.Float](x *Value[T]) *Value[T] {
	return x.tape.RecordOwned("square", tensor.Square(x.Data), []*Value[T]{x},
		func(g *tensor.Tensor[T]) {
			gx := tensor.Mul(g, x.Data)
			x.AccumulateOwnedGrad(tensor.Add(gx, gx))
		})
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

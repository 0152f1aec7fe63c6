package nn

import (
	"fmt"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/autograd/autogradtest"
	"github.com/urpc-go/urpc/tensor"
)

// upsampleCase is one resize of a [1, 2, 3, 4, 5] input.
type upsampleCase struct {
	name string
	op   func(x *autograd.Value[float64]) *autograd.Value[float64]
}

func upsampleCases() []upsampleCase {
	var cases []upsampleCase
	for _, ac := range []bool{false, true} {
		cases = append(cases,
			upsampleCase{fmt.Sprintf("trilinear_size_ac%v", ac),
				func(x *autograd.Value[float64]) *autograd.Value[float64] {
					return UpsampleTrilinear(x, [3]int{5, 7, 2}, ac)
				}},
			upsampleCase{fmt.Sprintf("trilinear_scale_ac%v", ac),
				func(x *autograd.Value[float64]) *autograd.Value[float64] {
					return UpsampleTrilinearScale(x, [3]float64{2, 1.5, 0.7}, ac)
				}})
	}
	return append(cases,
		upsampleCase{"nearest_size", func(x *autograd.Value[float64]) *autograd.Value[float64] {
			return UpsampleNearest(x, [3]int{7, 8, 3})
		}},
		upsampleCase{"nearest_scale", func(x *autograd.Value[float64]) *autograd.Value[float64] {
			return UpsampleNearestScale(x, [3]float64{2, 1.7, 0.5})
		}})
}

func TestGradUpsample(t *testing.T) {
	for i, c := range upsampleCases() {
		x := autogradtest.Rand(uint64(400+i), 2, 2, 3, 4, 5)
		autogradtest.Check(t, "upsample_"+c.name, func(tape *autograd.Tape[float64],
			in []*autograd.Value[float64]) *autograd.Value[float64] {
			return c.op(in[0])
		}, x)
	}
}

// TestUpsampleTrilinearNaive compares the separable passes with the eight-corner
// formula out = sum over corners of l_d * l_h * l_w * x[corner].
func TestUpsampleTrilinearNaive(t *testing.T) {
	x := autogradtest.Rand(500, 2, 3, 3, 4, 5)
	size := [3]int{7, 3, 11}
	for _, ac := range []bool{false, true} {
		got := UpsampleTrilinear(autograd.NewNoGradTape[float64]().Const(x), size, ac).Data
		var tabs [3]resampleTable[float64]
		for a := range 3 {
			tabs[a] = linearTable[float64](x.Shape[2+a], size[a],
				float64(x.Shape[2+a])/float64(size[a]), ac)
		}
		for i := range got.Data {
			o := unflatten(i, got.Shape)
			want := 0.0
			for corner := range 8 {
				w, idx := 1.0, []int{o[0], o[1], 0, 0, 0}
				for a := range 3 {
					tab, j := &tabs[a], o[2+a]
					if corner>>(2-a)&1 == 1 {
						idx[2+a], w = tab.i1[j], w*tab.l1[j]
					} else {
						idx[2+a], w = tab.i0[j], w*(1-tab.l1[j])
					}
				}
				want += w * x.At(idx...)
			}
			if d := got.Data[i] - want; d > 1e-12 || d < -1e-12 {
				t.Fatalf("ac=%v output %v is %v, want %v", ac, o, got.Data[i], want)
			}
		}
	}
}

// TestUpsampleFloat32 checks the float32 path against float64 on a larger input, where
// the passes run on several goroutines.
func TestUpsampleFloat32(t *testing.T) {
	x64 := autogradtest.Rand(501, 2, 8, 9, 10, 11)
	x32 := tensor.Convert[float32](x64)
	g64 := autogradtest.Rand(502, 2, 8, 18, 20, 22)
	g32 := tensor.Convert[float32](g64)
	tape64, tape32 := autograd.NewTape[float64](), autograd.NewTape[float32]()
	in64, in32 := tape64.Leaf(x64), tape32.Leaf(x32)
	out64 := UpsampleTrilinearScale(in64, [3]float64{2, 2, 2}, false)
	out32 := UpsampleTrilinearScale(in32, [3]float64{2, 2, 2}, false)
	tape64.Backward(autograd.SumAll(autograd.Mul(out64, tape64.Const(g64))))
	tape32.Backward(autograd.SumAll(autograd.Mul(out32, tape32.Const(g32))))
	if d := relMaxDiff(out32.Data.Data, out64.Data.Data); d > 1e-6 {
		t.Errorf("float32 forward differs by %.2e", d)
	}
	if d := relMaxDiff(in32.Grad.Data, in64.Grad.Data); d > 1e-5 {
		t.Errorf("float32 gradient differs by %.2e", d)
	}
}

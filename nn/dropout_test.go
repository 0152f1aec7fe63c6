package nn

import (
	"math"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/autograd/autogradtest"
	"github.com/urpc-go/urpc/tensor"
)

func TestGradDropout(t *testing.T) {
	x := autogradtest.Rand(20, 2, 3, 2, 3, 4)
	channelMask := Dropout3dMask[float64](tensor.NewRNG(21), 2, 3, 0.5)
	autogradtest.Check(t, "dropout3d_mask", func(_ *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		return Dropout3dWithMask(in[0], channelMask)
	}, x)

	mask := DropoutMask[float64](tensor.NewRNG(22), 0.3, x.Shape...)
	autogradtest.Check(t, "dropout_mask", func(_ *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		return DropoutWithMask(in[0], mask)
	}, x)

	// The input is used twice on purpose: y = dropout(x) + x.
	autogradtest.Check(t, "dropout_mask_reused_input", func(_ *autograd.Tape[float64],
		in []*autograd.Value[float64]) *autograd.Value[float64] {
		return autograd.Add(DropoutWithMask(in[0], mask), in[0])
	}, x)
}

func TestDropout3dDropsWholeChannels(t *testing.T) {
	const n, c, p = 40, 50, 0.3
	x := tensor.Full[float64](2, n, c, 2, 2, 3)
	tape := autograd.NewNoGradTape[float64]()
	y := Dropout3d(tape.Const(x), p, true, tensor.NewRNG(23)).Data
	dropped := 0
	for ch := range n * c {
		slab := y.Data[ch*12 : (ch+1)*12]
		for _, v := range slab {
			if v != slab[0] {
				t.Fatalf("channel %d is not dropped or kept as a whole: %v", ch, slab)
			}
		}
		switch slab[0] {
		case 0:
			dropped++
		case 2 / (1 - p):
		default:
			t.Fatalf("channel %d holds %g, want 0 or %g", ch, slab[0], 2/(1-p))
		}
	}
	// 2000 Bernoulli(0.3) draws: the standard deviation of the fraction is about 0.01.
	if frac := float64(dropped) / (n * c); math.Abs(frac-p) > 0.04 {
		t.Errorf("dropped fraction %.3f, want about %.1f", frac, p)
	}
	if got := Dropout3d(tape.Const(x), p, false, nil); got.Data != x {
		t.Error("Dropout3d in inference is not the identity")
	}
}

func TestDropoutElementwise(t *testing.T) {
	const p = 0.5
	x := tensor.Full[float32](1, 2, 3, 10, 10, 10)
	tape := autograd.NewNoGradTape[float32]()
	y := Dropout(tape.Const(x), p, true, tensor.NewRNG(24)).Data
	dropped := 0
	for _, v := range y.Data {
		switch v {
		case 0:
			dropped++
		case 2:
		default:
			t.Fatalf("element %g, want 0 or 2", v)
		}
	}
	// 6000 draws: the standard deviation of the fraction is about 0.0065.
	if frac := float64(dropped) / float64(len(y.Data)); math.Abs(frac-p) > 0.03 {
		t.Errorf("dropped fraction %.3f, want about %.1f", frac, p)
	}
	if got := Dropout(tape.Const(x), p, false, nil); got.Data != x {
		t.Error("Dropout in inference is not the identity")
	}
	all := DropoutMask[float32](tensor.NewRNG(25), 1, 2, 2)
	if all.Data[0] != 0 || all.Data[3] != 0 {
		t.Errorf("p = 1 keeps elements: %v", all.Data)
	}
}

func TestDropoutPanicsOnMisuse(t *testing.T) {
	tape := autograd.NewNoGradTape[float64]()
	x := tape.Const(tensor.Zeros[float64](2, 3, 2, 2, 2))
	cases := map[string]func(){
		"channel mask [2, 3]": func() { Dropout3dWithMask(x, tensor.Zeros[float64](2, 3)) },
		"element mask of another shape": func() {
			DropoutWithMask(x, tensor.Zeros[float64](1, 3, 2, 2, 2))
		},
		"p = 1.5": func() { Dropout3dMask[float64](tensor.NewRNG(1), 2, 3, 1.5) },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}

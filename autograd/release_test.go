package autograd_test

import (
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// releaseSize is 512 KiB of float32, above tensor's free-list minimum.
const releaseSize = 1 << 17

// twice records v = 2x with RecordOwnedUnread (its backward reads only its gradient).
func twice(x *autograd.Value[float32]) *autograd.Value[float32] {
	out := tensor.Scale(x.Data, 2)
	return x.Tape().RecordOwnedUnread("twice", out, []*autograd.Value[float32]{x},
		func(g *tensor.Tensor[float32]) { x.AccumulateOwnedGrad(tensor.Scale(g, 2)) })
}

// An unread output read by two operations' backward functions (Mul reads its other
// factor) is recycled only after both have run; the gradients are then right.
func TestUnreadOutputOutlivesItsReaders(t *testing.T) {
	tape := autograd.NewTape[float32]()
	x := tape.Leaf(tensor.Full[float32](1, releaseSize))
	w1, w2 := tape.Leaf(tensor.Full[float32](3, releaseSize)),
		tape.Leaf(tensor.Full[float32](5, releaseSize))
	v := twice(x)
	loss := autograd.SumAll(autograd.Add(autograd.Mul(v, w1), autograd.Mul(v, w2)))

	tape.BackwardRecycling(loss)

	if v.Data.Data != nil {
		t.Fatal("the unread output was not recycled")
	}
	for name, c := range map[string]struct {
		grad []float32
		want float32
	}{"w1": {w1.Grad.Data, 2}, "w2": {w2.Grad.Data, 2}, "x": {x.Grad.Data, 16}} {
		for i, g := range c.grad {
			if g != c.want {
				t.Fatalf("d loss / d %s [%d] = %v, want %v", name, i, g, c.want)
			}
		}
	}
}

// sink records sum(v) with a backward function that calls ReleaseAfterLastUse before
// it allocates v's gradient, and reports whether the gradient took v's memory.
func sink(v *autograd.Value[float32], reused *bool) *autograd.Value[float32] {
	out := tensor.Scalar(float32(tensor.SumAll(v.Data)))
	return v.Tape().Record("sink", out, []*autograd.Value[float32]{v},
		func(g *tensor.Tensor[float32]) {
			before := &v.Data.Data[0]
			v.ReleaseAfterLastUse()
			grad := v.GradBuffer()
			*reused = &grad.Data[0] == before
			for i := range grad.Data {
				grad.Data[i] += g.Data[0]
			}
		})
}

// ReleaseAfterLastUse recycles an unread output at once when the caller is its last
// reader (the gradient allocated next takes its memory), and does nothing while
// another operation still to run reads it, or in a plain Backward.
func TestReleaseAfterLastUse(t *testing.T) {
	for _, c := range []struct {
		name               string
		otherReader, plain bool
		wantReuse          bool
	}{{"last reader", false, false, true}, {"another reader", true, false, false},
		{"plain backward", false, true, false}} {
		tape := autograd.NewTape[float32]()
		x := tape.Leaf(tensor.Full[float32](1, releaseSize))
		w := tape.Leaf(tensor.Full[float32](3, releaseSize))
		v := twice(x)
		var other *autograd.Value[float32]
		if c.otherReader {
			// Recorded before the sink, so its backward function runs after it.
			other = autograd.SumAll(autograd.Mul(v, w))
		}
		var reused bool
		loss := sink(v, &reused)
		if other != nil {
			loss = autograd.Add(other, loss)
		}
		if c.plain {
			tape.Backward(loss)
		} else {
			tape.BackwardRecycling(loss)
		}

		if reused != c.wantReuse {
			t.Fatalf("%s: gradient reused the data: %v, want %v", c.name, reused, c.wantReuse)
		}
		want := float32(2)
		if c.otherReader {
			want = 2 + 2*3
		}
		for i, g := range x.Grad.Data {
			if g != want {
				t.Fatalf("%s: d loss / d x [%d] = %v, want %v", c.name, i, g, want)
			}
		}
		if c.otherReader {
			for i, g := range w.Grad.Data {
				if g != 2 {
					t.Fatalf("%s: d loss / d w [%d] = %v, want 2", c.name, i, g)
				}
			}
		}
	}
}

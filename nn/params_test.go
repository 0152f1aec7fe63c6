package nn

import (
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

func TestParamsViewOneBuffer(t *testing.T) {
	var layout ParamLayout
	w := layout.Add("conv.weight", 2, 1, 1, 1, 3)
	b := layout.Add("conv.bias", 2)
	p := NewParams[float64](&layout)
	if p.Len() != 8 || p.Entries[b].Offset != 6 {
		t.Fatalf("size %d, bias offset %d, want 8 and 6", p.Len(), p.Entries[b].Offset)
	}
	p.Tensor(b).Data[1] = 5
	if p.Data[7] != 5 {
		t.Error("Tensor does not view Data")
	}
	if i, ok := p.Index("conv.bias"); !ok || i != b {
		t.Errorf("Index(conv.bias) = %d, %v", i, ok)
	}

	// Two backward passes accumulate into the flat gradient buffer.
	for range 2 {
		tape := autograd.NewTape[float64]()
		weight := p.Value(tape, w)
		tape.Backward(autograd.SumAll(autograd.Scale(weight, 3)))
	}
	for i := range 6 {
		if p.Grad[i] != 6 {
			t.Fatalf("Grad[%d] = %g, want 6", i, p.Grad[i])
		}
	}
	p.ZeroGrad()
	if tensor.SumAll(p.GradTensor(w)) != 0 {
		t.Error("ZeroGrad left gradients")
	}
	defer func() {
		if recover() == nil {
			t.Error("a duplicate name did not panic")
		}
	}()
	layout.Add("conv.bias", 1)
}

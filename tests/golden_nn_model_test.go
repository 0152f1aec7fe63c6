package tests

import (
	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/tensor"
)

func init() {
	goldenChecks["batchnorm3d_train.json"] = checkBatchNorm3dTrain
	goldenChecks["instancenorm3d.json"] = checkInstanceNorm3d(false)
	goldenChecks["instancenorm3d_affine.json"] = checkInstanceNorm3d(true)
	goldenChecks["dsv_head_x4.json"] = checkDsvHead
	goldenChecks["unetconv3_block.json"] = checkUnetConv3Block
}

// checkBatchNorm3dTrain compares BatchNorm3d in training mode (output, gradients of x,
// gamma and beta, running statistics after one step) and then in eval mode.
func checkBatchNorm3dTrain(c *checker) {
	state := nn.BatchNorm3dState[float64]{
		RunningMean: []float64{0, 0, 0}, RunningVar: []float64{1, 1, 1},
		Momentum: nn.BatchNormMomentum, Eps: nn.NormEps,
	}
	tape := autograd.NewTape[float64]()
	x := tape.Leaf(c.input("input").Clone())
	gamma, beta := tape.Leaf(c.input("weight").Clone()), tape.Leaf(c.input("bias").Clone())
	out := nn.BatchNorm3d(x, gamma, beta, state, true)
	c.compare("output", out.Data)
	backwardWith(tape, out, c.input("grad_output"))
	c.compare("grad_input", x.Grad)
	c.compare("grad_weight", gamma.Grad)
	c.compare("grad_bias", beta.Grad)
	c.compare("running_mean", tensor.FromSlice(state.RunningMean, 3))
	c.compare("running_var", tensor.FromSlice(state.RunningVar, 3))

	eval := autograd.NewNoGradTape[float64]()
	outEval := nn.BatchNorm3d(eval.Const(x.Data), eval.Const(gamma.Data), eval.Const(beta.Data),
		state, false)
	c.compare("output_eval", outEval.Data)
}

// checkInstanceNorm3d compares InstanceNorm3d, with or without its affine part.
func checkInstanceNorm3d(affine bool) goldenCheck {
	return func(c *checker) {
		tape := autograd.NewTape[float64]()
		x := tape.Leaf(c.input("input").Clone())
		var gamma, beta *autograd.Value[float64]
		if affine {
			gamma, beta = tape.Leaf(c.input("weight").Clone()), tape.Leaf(c.input("bias").Clone())
		}
		out := nn.InstanceNorm3d(x, gamma, beta, nn.NormEps)
		c.compare("output", out.Data)
		backwardWith(tape, out, c.input("grad_output"))
		c.compare("grad_input", x.Grad)
		if affine {
			c.compare("grad_weight", gamma.Grad)
			c.compare("grad_bias", beta.Grad)
		}
	}
}

// checkDsvHead compares a deep-supervision head: 1x1x1 Conv3d, then trilinear x4
// upsampling (align_corners false) of the logits.
func checkDsvHead(c *checker) {
	tape := autograd.NewTape[float64]()
	x := tape.Leaf(c.input("input").Clone())
	w, b := tape.Leaf(c.input("weight").Clone()), tape.Leaf(c.input("bias").Clone())
	logits := nn.Conv3d(x, w, b, [3]int{1, 1, 1}, [3]int{})
	shape := logits.Data.Shape
	out := nn.UpsampleTrilinear(logits, [3]int{4 * shape[2], 4 * shape[3], 4 * shape[4]}, false)
	c.compare("output", out.Data)
	backwardWith(tape, out, c.input("grad_output"))
	c.compare("grad_input", x.Grad)
	c.compare("grad_weight", w.Grad)
	c.compare("grad_bias", b.Grad)
}

// checkUnetConv3Block compares the UnetConv3 block, [Conv3d k3 p1 -> InstanceNorm3d ->
// ReLU] x 2, and the gradients of its input and both convs, with the norm and the ReLU
// as two operations and as the fused InstanceNorm3dReLU that PPNet uses.
func checkUnetConv3Block(c *checker) {
	for _, fused := range []bool{false, true} {
		tape := autograd.NewTape[float64]()
		x := tape.Leaf(c.input("input").Clone())
		params := map[string]*autograd.Value[float64]{}
		for _, name := range []string{"w1", "b1", "w2", "b2"} {
			params[name] = tape.Leaf(c.input(name).Clone())
		}
		h := x
		for _, stage := range []string{"1", "2"} {
			h = nn.Conv3d(h, params["w"+stage], params["b"+stage], [3]int{1, 1, 1},
				[3]int{1, 1, 1})
			if fused {
				h = nn.InstanceNorm3dReLU(h, nil, nil, nn.NormEps)
			} else {
				h = autograd.ReLU(nn.InstanceNorm3d(h, nil, nil, nn.NormEps))
			}
		}
		c.compare("output", h.Data)
		backwardWith(tape, h, c.input("grad_output"))
		c.compare("grad_input", x.Grad)
		for name, p := range params {
			c.compare("grad_"+name, p.Grad)
		}
	}
}

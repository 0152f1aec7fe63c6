package tests

import (
	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/nn"
	"github.com/urpc-go/urpc/tensor"
)

func init() {
	for _, name := range []string{"conv3d_k3_s1_p1.json", "conv3d_k1_s1_p0.json",
		"conv3d_k3_s2_p1.json", "conv3d_k3_s1_p0.json", "conv3d_k331_s1_p110.json"} {
		goldenChecks[name] = checkConv(false)
	}
	goldenChecks["convtranspose3d_k2_s2.json"] = checkConv(true)
	for _, name := range []string{"upsample_trilinear_ac0_x2.json",
		"upsample_trilinear_ac1_x2.json", "upsample_trilinear_ac0_size579.json",
		"upsample_trilinear_ac1_size579.json", "upsample_trilinear_ac0_x4.json",
		"upsample_trilinear_ac0_x8.json", "upsample_nearest_x2.json",
		"upsample_nearest_size579.json", "upsample_nearest_size768.json"} {
		goldenChecks[name] = checkUpsample
	}
	goldenChecks["maxpool3d_k2.json"] = checkMaxPool
	goldenChecks["maxpool3d_k2_ties.json"] = checkMaxPool
}

// config3 reads a 3-vector from the file's config, failing the test when absent.
func (c *checker) config3(key string) [3]int {
	c.t.Helper()
	var v [3]int
	if err := c.file.ConfigValue(key, &v); err != nil {
		c.t.Fatal(err)
	}
	return v
}

// checkConv compares Conv3d (or ConvTranspose3d) and the gradients of input, weight and
// bias with the stored ones.
func checkConv(transposed bool) goldenCheck {
	return func(c *checker) {
		stride, padding := c.config3("stride"), c.config3("padding")
		tape := autograd.NewTape[float64]()
		x, w := tape.Leaf(c.input("input")), tape.Leaf(c.input("weight"))
		b := tape.Leaf(c.input("bias"))
		var out *autograd.Value[float64]
		if transposed {
			out = nn.ConvTranspose3d(x, w, b, stride, padding)
		} else {
			out = nn.Conv3d(x, w, b, stride, padding)
		}
		c.compare("output", out.Data)
		backwardWith(tape, out, c.input("grad_output"))
		c.compare("grad_input", x.Grad)
		c.compare("grad_weight", w.Grad)
		c.compare("grad_bias", b.Grad)
	}
}

// checkUpsample compares F.interpolate as configured (mode, size or scale factor,
// align_corners) and its input gradient.
func checkUpsample(c *checker) {
	var mode string
	if err := c.file.ConfigValue("mode", &mode); err != nil {
		c.t.Fatal(err)
	}
	var alignCorners bool
	if mode == "trilinear" {
		if err := c.file.ConfigValue("align_corners", &alignCorners); err != nil {
			c.t.Fatal(err)
		}
	}
	tape := autograd.NewTape[float64]()
	x := tape.Leaf(c.input("input"))
	var out *autograd.Value[float64]
	var scale float64
	if err := c.file.ConfigValue("scale_factor", &scale); err == nil {
		s := [3]float64{scale, scale, scale}
		if mode == "trilinear" {
			out = nn.UpsampleTrilinearScale(x, s, alignCorners)
		} else {
			out = nn.UpsampleNearestScale(x, s)
		}
	} else if mode == "trilinear" {
		out = nn.UpsampleTrilinear(x, c.config3("size"), alignCorners)
	} else {
		out = nn.UpsampleNearest(x, c.config3("size"))
	}
	c.compare("output", out.Data)
	backwardWith(tape, out, c.input("grad_output"))
	c.compare("grad_input", x.Grad)
}

// checkMaxPool compares MaxPool3d, its winner indices and its input gradient.
func checkMaxPool(c *checker) {
	tape := autograd.NewTape[float64]()
	x := tape.Leaf(c.input("input"))
	out, indices := nn.MaxPool3dWithIndices(x)
	c.compare("output", out.Data)
	asFloat := make([]float64, len(indices))
	for i, v := range indices {
		asFloat[i] = float64(v)
	}
	c.compare("indices", tensor.FromSlice(asFloat, out.Data.Shape...))
	backwardWith(tape, out, c.input("grad_output"))
	c.compare("grad_input", x.Grad)
}

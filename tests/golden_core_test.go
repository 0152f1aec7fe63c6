package tests

import (
	"github.com/urpc-go/urpc/autograd"
)

func init() {
	goldenChecks["softmax.json"] = checkSoftmax
	goldenChecks["activations.json"] = checkActivations
}

// checkSoftmax compares softmax and log-softmax over channels and their gradients.
func checkSoftmax(c *checker) {
	logits, gradOutput := c.input("logits"), c.input("grad_output")
	ops := map[string]func(*autograd.Value[float64]) *autograd.Value[float64]{
		"softmax": func(x *autograd.Value[float64]) *autograd.Value[float64] {
			return autograd.Softmax(x, 1)
		},
		"log_softmax": func(x *autograd.Value[float64]) *autograd.Value[float64] {
			return autograd.LogSoftmax(x, 1)
		},
	}
	for name, op := range ops {
		tape := autograd.NewTape[float64]()
		x := tape.Leaf(logits.Clone())
		out := op(x)
		c.compare(name, out.Data)
		backwardWith(tape, out, gradOutput)
		c.compare(name+"_grad_input", x.Grad)
	}
}

// checkActivations compares ReLU and LeakyReLU (slope 0.01) and their gradients.
func checkActivations(c *checker) {
	input, gradOutput := c.input("input"), c.input("grad_output")
	ops := map[string]func(*autograd.Value[float64]) *autograd.Value[float64]{
		"relu": autograd.ReLU[float64],
		"leaky_relu": func(x *autograd.Value[float64]) *autograd.Value[float64] {
			return autograd.LeakyReLU(x, 0.01)
		},
	}
	for name, op := range ops {
		tape := autograd.NewTape[float64]()
		x := tape.Leaf(input.Clone())
		out := op(x)
		c.compare(name+"_output", out.Data)
		backwardWith(tape, out, gradOutput)
		c.compare(name+"_grad_input", x.Grad)
	}
}
